using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Backup-DoltConfiguration and Export-DoltGrants "into a set" whose location is an object-store URL (s3://, az://,
    /// https://account.blob.core.windows.net): the artifacts are written into the set (staged in a private temporary
    /// folder, uploaded), its manifest.json updated last, under the set's lock; nothing else of the set is touched.
    /// </summary>
    public class RemoteSetArtifactTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Backup_DoltConfiguration_writes_into_a_set_in_an_object_store_manifest_last(string driver)
        {
            var (root, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string home = dir.Combine("srv", "home", ".dolt");
            string url = root + "/set-1";
            using (var location = BackupLocations.Open(root, context))
            {
                BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, "set-1"), location, "set-1", null, None);
            }
            string archiveBefore;
            using (var location = BackupLocations.Open(url, context))
            {
                archiveBefore = UploadFaultTests.ReadText(location, "data/a.tar");
            }
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -GlobalConfigDir $args[3] -Verbose",
                url, context, dir.Combine("srv", "data"), home);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var emitted = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(url, emitted.BackupFolder);
            Assert.Equal("set-1", emitted.Id);
            Assert.Contains(r.Verbose, v => v.StartsWith("Uploaded into ", StringComparison.Ordinal));
            Assert.Contains(r.Progress, p => p.Activity == "Uploading " + url);
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, UploadFaultTests.EverythingShown(r));

            using (var location = BackupLocations.Open(url, context))
            {
                var remote = RemoteSetCatalog.ReadManifest(location, "", None);
                var config = Assert.Single(remote.Artifacts, a => a.OriginalPath == Path.Combine(home, "config_global.json"));
                Assert.Equal(config.Size, location.Stat(config.StoredPath, None).Size);
                Assert.Contains(remote.Artifacts, a => a.Kind == "DataArchive");
                Assert.Equal(BackupStatus.Completed, remote.Status);
                Assert.Equal(archiveBefore, UploadFaultTests.ReadText(location, "data/a.tar"));
                Assert.Null(location.Stat(".doltbackup.lock", None));
            }
            // The set still verifies whole (every recorded SHA-256, the new files included).
            var checks = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", url, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            Assert.DoesNotContain(checks.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Status")?.GetValue(c)?.ToString() == "Failed");

            // From Get-DoltBackup on the pipeline too.
            var piped = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Backup-DoltConfiguration -StorageContext $args[1] -DataDir $args[2] -GlobalConfigDir $args[3]",
                url, context, dir.Combine("srv", "data"), home);
            Assert.True(piped.Errors.Count == 0 && piped.Terminating == null, piped.AllText());
            Assert.Equal(url, ((BackupManifest)piped.Output.Single().BaseObject).BackupFolder);
        }

        [AzuriteFact]
        public void A_set_another_writer_holds_is_refused_and_its_manifest_is_untouched()
        {
            var (root, context) = OffHostSetTests.Root("azurite");
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string url = root + "/set-1";
            using var location = BackupLocations.Open(root, context);
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, "set-1"), location, "set-1", null, None);
            string before = UploadFaultTests.ReadText(location, "set-1/manifest.json");
            using (location.TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromMinutes(5), None))
            {
                using var host = new PowerShellHost();
                var r = host.Run("Backup-DoltConfiguration -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -GlobalConfigDir $args[3]",
                    url, context, dir.Combine("srv", "data"), dir.Combine("srv", "home", ".dolt"));
                var e = Assert.Single(r.Errors);
                Assert.Equal("DoltBackup.StorageSetLocked,DoltBackup.Cmdlets.BackupDoltConfigurationCommand", e.FullyQualifiedErrorId);
                Assert.Contains("Nothing was changed", e.Exception.Message);
                Assert.Empty(r.Output);
            }
            Assert.Equal(before, UploadFaultTests.ReadText(location, "set-1/manifest.json"));
            Assert.DoesNotContain(location.List("set-1/", None), o => o.Key.StartsWith("set-1/config/", StringComparison.Ordinal));
        }
    }

    /// <summary>Export-DoltGrants into a set in an object store (grants read from MariaDB).</summary>
    [Collection("MariaDb")]
    public class RemoteSetGrantsTests
    {
        private readonly MariaDbFixture _fixture;

        public RemoteSetGrantsTests(MariaDbFixture fixture) => _fixture = fixture;

        [MariaDbFact]
        public void Export_DoltGrants_from_Get_DoltBackup_of_a_remote_set_writes_the_script_into_it_manifest_last()
        {
            DoltBackup.Tests.Grants.MariaDbAccounts.Create(_fixture.Server);
            var (root, context) = OffHostSetTests.Root("s3rver");
            using var dir = new TempDir();
            using (var location = BackupLocations.Open(root, context))
            {
                BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, "set-1"), location, "set-1", null, CancellationToken.None);
            }
            using var shell = new PowerShellHost();
            var r = shell.Run(StagedDestinationGrantsTests.CredentialFromArgs +
                "Get-DoltBackup $args[3] -StorageContext $args[4] | Export-DoltGrants -StorageContext $args[4] -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -IncludeUser 'rt_*' -Verbose",
                _fixture.Server.AdminUser, _fixture.Server.AdminPassword, _fixture.Server.Port, root + "/set-1", context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.DoesNotContain(_fixture.Server.AdminPassword, UploadFaultTests.EverythingShown(r));
            Assert.Equal(root + "/set-1", ((BackupManifest)r.Output.Single().BaseObject).BackupFolder);
            using var set = BackupLocations.Open(root + "/set-1", context);
            var remote = RemoteSetCatalog.ReadManifest(set, "", CancellationToken.None);
            var grants = Assert.Single(remote.Artifacts, a => a.StoredPath == DoltBackup.Grants.GrantsExporter.StoredPath);
            Assert.Equal(grants.Size, set.Stat(DoltBackup.Grants.GrantsExporter.StoredPath, CancellationToken.None).Size);
            Assert.Contains("rt_", UploadFaultTests.ReadText(set, DoltBackup.Grants.GrantsExporter.StoredPath));
            Assert.Equal(BackupStatus.Completed, remote.Status);
        }
    }
}
