using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// An encrypted set off the host (Azurite, s3rver): only ciphertext and the manifest are uploaded; from the URL alone
    /// Test-DoltBackup checks it without a key, and Restore-DoltBackup needs the key and then restores everything.
    /// </summary>
    public class EncryptedOffHostSetTests
    {
        public static IEnumerable<object[]> Emulators() => BackupLocationContractTests.Emulators();

        [Theory]
        [MemberData(nameof(Emulators))]
        public void An_encrypted_set_copied_off_host_restores_from_the_url_with_the_key_only(string driver)
        {
            var (url, context) = Root(driver, "enc-");
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string data = dir.Combine("srv", "data");
            var cert = TestKeys.NewCertificate("ops");
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name enc -DataDir $args[0] -Path $args[1] -EncryptionCertificate $args[5] | Sync-DoltBackup -Format TarGzip -GlobalConfigDir $args[4] -CopyTo $args[2] -StorageContext $args[3]",
                data, dir.Combine("backups"), url, context, dir.Combine("srv", "home", ".dolt"), TestKeys.PublicOnly(cert));
            Assert.True(backup.Errors.Count == 0, backup.AllText());
            var local = (BackupManifest)backup.Output.Single().BaseObject;
            string expected = dir.Combine("expected");
            TempDir.CopyTree(data, expected);
            Directory.Delete(dir.Combine("backups"), recursive: true);
            Directory.Delete(dir.Combine("srv"), recursive: true);

            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List(local.Id + "/", System.Threading.CancellationToken.None).Select(o => o.Key).ToList();
                Assert.All(keys.Where(k => !k.EndsWith("/manifest.json")), k => Assert.EndsWith(".p7m", k));
            }
            string remote = url + "/" + local.Id;
            var checks = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", remote, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            Assert.DoesNotContain(checks.Output.Select(o => o.BaseObject).OfType<global::DoltBackup.Verification.VerificationResult>(), c => c.Status == global::DoltBackup.Verification.VerificationStatus.Failed);

            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var noKey = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false", remote, context, target);
            Assert.Contains(noKey.Errors, e => e.FullyQualifiedErrorId.StartsWith("DoltBackup.EncryptionKeyRequired") && e.Exception.Message.Contains(cert.Thumbprint));
            Assert.False(Directory.Exists(target));

            var restore = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -DecryptionCertificate $args[3] -IncludeConfig -ConfigRoot $args[4] -Confirm:$false",
                remote, context, target, cert, dir.Combine("config-root"));
            Assert.True(restore.Errors.Count == 0, restore.AllText());
            Assert.All(restore.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>(), g => Assert.Equal(RestoreStatus.Restored, g.Status));
            global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.AssertSameTree(expected, target);
            Assert.NotEmpty(Directory.GetFiles(dir.Combine("config-root"), "*", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(dir.Combine("config-root"), "*.p7m", SearchOption.AllDirectories));
        }
        [Theory]
        [MemberData(nameof(Emulators))]
        public void Backup_DoltConfiguration_into_an_encrypted_set_in_an_object_store_writes_only_ciphertext_that_the_key_opens(string driver)
        {
            var (url, context) = Root(driver, "encw-");
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string data = dir.Combine("srv", "data");
            string home = dir.Combine("srv", "home", ".dolt");
            var cert = TestKeys.NewCertificate("ops");
            using var host = new PowerShellHost();
            // The set goes off the host without its configuration; the configuration is written into it there later.
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name encw -DataDir $args[0] -Path $args[1] -EncryptionCertificate $args[4] | Sync-DoltBackup -Format TarGzip -SkipConfiguration -CopyTo $args[2] -StorageContext $args[3]",
                data, dir.Combine("backups"), url, context, TestKeys.PublicOnly(cert));
            Assert.True(backup.Errors.Count == 0, backup.AllText());
            string remote = url + "/" + ((BackupManifest)backup.Output.Single().BaseObject).Id;
            Directory.Delete(dir.Combine("backups"), recursive: true);

            // No key given: the public certificate recorded in the set's manifest is enough to encrypt.
            var written = host.Run("Backup-DoltConfiguration -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -GlobalConfigDir $args[3]",
                remote, context, data, home);
            Assert.True(written.Errors.Count == 0 && written.Terminating == null, written.AllText());
            using (var location = BackupLocations.Open(remote, context))
            {
                var manifest = global::DoltBackup.Storage.Sets.RemoteSetCatalog.ReadManifest(location, "", System.Threading.CancellationToken.None);
                var config = manifest.Artifacts.Where(a => a.Kind != "DataArchive" && a.Kind != "DataFile" && !string.IsNullOrEmpty(a.StoredPath)).ToList();
                Assert.NotEmpty(config);
                Assert.All(config, a =>
                {
                    Assert.True(a.Encrypted, a.StoredPath);
                    Assert.EndsWith(".p7m", a.StoredPath);
                    Assert.NotNull(a.PlaintextSha256);
                });
                Assert.All(location.List("", System.Threading.CancellationToken.None).Where(o => !o.Key.EndsWith("manifest.json")), o => Assert.EndsWith(".p7m", o.Key));
                // A global config written in clear would show its secret; the stored object is CMS ciphertext.
                var global = config.First(a => a.OriginalPath == Path.Combine(home, "config_global.json"));
                using (var stream = location.OpenRead(global.StoredPath, System.Threading.CancellationToken.None))
                {
                    Assert.Equal(0x30, stream.ReadByte()); // DER SEQUENCE of the CMS ContentInfo
                }
            }
            // The key opens every file, the recorded plaintext hashes hold; without the key the ciphertext hashes hold.
            foreach (var args in new[] { "", " -DecryptionCertificate $args[2]" })
            {
                var checks = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]" + args, remote, context, cert);
                Assert.True(checks.Errors.Count == 0, checks.AllText());
                var results = checks.Output.Select(o => o.BaseObject).OfType<global::DoltBackup.Verification.VerificationResult>().ToList();
                Assert.DoesNotContain(results, c => c.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
                if (args.Length > 0)
                {
                    Assert.Contains(results, c => c.Check == "Artifact.Decrypted" && c.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
                }
            }
        }

        /// <summary>A fresh root on the emulator: its URL and how to reach it.</summary>
        private static (string Url, StorageContext Context) Root(string driver, string prefix)
        {
            prefix += Guid.NewGuid().ToString("N").Substring(0, 8);
            if (driver == "azurite")
            {
                ObjectStoreServers.CreateContainer("backups");
                return ($"az://{ObjectStoreServers.AzuriteAccount}/backups/{prefix}", ObjectStoreServers.AzuriteContext());
            }
            return ($"s3://{ObjectStoreServers.S3Bucket}/{prefix}", ObjectStoreServers.S3rverContext());
        }
    }
}
