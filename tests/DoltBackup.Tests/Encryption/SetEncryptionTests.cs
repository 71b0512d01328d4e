using System;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Encryption;
using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>The manifest's record of a set's encryption, and the seam that writes and reads a set's encrypted files.</summary>
    public class SetEncryptionTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "setenc-" + Guid.NewGuid().ToString("N"));

        public SetEncryptionTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        private static BackupManifest NewManifest() => new BackupManifest { Id = "20261203T100000Z-enc", Name = "enc", Method = BackupMethod.DoltBackup };

        [Fact]
        public void Manifest_records_recipients_with_public_certificate_and_no_secret()
        {
            var cert = TestKeys.NewCertificate("ops");
            var manifest = NewManifest();
            SetEncryption.Record(manifest, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, TestKeys.Secure("correct horse battery")), hasDoltStores: true);
            manifest.Artifacts.Add(new BackupArtifact { Kind = "GrantsScript", StoredPath = "grants/grants.sql.p7m", Encrypted = true, Size = 900, Sha256 = "aa", PlaintextSize = 100, PlaintextSha256 = "bb" });
            manifest.Artifacts.Add(new BackupArtifact { Kind = "ServerConfig", StoredPath = "config/x.yaml", Size = 5, Sha256 = "cc" });

            string json = ManifestStore.ToJson(manifest);

            Assert.DoesNotContain("correct horse", json);
            Assert.DoesNotContain("PRIVATE", json);
            var back = ManifestStore.FromJson(json);
            Assert.Equal(BackupEncryption.CmsFormat, back.Encryption.Format);
            Assert.False(back.Encryption.DoltStoresEncrypted);
            Assert.Contains("SSE-KMS", back.Encryption.DoltStoresNote);
            var certRecipient = back.Encryption.Recipients.Single(r => r.Kind == EncryptionRecipientKind.Certificate);
            Assert.Equal(cert.Thumbprint, certRecipient.Thumbprint);
            Assert.Equal(cert.RawData, Convert.FromBase64String(certRecipient.Certificate));
            Assert.Equal(EncryptionKeys.DefaultIterations, back.Encryption.Recipients.Single(r => r.Kind == EncryptionRecipientKind.Passphrase).Iterations);
            var encrypted = back.Artifacts[0];
            Assert.True(encrypted.Encrypted);
            Assert.Equal(100, encrypted.PlaintextSize);
            Assert.Equal("bb", encrypted.PlaintextSha256);
            Assert.False(back.Artifacts[1].Encrypted);
            // A plaintext artifact's JSON is as before: no encrypted/plaintext fields.
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"encrypted\""));
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"plaintextSha256\""));
        }

        [Fact]
        public void A_later_write_encrypts_to_the_recorded_certificates_without_the_user_giving_them()
        {
            var cert = TestKeys.NewCertificate("ops");
            var manifest = NewManifest();
            SetEncryption.Record(manifest, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null), hasDoltStores: false);
            var reread = ManifestStore.FromJson(ManifestStore.ToJson(manifest));
            Assert.Null(reread.SessionEncryptionKeys);

            var keys = SetEncryption.ForWriting(reread, null);
            string target = Path.Combine(_dir, "grants.sql.p7m");
            var outcome = SetEncryption.WriteFile(new MemoryStream(Encoding.UTF8.GetBytes("GRANT ALL")), target, keys);
            var artifact = new BackupArtifact { StoredPath = "grants.sql.p7m" };
            outcome.ApplyTo(artifact);

            byte[] plain = SetEncryption.DecryptVerified(File.ReadAllBytes(target), artifact, new EncryptionKeys(new[] { cert }, null));
            Assert.Equal("GRANT ALL", Encoding.UTF8.GetString(plain));
            Assert.Equal(new FileInfo(target).Length, artifact.Size);
            Assert.Equal(9, artifact.PlaintextSize);
        }

        [Fact]
        public void A_passphrase_set_refuses_a_write_without_the_passphrase()
        {
            var manifest = NewManifest();
            SetEncryption.Record(manifest, TestKeys.Passphrase("pw"), hasDoltStores: false);
            var reread = ManifestStore.FromJson(ManifestStore.ToJson(manifest));

            var e = Assert.Throws<EncryptionException>(() => SetEncryption.ForWriting(reread, null));
            Assert.Contains("-EncryptionPassphrase", e.Message);
            Assert.NotNull(SetEncryption.ForWriting(reread, TestKeys.Secure("pw")));
        }

        [Fact]
        public void Reading_without_a_key_names_the_recipients_it_needs()
        {
            var cert = TestKeys.NewCertificate("escrow");
            var manifest = NewManifest();
            SetEncryption.Record(manifest, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null), hasDoltStores: false);
            var reread = ManifestStore.FromJson(ManifestStore.ToJson(manifest));

            var e = Assert.Throws<EncryptionException>(() => SetEncryption.ForReading(reread, null, null));
            Assert.Contains(cert.Thumbprint, e.Message);
            Assert.Contains("-DecryptionCertificate", e.Message);
        }

        [Fact]
        public void A_file_swapped_in_from_another_set_with_the_same_key_is_refused()
        {
            var keys = TestKeys.Passphrase("pw");
            string a = Path.Combine(_dir, "a.p7m"), b = Path.Combine(_dir, "b.p7m");
            var artifactA = new BackupArtifact { StoredPath = "a.p7m" };
            SetEncryption.WriteFile(new MemoryStream(Encoding.UTF8.GetBytes("set A")), a, keys).ApplyTo(artifactA);
            SetEncryption.WriteFile(new MemoryStream(Encoding.UTF8.GetBytes("set B")), b, keys);

            Assert.Throws<EncryptionException>(() => SetEncryption.DecryptVerified(File.ReadAllBytes(b), artifactA, keys));
            var flipped = File.ReadAllBytes(a);
            flipped[flipped.Length - 30] ^= 1;
            Assert.Throws<EncryptionException>(() => SetEncryption.DecryptVerified(flipped, artifactA, keys));
            Assert.Throws<EncryptionException>(() => SetEncryption.DecryptVerified(File.ReadAllBytes(a), artifactA, TestKeys.Passphrase("wrong")));
        }
    }
}
