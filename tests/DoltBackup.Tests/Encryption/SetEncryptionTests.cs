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

        private (BackupManifest Manifest, BackupArtifact Config, BackupArtifact Grants) EncryptedSetWithConfigAndGrants(EncryptionKeys keys)
        {
            var manifest = NewManifest();
            manifest.Destination.BackupFolder = Path.Combine(_dir, "set");
            SetEncryption.Record(manifest, keys, hasDoltStores: false);
            var config = new BackupArtifact { Kind = "ServerConfig", OriginalPath = "/etc/dolt/config.yaml", Mode = "0644" };
            SetEncryption.StoreArtifact(manifest, new MemoryStream(Encoding.UTF8.GetBytes("log_level: info\n")), manifest.BackupFolder, "config/etc/dolt/config.yaml", false, config);
            var grants = new BackupArtifact { Kind = "GrantsScript", Secret = true };
            SetEncryption.StoreArtifact(manifest, new MemoryStream(Encoding.UTF8.GetBytes("CREATE USER x;")), manifest.BackupFolder, "grants/grants.sql", true, grants);
            manifest.Artifacts.Add(config);
            manifest.Artifacts.Add(grants);
            return (manifest, config, grants);
        }

        [Fact]
        public void Configuration_files_restore_decrypted_only_with_the_key_and_nothing_is_written_without_it()
        {
            var keys = TestKeys.Passphrase("pw");
            var (manifest, config, _) = EncryptedSetWithConfigAndGrants(keys);
            Assert.Equal("config/etc/dolt/config.yaml.p7m", config.StoredPath);
            Assert.False(File.Exists(Path.Combine(manifest.BackupFolder, "config", "etc", "dolt", "config.yaml")));
            string root = Path.Combine(_dir, "root");

            var refused = new global::DoltBackup.Capture.ArtifactRestorer().Restore(manifest, new[] { config }, new global::DoltBackup.Capture.ArtifactRestoreOptions { TargetRoot = root });
            Assert.Equal(global::DoltBackup.Capture.ArtifactRestoreStatus.Refused, refused.Items.Single().Status);
            Assert.Contains("no key", refused.Items.Single().Reason);
            Assert.False(Directory.Exists(root) && Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Any());

            manifest.SessionDecryptionKeys = TestKeys.Passphrase("wrong");
            var wrong = new global::DoltBackup.Capture.ArtifactRestorer().Restore(manifest, new[] { config }, new global::DoltBackup.Capture.ArtifactRestoreOptions { TargetRoot = root });
            Assert.Equal(global::DoltBackup.Capture.ArtifactRestoreStatus.Refused, wrong.Items.Single().Status);

            manifest.SessionDecryptionKeys = keys;
            var done = new global::DoltBackup.Capture.ArtifactRestorer().Restore(manifest, new[] { config }, new global::DoltBackup.Capture.ArtifactRestoreOptions { TargetRoot = root });
            Assert.Equal(global::DoltBackup.Capture.ArtifactRestoreStatus.Restored, done.Items.Single().Status);
            Assert.Equal("log_level: info\n", File.ReadAllText(done.Items.Single().TargetPath));
        }

        [Fact]
        public void The_grants_script_is_read_decrypted_and_refused_without_or_with_a_wrong_key()
        {
            var keys = TestKeys.Passphrase("pw");
            var (manifest, _, grants) = EncryptedSetWithConfigAndGrants(keys);
            Assert.Equal("CREATE USER x;", Encoding.UTF8.GetString(global::DoltBackup.Restore.StoredArtifactReader.ReadVerified(manifest.BackupFolder, grants, keys)));
            Assert.Equal(SetEncryption.KeyRequiredErrorId,
                Assert.Throws<global::DoltBackup.Restore.RestoreEngineException>(() => global::DoltBackup.Restore.StoredArtifactReader.ReadVerified(manifest.BackupFolder, grants)).ErrorId);
            Assert.Equal("ArtifactDecryptionFailed",
                Assert.Throws<global::DoltBackup.Restore.RestoreEngineException>(() => global::DoltBackup.Restore.StoredArtifactReader.ReadVerified(manifest.BackupFolder, grants, TestKeys.Passphrase("no"))).ErrorId);
        }
    }
}
