using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using DoltBackup.Encryption;
using DoltBackup.Tests.Infrastructure;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// The three AES-GCM implementations (OpenSSL's libcrypto through P/Invoke, the platform pieces, BouncyCastle): the
    /// same ciphertext and tag as BouncyCastle's reference for random lengths and piece sizes, each refusing a wrong
    /// tag or a changed byte, each one forceable, and the automatic choice the fastest that works here.
    /// </summary>
    public class GcmCipherTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir("doltbackup-gcm");

        public void Dispose()
        {
            _dir.Dispose();
        }

        private static GcmImplementation Parse(string name) => (GcmImplementation)Enum.Parse(typeof(GcmImplementation), name);

        private static byte[] RandomBytes(int n, Random random)
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }

        private static (byte[] Cipher, byte[] Tag) Reference(byte[] key, byte[] nonce, byte[] plain)
        {
            var reference = new GcmBlockCipher(AesUtilities.CreateEngine());
            reference.Init(true, new AeadParameters(new KeyParameter(key), 128, nonce));
            var both = new byte[plain.Length + 16];
            int m = reference.ProcessBytes(plain, 0, plain.Length, both, 0);
            reference.DoFinal(both, m);
            return (both.Take(plain.Length).ToArray(), both.Skip(plain.Length).ToArray());
        }

        /// <summary>Feeds <paramref name="input"/> in random pieces (multiples of 16 except the last) at random offsets of a larger buffer.</summary>
        private static int Feed(GcmCipher gcm, byte[] input, byte[] output, Random random)
        {
            int produced = 0, pos = 0;
            while (pos < input.Length)
            {
                int n = Math.Min(input.Length - pos, 16 * random.Next(0, 9000));
                if (n == 0 && random.Next(2) == 0)
                {
                    produced += gcm.Process(input, pos, 0, output, produced);
                    continue;
                }
                n = Math.Max(n, Math.Min(16, input.Length - pos));
                produced += gcm.Process(input, pos, n, output, produced);
                pos += n;
            }
            return produced;
        }

        [Fact]
        public void OpenSsl_loads_here_and_is_the_automatic_choice()
        {
            Assert.True(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), "these tests run on Linux, where libcrypto.so.3 is installed");
            Assert.True(GcmCipher.OpenSslAvailable, "libcrypto.so.3 is installed here: the OpenSSL AES-GCM must load and pass its self-test");
            Assert.True(GcmCipher.PlatformAvailable);
            Assert.Equal(GcmImplementation.OpenSsl, GcmCipher.Automatic);
            using var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16);
            Assert.Equal(GcmImplementation.OpenSsl, gcm.Implementation);
        }

        [Theory]
        [InlineData("OpenSsl")]
        [InlineData("Platform")]
        [InlineData("BouncyCastle")]
        public void Each_implementation_can_be_forced_by_the_preference_and_by_the_argument(string name)
        {
            var implementation = Parse(name);
            using (var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16, implementation))
            {
                Assert.Equal(implementation, gcm.Implementation);
            }
            using (GcmCipher.Prefer(implementation))
            {
                using var gcm = GcmCipher.Create(false, new byte[32], new byte[12], 16);
                Assert.Equal(implementation, gcm.Implementation);
            }
            using (var gcm = GcmCipher.Create(false, new byte[32], new byte[12], 16))
            {
                Assert.Equal(GcmCipher.Automatic, gcm.Implementation);
            }
        }

        [Fact]
        public void A_forced_implementation_holds_in_its_own_flow_only_and_ends_with_its_scope()
        {
            // Another flow that was running before the choice (as a test beside this one is) keeps the automatic one.
            // BouncyCastle is forced below: where it is the automatic choice too, the two flows could not be told apart.
            Assert.NotEqual(GcmImplementation.BouncyCastle, GcmCipher.Automatic);
            using var forced = new System.Threading.ManualResetEventSlim();
            using var checkedThere = new System.Threading.ManualResetEventSlim();
            GcmImplementation seenBeside = GcmImplementation.Automatic;
            var beside = System.Threading.Tasks.Task.Run(() =>
            {
                forced.Wait(TimeSpan.FromSeconds(30));
                using var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16);
                seenBeside = gcm.Implementation;
                checkedThere.Set();
            });
            using (GcmCipher.Prefer(GcmImplementation.BouncyCastle))
            {
                forced.Set();
                Assert.True(checkedThere.Wait(TimeSpan.FromSeconds(30)));
                using (var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16))
                {
                    Assert.Equal(GcmImplementation.BouncyCastle, gcm.Implementation);
                }
                // Work this flow starts meanwhile (a threaded pipeline's tasks) follows the choice.
                var started = System.Threading.Tasks.Task.Run(() =>
                {
                    using var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16);
                    return gcm.Implementation;
                });
                Assert.Equal(GcmImplementation.BouncyCastle, started.GetAwaiter().GetResult());
                using (GcmCipher.Prefer(GcmImplementation.Platform))
                {
                    Assert.Equal(GcmImplementation.Platform, GcmCipher.Preferred);
                }
                Assert.Equal(GcmImplementation.BouncyCastle, GcmCipher.Preferred);
            }
            beside.GetAwaiter().GetResult();
            Assert.Equal(GcmCipher.Automatic, seenBeside);
            Assert.Equal(GcmImplementation.Automatic, GcmCipher.Preferred);
        }

        [Fact]
        public void A_tag_length_the_fast_implementations_do_not_take_falls_back_to_BouncyCastle_or_is_refused_when_forced()
        {
            using (var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 12))
            {
                Assert.Equal(GcmImplementation.BouncyCastle, gcm.Implementation);
            }
            Assert.Throws<PlatformNotSupportedException>(() => GcmCipher.Create(true, new byte[32], new byte[12], 12, GcmImplementation.OpenSsl));
        }

        [Theory]
        [InlineData("OpenSsl", 32)]
        [InlineData("OpenSsl", 16)]
        [InlineData("OpenSsl", 24)]
        [InlineData("Platform", 32)]
        public void Gives_BouncyCastles_bytes_and_tag_for_random_lengths_and_pieces_and_decrypts_them_back(string name, int keyBytes)
        {
            var implementation = Parse(name);
            var random = new Random(1000 * (int)implementation + keyBytes);
            int[] sizes = new[] { 0, 1, 15, 16, 17, 4095, 65_536, 65_537 }
                .Concat(Enumerable.Range(0, 12).Select(_ => random.Next(0, 3_000_000))).ToArray();
            foreach (int size in sizes)
            {
                byte[] key = RandomBytes(keyBytes, random), nonce = RandomBytes(12, random), plain = RandomBytes(size, random);
                var (expected, expectedTag) = Reference(key, nonce, plain);
                var cipher = new byte[size + 64];
                byte[] tag;
                int produced;
                using (var gcm = GcmCipher.Create(true, key, nonce, 16, implementation))
                {
                    produced = Feed(gcm, plain, cipher, random);
                    produced += gcm.FinishEncrypt(cipher, produced, out tag);
                }
                Assert.Equal(size, produced);
                Assert.True(expected.SequenceEqual(cipher.Take(size)), $"ciphertext differs at {size} bytes");
                Assert.Equal(expectedTag, tag);

                var back = new byte[size + 64];
                using (var gcm = GcmCipher.Create(false, key, nonce, 16, implementation))
                {
                    int n = Feed(gcm, expected, back, random);
                    n += gcm.FinishDecrypt(expectedTag, back, n);
                    Assert.Equal(size, n);
                }
                Assert.True(plain.SequenceEqual(back.Take(size)), $"plaintext differs at {size} bytes");
            }
        }

        [Theory]
        [InlineData("OpenSsl")]
        [InlineData("Platform")]
        [InlineData("BouncyCastle")]
        public void A_wrong_tag_a_changed_byte_a_short_tag_or_no_tag_is_refused(string name)
        {
            var implementation = Parse(name);
            var random = new Random(7);
            byte[] key = RandomBytes(32, random), nonce = RandomBytes(12, random), plain = RandomBytes(100_003, random);
            var (cipher, tag) = Reference(key, nonce, plain);
            var back = new byte[plain.Length + 64];

            void Refused(byte[] c, byte[] t)
            {
                using var gcm = GcmCipher.Create(false, key, nonce, 16, implementation);
                int n = gcm.Process(c, 0, c.Length, back, 0);
                Assert.ThrowsAny<InvalidCipherTextException>(() => gcm.FinishDecrypt(t, back, n));
            }

            var wrongTag = (byte[])tag.Clone();
            wrongTag[15] ^= 0x80;
            Refused(cipher, wrongTag);
            var changed = (byte[])cipher.Clone();
            changed[54_321] ^= 1;
            Refused(changed, tag);
            Refused(cipher.Take(cipher.Length - 16).ToArray(), tag);
            if (implementation != GcmImplementation.BouncyCastle)
            {
                // BouncyCastle takes the tag as the last input bytes; the others are handed it whole.
                Refused(cipher, tag.Take(12).ToArray());
                Refused(cipher, null);
            }
        }

        [Fact]
        public void OpenSsl_refuses_a_piece_after_the_end_and_a_piece_outside_its_buffers()
        {
            using var gcm = GcmCipher.Create(true, new byte[32], new byte[12], 16, GcmImplementation.OpenSsl);
            var buffer = new byte[64];
            Assert.Throws<ArgumentOutOfRangeException>(() => gcm.Process(buffer, 32, 48, buffer, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => gcm.Process(buffer, 0, 48, buffer, 32));
            gcm.Process(buffer, 0, 32, buffer, 0);
            gcm.FinishEncrypt(buffer, 0, out _);
            Assert.Throws<InvalidOperationException>(() => gcm.Process(buffer, 0, 16, buffer, 0));
        }

        [Theory]
        [InlineData("OpenSsl", "BouncyCastle")]
        [InlineData("BouncyCastle", "OpenSsl")]
        [InlineData("Platform", "OpenSsl")]
        public void A_file_written_with_one_implementation_reads_with_another_threaded(string writerName, string readerName)
        {
            GcmImplementation writer = Parse(writerName), reader = Parse(readerName);
            var cert = TestKeys.NewCertificate("gcm");
            byte[] plain = RandomBytes(3 * 1_048_576 + 4321, new Random(11));
            string path = _dir.Combine("f.p7m");
            using (GcmCipher.Prefer(writer))
            using (var file = File.Create(path))
            using (var w = new CmsAuthEnvelopedWriter(file, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null), null, threaded: true, hashPlaintext: true, hashCiphertext: true))
            {
                w.Write(plain, 0, plain.Length);
                w.Finish();
            }
            using (GcmCipher.Prefer(reader))
            {
                using var input = File.OpenRead(path);
                using var r = new CmsAuthEnvelopedReader(input, new EncryptionKeys(new[] { cert }, null), null, "f.p7m", threaded: true, hashPlaintext: true);
                using var output = new MemoryStream();
                r.CopyTo(output);
                Assert.True(r.Verified);
                Assert.Equal(plain, output.ToArray());
            }
        }
    }
}
