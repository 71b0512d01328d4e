using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// The threaded encrypt/decrypt pipeline and the platform AES-GCM: the same bytes as BouncyCastle's GCM, blocks in
    /// order, every stage's failure surfacing as the error it was (no hang, nothing reported as done), and stopping early.
    /// </summary>
    public class CmsPipelineTests : IDisposable
    {
        private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);
        private readonly TempDir _dir = new TempDir("doltbackup-pipe");

        public void Dispose() => _dir.Dispose();

        private static byte[] RandomBytes(int n, int seed)
        {
            var bytes = new byte[n];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        private static EncryptionKeys Keys(out EncryptionKeys withPrivateKey)
        {
            var cert = TestKeys.NewCertificate("pipe");
            withPrivateKey = new EncryptionKeys(new[] { cert }, null);
            return new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null);
        }

        private static T WithinTime<T>(Func<T> action)
        {
            var task = Task.Run(action);
            Assert.True(task.Wait(NoHang) || task.IsFaulted, "the pipeline hung");
            return task.GetAwaiter().GetResult();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(15)]
        [InlineData(16)]
        [InlineData(17)]
        [InlineData(65_536)]
        [InlineData(262_143)]
        [InlineData(262_144)]
        [InlineData(262_161)]
        [InlineData(1_048_576 + 5)]
        public void The_platform_GCM_gives_BouncyCastles_ciphertext_and_tag_and_refuses_a_wrong_tag(int size)
        {
            Assert.True(GcmCipher.PlatformAvailable, "System.Security.Cryptography.AesGcm is there on .NET 10: the fast path must be the one tested");
            byte[] key = RandomBytes(32, size + 1), nonce = RandomBytes(12, size + 2), plain = RandomBytes(size, size);
            var reference = new GcmBlockCipher(AesUtilities.CreateEngine());
            reference.Init(true, new AeadParameters(new KeyParameter(key), 128, nonce));
            var expected = new byte[size + 16];
            int m = reference.ProcessBytes(plain, 0, size, expected, 0);
            reference.DoFinal(expected, m);

            // Pieces of several sizes, multiples of 16 except the last, as the writer and reader feed them.
            var random = new Random(size);
            var cipher = new byte[size + 32];
            byte[] tag;
            int produced = 0;
            using (var gcm = GcmCipher.Create(true, key, nonce, 16))
            {
                int pos = 0;
                while (pos < size)
                {
                    int n = Math.Min(size - pos, 16 * random.Next(1, 5000));
                    produced += gcm.Process(plain, pos, n, cipher, produced);
                    pos += n;
                }
                produced += gcm.FinishEncrypt(cipher, produced, out tag);
            }
            Assert.Equal(size, produced);
            Assert.Equal(expected.Take(size), cipher.Take(size));
            Assert.Equal(expected.Skip(size), tag);

            var back = new byte[size + 32];
            using (var gcm = GcmCipher.Create(false, key, nonce, 16))
            {
                int n = gcm.Process(cipher, 0, size, back, 0);
                n += gcm.FinishDecrypt(tag, back, n);
                Assert.Equal(size, n);
            }
            Assert.Equal(plain, back.Take(size));

            tag[3] ^= 1;
            using (var gcm = GcmCipher.Create(false, key, nonce, 16))
            {
                gcm.Process(cipher, 0, size, back, 0);
                Assert.Throws<InvalidCipherTextException>(() => gcm.FinishDecrypt(tag, back, size));
            }
        }

        [Theory]
        [InlineData(0, true, true)]
        [InlineData(100, true, true)]
        [InlineData(262_144, true, false)]
        [InlineData(262_145, false, true)]
        [InlineData(3 * 262_144 + 77, true, true)]
        [InlineData(1_048_576, true, true)]
        [InlineData(3 * 1_048_576 + 77, true, false)]
        [InlineData(5_000_000, true, true)]
        [InlineData(5_000_000, false, false)]
        public void Threaded_and_inline_writers_and_readers_round_trip_with_both_hashes(int size, bool threadedWriter, bool threadedReader)
        {
            var keys = Keys(out var withKey);
            byte[] plain = RandomBytes(size, size);
            string path = _dir.Combine("f.p7m");
            string plainHex, cipherHex;
            long cipherLength;
            using (var file = File.Create(path))
            using (var writer = new CmsAuthEnvelopedWriter(file, keys, null, threaded: threadedWriter, hashPlaintext: true, hashCiphertext: true))
            {
                for (int offset = 0; offset < size; offset += 70001)
                {
                    writer.Write(plain, offset, Math.Min(70001, size - offset));
                }
                writer.Finish();
                plainHex = writer.PlaintextSha256;
                cipherHex = writer.CiphertextSha256;
                cipherLength = writer.CiphertextLength;
            }
            Assert.Equal(Hex(SHA256.HashData(plain)), plainHex);
            Assert.Equal(Hex(SHA256.HashData(File.ReadAllBytes(path))), cipherHex);
            Assert.Equal(new FileInfo(path).Length, cipherLength);

            using var input = File.OpenRead(path);
            using var reader = new CmsAuthEnvelopedReader(input, withKey, null, "f.p7m", threaded: threadedReader, hashPlaintext: true);
            using var output = new MemoryStream();
            reader.CopyTo(output, 8191);
            Assert.True(reader.Verified);
            Assert.Equal(plain, output.ToArray());
            Assert.Equal(plainHex, reader.PlaintextSha256);
            Assert.Equal(size, reader.PlaintextLength);
        }

        [OpenSslFact]
        public void Openssl_decrypts_a_multi_block_file_from_the_threaded_writer()
        {
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, keyPem) = TestKeys.WritePem(cert, _dir.Path);
            byte[] plain = RandomBytes(2_000_003, 7);
            string path = _dir.Combine("big.p7m");
            using (var file = File.Create(path))
            {
                var outcome = SetEncryption.Encrypt(new MemoryStream(plain), file, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null));
                Assert.Equal(plain.Length, outcome.PlaintextSize);
            }
            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", path, "-recip", certPem, "-inkey", keyPem, "-out", _dir.Combine("out.bin"));
            Assert.True(code == 0, error);
            Assert.Equal(plain, File.ReadAllBytes(_dir.Combine("out.bin")));
        }

        [Fact]
        public void Blocks_pass_every_stage_in_order_and_come_out_in_order()
        {
            var seen = new List<int>[3] { new List<int>(), new List<int>(), new List<int>() };
            var random = new Random(1);
            int[] delays = Enumerable.Range(0, 300).Select(_ => random.Next(0, 3)).ToArray();
            using var pipeline = new BlockPipeline(4, 8, 8, deliver: true);
            for (int s = 0; s < 3; s++)
            {
                int stage = s;
                pipeline.AddStage(b =>
                {
                    int id = BitConverter.ToInt32(b.Input, 0);
                    if (delays[id] == stage) Thread.Sleep(1);
                    seen[stage].Add(id);
                    b.OutputCount = id;
                });
            }
            pipeline.StartProducer(() =>
            {
                for (int i = 0; i < 300; i++)
                {
                    var b = pipeline.Rent();
                    BitConverter.GetBytes(i).CopyTo(b.Input, 0);
                    b.Last = i == 299;
                    pipeline.Post(b);
                }
            });
            var received = new List<int>();
            WithinTime(() =>
            {
                while (true)
                {
                    var b = pipeline.Receive();
                    received.Add(b.OutputCount);
                    bool last = b.Last;
                    pipeline.Recycle(b);
                    if (last) return 0;
                }
            });
            var expected = Enumerable.Range(0, 300).ToList();
            Assert.Equal(expected, received);
            Assert.All(seen, s => Assert.Equal(expected, s));
        }

        private sealed class FailingStream : MemoryStream
        {
            private readonly long _failAfter;
            public FailingStream(long failAfter) { _failAfter = failAfter; }
            public int Writes;
            public override void Write(byte[] buffer, int offset, int count)
            {
                Interlocked.Increment(ref Writes);
                if (Length + count > _failAfter)
                {
                    throw new IOException("No space left on device (test)");
                }
                base.Write(buffer, offset, count);
            }
        }

        [Theory]
        [InlineData(10)]          // the header, on the caller's thread
        [InlineData(700_000)]     // a content block, on the writing thread
        [InlineData(4_000_010)]   // the last block with the tag
        public void A_failing_write_surfaces_as_the_same_IOException_and_nothing_is_reported_done(long failAfter)
        {
            var keys = Keys(out _);
            var output = new FailingStream(failAfter);
            var e = WithinTime(() => Record.Exception(() => SetEncryption.Encrypt(new MemoryStream(RandomBytes(4_000_000, 3)), output, keys)));
            var io = Assert.IsType<IOException>(e);
            Assert.Equal("No space left on device (test)", io.Message);
        }

        [Fact]
        public void A_cancelled_encrypted_copy_stops_every_stage_and_leaves_no_partial_output()
        {
            using var dir = new TempDir();
            string data = global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.CopyServerDataDir(dir);
            File.WriteAllBytes(Path.Combine(data, "big.bin"), RandomBytes(3_000_000, 5));
            var manifest = global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            var keys = Keys(out _);
            SetEncryption.Record(manifest, keys, hasDoltStores: false);
            // Cancelled midway, with blocks in every stage: the threads stop, the partial archive goes.
            using var cts = new CancellationTokenSource();
            long seen = 0;
            var e = WithinTime(() => Record.Exception(() => { FileCopyBackup.Run(manifest, new FileCopyOptions
            {
                DataDir = data,
                Format = FileCopyFormat.Tar,
                CancellationToken = cts.Token,
                Progress = p =>
                {
                    if (p.BytesDone > 1_500_000 && Interlocked.Exchange(ref seen, 1) == 0)
                    {
                        cts.Cancel();
                    }
                },
            }); }));
            Assert.IsAssignableFrom<OperationCanceledException>(e);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Combine("backup")));
            Assert.Contains(manifest.Errors, x => x.ErrorId == "DoltBackup.Cancelled");
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
        }

        [Fact]
        public void Unpacking_without_rehashing_the_plaintext_still_refuses_a_wrong_tag_with_nothing_written()
        {
            using var dir = new TempDir();
            string data = global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.CopyServerDataDir(dir);
            File.WriteAllBytes(Path.Combine(data, "big.bin"), RandomBytes(1_500_000, 9));
            var manifest = global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            var keys = Keys(out var withKey);
            SetEncryption.Record(manifest, keys, hasDoltStores: false);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar });
            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            string path = Path.Combine(manifest.BackupFolder, archive.StoredPath);

            // The tag sits in the mac OCTET STRING just before the four closing end-of-contents markers. The manifest is
            // made to agree with the changed bytes, so only the authentication check can catch it.
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x04, 0x10 }, bytes.Skip(bytes.Length - 6 - 18).Take(2));
            bytes[bytes.Length - 6 - 5] ^= 0x01;
            File.WriteAllBytes(path, bytes);
            archive.Sha256 = Hex(SHA256.HashData(bytes));
            manifest.SessionDecryptionKeys = withKey;

            string target = dir.Combine("restored");
            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target }));
            Assert.Equal(FileCopyRestoreFailure.DecryptionFailed, e.Failure);
            Assert.Contains("failed its authentication check", e.Message);
            Assert.False(Directory.Exists(target));
            Assert.Empty(Directory.GetDirectories(dir.Path, ".restored.restore-*"));
        }

        private string EncryptFile(int size, EncryptionKeys keys)
        {
            string path = _dir.Combine("t.p7m");
            using var file = File.Create(path);
            SetEncryption.Encrypt(new MemoryStream(RandomBytes(size, size)), file, keys);
            return path;
        }

        private static Exception ReadAll(string path, EncryptionKeys keys, bool threaded, out long released)
        {
            long n = 0;
            var e = WithinTime(() => Record.Exception(() =>
            {
                using var input = File.OpenRead(path);
                using var reader = new CmsAuthEnvelopedReader(input, keys, null, "t.p7m", threaded: threaded, hashPlaintext: true);
                var buffer = new byte[100_000];
                int r;
                while ((r = reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    n += r;
                }
            }));
            released = n;
            return e;
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_flipped_byte_or_a_cut_file_fails_the_same_way_threaded_or_not(bool threaded)
        {
            var keys = Keys(out var withKey);
            string path = EncryptFile(2_000_000, keys);
            byte[] whole = File.ReadAllBytes(path);

            byte[] flipped = (byte[])whole.Clone();
            flipped[whole.Length / 2] ^= 0x40;
            File.WriteAllBytes(path, flipped);
            var e = ReadAll(path, withKey, threaded, out _);
            Assert.Contains("failed its authentication check", Assert.IsType<EncryptionException>(e).Message);

            File.WriteAllBytes(path, whole.Take(whole.Length - 40).ToArray());
            e = ReadAll(path, withKey, threaded, out _);
            Assert.IsType<EncryptionException>(e);

            File.WriteAllBytes(path, whole.Take(whole.Length / 3).ToArray());
            e = ReadAll(path, withKey, threaded, out long released);
            Assert.Contains("damaged or cut short", Assert.IsType<EncryptionException>(e).Message);
            Assert.True(released < 2_000_000);
        }

        private sealed class FailingReadStream : Stream
        {
            private readonly Stream _inner;
            private readonly long _failAt;
            public FailingReadStream(Stream inner, long failAt) { _inner = inner; _failAt = failAt; }
            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_inner.Position >= _failAt) throw new IOException("Input/output error (test)");
                return _inner.Read(buffer, offset, (int)Math.Min(count, Math.Max(1, _failAt - _inner.Position)));
            }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        [Fact]
        public void A_read_error_on_the_reading_thread_reaches_the_consumer_as_a_damaged_file()
        {
            var keys = Keys(out var withKey);
            string path = EncryptFile(2_000_000, keys);
            var e = WithinTime(() => Record.Exception(() =>
            {
                using var input = new FailingReadStream(File.OpenRead(path), 1_000_000);
                using var reader = new CmsAuthEnvelopedReader(input, withKey, null, "t.p7m", threaded: true, hashPlaintext: true);
                reader.CopyTo(Stream.Null);
            }));
            var enc = Assert.IsType<EncryptionException>(e);
            Assert.Contains("Input/output error (test)", enc.Message);
        }

        [Fact]
        public void A_reader_given_up_early_stops_its_threads_and_does_not_read_on()
        {
            var keys = Keys(out var withKey);
            string path = EncryptFile(16_000_000, keys);
            using var input = File.OpenRead(path);
            var reader = new CmsAuthEnvelopedReader(input, withKey, null, "t.p7m", threaded: true, hashPlaintext: true);
            var buffer = new byte[1000];
            Assert.Equal(1000, reader.Read(buffer, 0, buffer.Length));
            WithinTime(() => { reader.Dispose(); return 0; });
            long stoppedAt = input.Position;
            Thread.Sleep(200);
            Assert.Equal(stoppedAt, input.Position);
            Assert.True(stoppedAt < 16_000_000, "the reading thread ran to the end instead of stopping");
            Assert.Throws<InvalidOperationException>(() => reader.PlaintextSha256);
        }

        private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
