using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using DoltBackup.Encryption;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// The encrypted-file format against the real tool a user has without DoltBackup: Debian's openssl decrypts what
    /// the module writes, and the module decrypts what openssl writes.
    /// </summary>
    public class CmsInteropTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir("doltbackup-cms");

        public void Dispose() => _dir.Dispose();

        private static byte[] RandomBytes(int n)
        {
            var bytes = new byte[n];
            new Random(n).NextBytes(bytes);
            return bytes;
        }

        private string EncryptWithModule(byte[] plain, EncryptionKeys keys, string name = "file.p7m")
        {
            string path = _dir.Combine(name);
            using (var file = File.Create(path))
            using (var writer = new CmsAuthEnvelopedWriter(file, keys, null))
            {
                // Odd-sized writes exercise the chunking.
                for (int offset = 0; offset < plain.Length; offset += 70001)
                {
                    writer.Write(plain, offset, Math.Min(70001, plain.Length - offset));
                }
            }
            return path;
        }

        private static byte[] DecryptWithModule(string path, EncryptionKeys keys)
        {
            using var file = File.OpenRead(path);
            using var reader = new CmsAuthEnvelopedReader(file, keys, null, Path.GetFileName(path));
            using var output = new MemoryStream();
            reader.CopyTo(output, 8191);
            Assert.True(reader.Verified);
            return output.ToArray();
        }


        [OpenSslFact]
        public void Openssl_decrypts_what_the_module_encrypts_for_a_certificate()
        {
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, keyPem) = TestKeys.WritePem(cert, _dir.Path);
            byte[] plain = RandomBytes(1_000_003);
            string encrypted = EncryptWithModule(plain, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null));

            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-recip", certPem, "-inkey", keyPem, "-out", _dir.Combine("out.bin"));

            Assert.True(code == 0, error);
            Assert.Equal(plain, File.ReadAllBytes(_dir.Combine("out.bin")));
        }

        [OpenSslFact]
        public void Openssl_decrypts_what_the_module_encrypts_for_a_passphrase()
        {
            byte[] plain = RandomBytes(300_000);
            string encrypted = EncryptWithModule(plain, TestKeys.Passphrase("correct horse battery staple"));

            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-pwri_password", "correct horse battery staple", "-out", _dir.Combine("out.bin"));

            Assert.True(code == 0, error);
            Assert.Equal(plain, File.ReadAllBytes(_dir.Combine("out.bin")));
        }

        [OpenSslFact]
        public void Every_recipient_of_one_file_opens_it_with_openssl()
        {
            var operations = TestKeys.NewCertificate("operations");
            var escrow = TestKeys.NewCertificate("escrow");
            byte[] plain = RandomBytes(4096);
            var keys = new EncryptionKeys(new[] { TestKeys.PublicOnly(operations), TestKeys.PublicOnly(escrow) }, TestKeys.Secure("pass phrase"), 1000);
            string encrypted = EncryptWithModule(plain, keys);

            foreach (var cert in new[] { operations, escrow })
            {
                var (certPem, keyPem) = TestKeys.WritePem(cert, _dir.Path);
                var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-recip", certPem, "-inkey", keyPem, "-out", _dir.Combine("o.bin"));
                Assert.True(code == 0, error);
                Assert.Equal(plain, File.ReadAllBytes(_dir.Combine("o.bin")));
            }
            var (pcode, perror) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted, "-pwri_password", "pass phrase", "-out", _dir.Combine("p.bin"));
            Assert.True(pcode == 0, perror);
            Assert.Equal(plain, File.ReadAllBytes(_dir.Combine("p.bin")));
        }

        [OpenSslFact]
        public void The_module_decrypts_what_openssl_encrypts_with_aes_gcm()
        {
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, _) = TestKeys.WritePem(cert, _dir.Path);
            byte[] plain = RandomBytes(777_777);
            File.WriteAllBytes(_dir.Combine("plain.bin"), plain);

            var (code, error) = TestKeys.OpenSsl("cms", "-encrypt", "-binary", "-aes-256-gcm", "-stream", "-outform", "DER", "-in", _dir.Combine("plain.bin"), "-out", _dir.Combine("tool.p7m"), certPem);
            Assert.True(code == 0, error);

            Assert.Equal(plain, DecryptWithModule(_dir.Combine("tool.p7m"), new EncryptionKeys(new[] { cert }, null)));
        }

        [OpenSslFact]
        public void The_module_decrypts_what_openssl_encrypts_with_rsa_oaep()
        {
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, _) = TestKeys.WritePem(cert, _dir.Path);
            byte[] plain = RandomBytes(5000);
            File.WriteAllBytes(_dir.Combine("plain.bin"), plain);

            var (code, error) = TestKeys.OpenSsl("cms", "-encrypt", "-binary", "-aes-128-gcm", "-outform", "DER", "-in", _dir.Combine("plain.bin"), "-out", _dir.Combine("tool.p7m"),
                "-recip", certPem, "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256");
            Assert.True(code == 0, error);

            Assert.Equal(plain, DecryptWithModule(_dir.Combine("tool.p7m"), new EncryptionKeys(new[] { cert }, null)));
        }

        [Fact]
        public void Round_trip_in_the_module_with_a_certificate_and_with_a_passphrase()
        {
            var cert = TestKeys.NewCertificate("ops");
            byte[] plain = RandomBytes(200_000);
            string byCert = EncryptWithModule(plain, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null), "c.p7m");
            string byPass = EncryptWithModule(plain, TestKeys.Passphrase("pw"), "p.p7m");

            Assert.Equal(plain, DecryptWithModule(byCert, new EncryptionKeys(new[] { cert }, null)));
            Assert.Equal(plain, DecryptWithModule(byPass, TestKeys.Passphrase("pw")));
            Assert.Equal(Array.Empty<byte>(), DecryptWithModule(EncryptWithModule(Array.Empty<byte>(), TestKeys.Passphrase("pw"), "empty.p7m"), TestKeys.Passphrase("pw")));
        }

        [Fact]
        public void A_wrong_certificate_or_passphrase_is_refused_and_names_the_recipients()
        {
            var cert = TestKeys.NewCertificate("right");
            var other = TestKeys.NewCertificate("wrong");
            string encrypted = EncryptWithModule(RandomBytes(1000), new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, TestKeys.Secure("pw"), 1000));

            var e1 = Assert.Throws<EncryptionException>(() => DecryptWithModule(encrypted, new EncryptionKeys(new[] { other }, null)));
            Assert.Contains("CN=right", e1.Message);
            Assert.Contains("a passphrase", e1.Message);
            Assert.Throws<EncryptionException>(() => DecryptWithModule(encrypted, TestKeys.Passphrase("not it")));
            // A certificate without its private key cannot open anything.
            Assert.Throws<EncryptionException>(() => DecryptWithModule(encrypted, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null)));
        }

        [Fact]
        public void A_flipped_byte_anywhere_in_the_content_or_tag_is_refused()
        {
            var keys = TestKeys.Passphrase("pw");
            byte[] plain = RandomBytes(300_000);
            string encrypted = EncryptWithModule(plain, keys);
            byte[] original = File.ReadAllBytes(encrypted);
            // Content bytes near the start, in the middle, and the last byte of the tag (the file ends with the tag and
            // three end-of-contents markers: 6 bytes).
            foreach (int position in new[] { original.Length / 2, original.Length - 7, 2000 })
            {
                byte[] damaged = (byte[])original.Clone();
                damaged[position] ^= 0x01;
                File.WriteAllBytes(encrypted, damaged);
                var e = Assert.Throws<EncryptionException>(() => DecryptWithModule(encrypted, keys));
                Assert.Contains("'file.p7m'", e.Message);
            }
        }

        [Fact]
        public void A_truncated_file_is_refused()
        {
            var keys = TestKeys.Passphrase("pw");
            string encrypted = EncryptWithModule(RandomBytes(300_000), keys);
            byte[] original = File.ReadAllBytes(encrypted);
            foreach (int length in new[] { 10, 400, original.Length / 2, original.Length - 20, original.Length - 1 })
            {
                File.WriteAllBytes(encrypted, original.Take(length).ToArray());
                Assert.Throws<EncryptionException>(() => DecryptWithModule(encrypted, keys));
            }
        }

        [Fact]
        public void A_file_that_is_not_encrypted_is_refused_clearly()
        {
            File.WriteAllText(_dir.Combine("plain.txt"), "CREATE USER ...");
            var e = Assert.Throws<EncryptionException>(() => DecryptWithModule(_dir.Combine("plain.txt"), TestKeys.Passphrase("pw")));
            Assert.Contains("plain.txt", e.Message);
        }

        [Fact]
        public void Small_or_non_rsa_keys_are_refused_before_anything_is_encrypted()
        {
            Assert.Throws<ArgumentException>(() => new EncryptionKeys(new[] { TestKeys.NewCertificate("small", 1024) }, null));
            Assert.Throws<ArgumentException>(() => new EncryptionKeys(null, null));
            Assert.Throws<ArgumentException>(() => new EncryptionKeys(null, new System.Security.SecureString()));
        }

        [Fact]
        public void The_manifest_description_names_the_recipients_and_never_the_passphrase()
        {
            var cert = TestKeys.NewCertificate("ops");
            var keys = new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, TestKeys.Secure("s3cret-pass"), 1000);
            var described = keys.Describe();
            Assert.Equal(2, described.Count);
            Assert.Equal(cert.Thumbprint, described[0].Thumbprint);
            Assert.Equal(EncryptionRecipientKind.Passphrase, described[1].Kind);
            Assert.Equal(1000, described[1].Iterations);
            string json = System.Text.Json.JsonSerializer.Serialize(described);
            Assert.DoesNotContain("s3cret", json);
        }
    }
}
