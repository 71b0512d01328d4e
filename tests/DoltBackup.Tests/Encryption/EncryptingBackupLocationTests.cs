using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.Storage;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// Encryption as a decorator on the storage seam: the same behaviour over every driver (memory, local folder,
    /// Azurite, s3rver), ciphertext at rest under key.p7m, plaintext manifests, and refusals for wrong keys and
    /// modified objects.
    /// </summary>
    public sealed class EncryptingBackupLocationTests : IDisposable
    {
        private static readonly CancellationToken None = CancellationToken.None;
        private readonly BackupLocationContractTests _drivers = new BackupLocationContractTests();

        public void Dispose() => _drivers.Dispose();

        public static System.Collections.Generic.IEnumerable<object[]> Drivers() => BackupLocationContractTests.Drivers();

        private static string Sha(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

        private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> Ops = new Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2>(() => TestKeys.NewCertificate("ops"));

        [Theory]
        [MemberData(nameof(Drivers))]
        public void What_is_stored_is_ciphertext_under_key_p7m_and_reads_back_as_the_plaintext(string driver)
        {
            var inner = _drivers.Open(driver);
            var keys = new EncryptionKeys(new[] { TestKeys.PublicOnly(Ops.Value) }, TestKeys.Secure("escrow phrase"), 1000);
            // The decorators are not disposed here: disposing one disposes the driver under it, which the next one reuses
            // (the drivers are disposed with the test).
            var location = new EncryptingBackupLocation(inner, keys);
            byte[] plain = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("CREATE USER 'app'@'%' IDENTIFIED WITH mysql_native_password AS '*72B37E3F';\n", 3000)));

            var stored = location.Put("set1/grants/grants.sql", new MemoryStream(plain), None);

            Assert.Equal("set1/grants/grants.sql", stored.Key);
            Assert.True(stored.Encrypted);
            Assert.Equal(Sha(plain), stored.PlaintextSha256);
            Assert.Equal(plain.Length, stored.PlaintextSize);
            byte[] atRest = BackupLocationContractTests.ReadAll(inner, "set1/grants/grants.sql.p7m");
            Assert.Equal(Sha(atRest), stored.Sha256);
            Assert.Equal(atRest.Length, stored.Size);
            Assert.DoesNotContain("IDENTIFIED", Encoding.ASCII.GetString(atRest));
            Assert.Null(inner.Stat("set1/grants/grants.sql", None));

            // Reading back needs a key: the certificate with its private key, or the passphrase.
            Assert.Equal(plain, BackupLocationContractTests.ReadAll(new EncryptingBackupLocation(inner, new EncryptionKeys(new[] { Ops.Value }, null)), "set1/grants/grants.sql"));
            Assert.Equal(plain, BackupLocationContractTests.ReadAll(new EncryptingBackupLocation(inner, TestKeys.Passphrase("escrow phrase")), "set1/grants/grants.sql"));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void Manifests_stay_plaintext_and_listing_shows_plaintext_keys(string driver)
        {
            var inner = _drivers.Open(driver);
            var location = new EncryptingBackupLocation(inner, TestKeys.Passphrase("pw"));
            location.Put("set1/manifest.json", new MemoryStream(Encoding.UTF8.GetBytes("{\"Id\":\"set1\"}")), None);
            location.Put("set1/config/etc/dolt/config.yaml", new MemoryStream(Encoding.UTF8.GetBytes("listener: {}")), None);

            Assert.Equal("{\"Id\":\"set1\"}", Encoding.UTF8.GetString(BackupLocationContractTests.ReadAll(inner, "set1/manifest.json")));
            var listed = location.List("set1/", None).OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { "set1/config/etc/dolt/config.yaml", "set1/manifest.json" }, listed.Select(o => o.Key));
            Assert.True(listed[0].Encrypted);
            Assert.False(listed[1].Encrypted);
            Assert.True(location.Stat("set1/config/etc/dolt/config.yaml", None).Encrypted);

            location.Delete("set1/config/etc/dolt/config.yaml", None);
            Assert.Equal(new[] { "set1/manifest.json" }, inner.List("set1/", None).Select(o => o.Key));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void A_wrong_key_or_a_changed_byte_is_refused(string driver)
        {
            var inner = _drivers.Open(driver);
            new EncryptingBackupLocation(inner, TestKeys.Passphrase("right")).Put("set1/datadir.tar.gz", new MemoryStream(new byte[200_000]), None);
            var wrongKey = Assert.Throws<EncryptionException>(() => BackupLocationContractTests.ReadAll(new EncryptingBackupLocation(inner, TestKeys.Passphrase("wrong")), "set1/datadir.tar.gz"));
            Assert.Contains("a passphrase", wrongKey.Message);
            byte[] atRest = BackupLocationContractTests.ReadAll(inner, "set1/datadir.tar.gz.p7m");
            atRest[atRest.Length / 2] ^= 0x80;
            inner.Put("set1/datadir.tar.gz.p7m", new MemoryStream(atRest), None);
            var changed = Assert.Throws<EncryptionException>(() => BackupLocationContractTests.ReadAll(new EncryptingBackupLocation(inner, TestKeys.Passphrase("right")), "set1/datadir.tar.gz"));
            Assert.Contains("authentication", changed.Message);
        }

        [Fact]
        public void Swapping_two_sets_objects_is_caught_by_the_recorded_ciphertext_hash()
        {
            // Two sets encrypted to the same key: each object opens, so the swap is caught where the manifest's
            // recorded SHA-256 of the stored (encrypted) object is checked, before any decryption.
            var inner = new MemoryBackupLocation();
            using var location = new EncryptingBackupLocation(inner, TestKeys.Passphrase("pw"));
            var a = location.Put("a/grants/grants.sql", new MemoryStream(Encoding.UTF8.GetBytes("set a")), None);
            var b = location.Put("b/grants/grants.sql", new MemoryStream(Encoding.UTF8.GetBytes("set b")), None);
            Assert.NotEqual(a.Sha256, b.Sha256); // fresh key and nonce per object: the same plaintext never gives the same ciphertext
            byte[] fromB = BackupLocationContractTests.ReadAll(inner, "b/grants/grants.sql.p7m");
            inner.Put("a/grants/grants.sql.p7m", new MemoryStream(fromB), None);
            Assert.NotEqual(a.Sha256, Sha(BackupLocationContractTests.ReadAll(inner, "a/grants/grants.sql.p7m")));
        }

        [OpenSslFact]
        public void A_user_opens_a_stored_object_with_openssl_alone()
        {
            using var dir = new TempDir();
            var location = new EncryptingBackupLocation(BackupLocations.Open(dir.Path, null), new EncryptionKeys(new[] { TestKeys.PublicOnly(Ops.Value) }, TestKeys.Secure("pw"), 1000));
            byte[] plain = Encoding.UTF8.GetBytes("listener:\n  port: 3306\n");
            location.Put("set1/config/config.yaml", new MemoryStream(plain), None);
            location.Dispose();
            var (certPem, keyPem) = TestKeys.WritePem(Ops.Value, dir.Path);
            string stored = Path.Combine(dir.Path, "set1", "config", "config.yaml.p7m");

            foreach (var args in new[] { new[] { "-recip", certPem, "-inkey", keyPem }, new[] { "-pwri_password", "pw" } })
            {
                var psi = new ProcessStartInfo("openssl") { RedirectStandardError = true };
                foreach (var a in new[] { "cms", "-decrypt", "-binary", "-inform", "DER", "-in", stored, "-out", Path.Combine(dir.Path, "out.yaml") }.Concat(args)) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi);
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, err);
                Assert.Equal(plain, File.ReadAllBytes(Path.Combine(dir.Path, "out.yaml")));
            }
        }

        [Fact]
        public void Encrypting_a_large_stream_keeps_memory_flat()
        {
            // 256 MiB through the pull-based encryptor into a counting sink: allocations stay a small multiple of the
            // 64 KiB step, whatever the size.
            var keys = TestKeys.Passphrase("pw");
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (var source = new ZeroStream(256L << 20))
            using (var encrypting = new CmsEncryptingReadStream(source, keys, new PassphraseKeyCache()))
            {
                var buffer = new byte[1 << 20];
                long total = 0;
                int n;
                while ((n = encrypting.Read(buffer, 0, buffer.Length)) > 0) total += n;
                Assert.True(total > 256L << 20);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB to encrypt 256 MiB");
        }

        private sealed class ZeroStream : Stream
        {
            private long _left;
            public ZeroStream(long length) => _left = length;
            public override int Read(byte[] buffer, int offset, int count)
            {
                int n = (int)Math.Min(count, _left);
                Array.Clear(buffer, offset, n);
                _left -= n;
                return n;
            }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => 0; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
            public override void SetLength(long v) => throw new NotSupportedException();
            public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
        }
    }
}
