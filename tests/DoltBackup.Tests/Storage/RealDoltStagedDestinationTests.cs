using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Issue 12 against real Dolt: a server backed up to az:// and s3:// (Azurite, s3rver) through local file://
    /// staging stores, every local trace deleted (the staging folder and the source server), and the set restored
    /// from the URL alone onto a fresh, empty server: heads and working set Verified, rows equal. Skipped where dolt is
    /// not on PATH, or where the emulator is not installed (unless DOLTBACKUP_REQUIRE_OBJECTSTORES=1); never faked.
    /// </summary>
    public class RealDoltStagedDestinationTests
    {
        private static PSCredential Root() => new PSCredential("root", new SecureString());

        [DoltWithEmulatorFact("azurite")]
        public void A_server_backed_up_to_Azure_through_staging_restores_on_an_empty_server_from_the_url_alone() => RoundTrip("azurite");

        [DoltWithEmulatorFact("s3rver")]
        public void A_server_backed_up_to_S3_through_staging_restores_on_an_empty_server_from_the_url_alone() => RoundTrip("s3rver");

        /// <summary>Issue 13: the same with -EncryptionCertificate: every uploaded store file is CMS ciphertext, the restore needs the key.</summary>
        [DoltWithEmulatorFact("s3rver")]
        public void An_encrypted_server_backup_to_S3_uploads_only_ciphertext_and_restores_with_the_key() => RoundTrip("s3rver", DoltBackup.Tests.Encryption.TestKeys.NewCertificate("ops"));

        private static void RoundTrip(string driver, System.Security.Cryptography.X509Certificates.X509Certificate2 cert = null)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir("doltbackup-real-staged");
            // Stopped below on purpose ("the host dies"); the using stops it when an assertion fails first.
            using var source = DoltBackup.Tests.Restore.RealDoltServer.Start(dir.Combine("source"));
            source.Execute("CREATE DATABASE sales");
            source.Execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200));\nINSERT INTO t VALUES (1, REPEAT('a', 200)), (2, 'b');\nCALL dolt_commit('-Am', 'init');\n"
                           + "CALL dolt_branch('dev');\nINSERT INTO t VALUES (3, 'working set')", "sales");
            var rows = source.Query("SELECT id, v FROM t ORDER BY id", "sales");
            var branches = source.Query("SELECT name, hash FROM dolt_branches ORDER BY name", "sales");
            string staging = dir.Combine("staging");
            using var host = new PowerShellHost();

            string encrypt = cert == null ? "" : " -EncryptionCertificate $args[5]";
            object recipient = cert == null ? null : DoltBackup.Tests.Encryption.TestKeys.PublicOnly(cert);
            var backup = host.Run("New-DoltBackup -Server 127.0.0.1 -Port $args[0] -Credential $args[1] -TlsMode None -Destination $args[2] -StagingPath $args[3] -StorageContext $args[4] -Database sales" + encrypt + " | Sync-DoltBackup -Verbose",
                source.Port, Root(), url, staging, context, recipient);
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            var manifest = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, manifest.Status);
            Assert.True(File.Exists(Path.Combine(staging, "sales", "manifest")), "Dolt wrote the staging store on this host");

            // A second sync of the unchanged server uploads manifest.json, plus, before Dolt 2.3.1 (issue #11488), the
            // ~712-byte .darc and the store manifest that an idle sync writes: never the data again.
            var again = host.Run("New-DoltBackup -Server 127.0.0.1 -Port $args[0] -Credential $args[1] -TlsMode None -Destination $args[2] -StagingPath $args[3] -StorageContext $args[4] -Database sales" + encrypt + " | Sync-DoltBackup -Verbose",
                source.Port, Root(), url, staging, context, recipient);
            Assert.True(again.Errors.Count == 0 && again.Terminating == null, again.AllText());
            var uploaded = again.Verbose.Single(v => v.StartsWith("Uploaded "));
            int objects = int.Parse(System.Text.RegularExpressions.Regex.Match(uploaded, @": (\d+) objects").Groups[1].Value);
            Assert.InRange(objects, 1, 3);
            if (cert != null)
            {
                Assert.True(manifest.Encryption.DoltStoresEncrypted);
                Assert.DoesNotContain(backup.Warnings, w => w.Contains("cannot encrypt"));
                using var location = DoltBackup.Storage.BackupLocations.Open(url, context);
                var keys = location.List("sales/", System.Threading.CancellationToken.None).Select(o => o.Key).ToList();
                Assert.Contains("sales/manifest.p7m", keys);
                Assert.All(keys, k => Assert.EndsWith(".p7m", k));
            }

            // The host dies.
            source.Dispose();
            Directory.Delete(staging, recursive: true);
            Directory.Delete(dir.Combine("source"), recursive: true);

            using var target = DoltBackup.Tests.Restore.RealDoltServer.Start(dir.Combine("target"));
            const string restore = "Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None -Confirm:$false";
            if (cert != null)
            {
                var noKey = host.Run(restore, url, context, target.Port, Root());
                Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.RestoreDoltBackupCommand", Assert.Single(noKey.Errors).FullyQualifiedErrorId);
                Assert.Empty(target.Query("SHOW DATABASES LIKE 'sales'"));
            }
            var r = cert == null ? host.Run(restore, url, context, target.Port, Root())
                : host.Run(restore + " -DecryptionCertificate $args[4]", url, context, target.Port, Root(), cert);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var db = r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().Single();
            Assert.Equal(RestoreStatus.Restored, db.Status);
            Assert.Equal(VerificationOutcome.Verified, db.Verification);
            Assert.Equal(rows, target.Query("SELECT id, v FROM t ORDER BY id", "sales"));
            Assert.Equal(branches, target.Query("SELECT name, hash FROM dolt_branches ORDER BY name", "sales"));
        }
    }

    /// <summary>A real-Dolt fact that also needs an object-store emulator: skipped where either is missing (the emulator
    /// only unless DOLTBACKUP_REQUIRE_OBJECTSTORES=1).</summary>
    public sealed class DoltWithEmulatorFactAttribute : FactAttribute
    {
        public DoltWithEmulatorFactAttribute(string driver)
        {
            bool installed = driver == "azurite" ? ObjectStoreServers.AzuriteInstalled : ObjectStoreServers.S3rverInstalled;
            if (ExternalTools.Dolt == null)
            {
                Skip = "dolt is not on PATH: the real-Dolt integration suite did not run.";
            }
            else if (!installed && !ObjectStoreServers.Required)
            {
                Skip = driver + " is not installed (npm ci in tests/objectstores); set DOLTBACKUP_REQUIRE_OBJECTSTORES=1 to make this a failure.";
            }
        }
    }
}
