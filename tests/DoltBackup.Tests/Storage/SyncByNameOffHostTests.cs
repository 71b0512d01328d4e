using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Sync-DoltBackup -Name (the set rebuilt from Dolt's registrations) of a set New-DoltBackup staged for an object
    /// store: it uploads to that destination as the pipeline does; when the staging folder no longer holds the
    /// manifest naming the destination, it says so instead of silently keeping the set local.
    /// </summary>
    public class SyncByNameOffHostTests
    {
        private const string Register = "New-DoltBackup -Name nightly -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] {0}| Out-Null";
        private const string SyncByName = "Sync-DoltBackup -Name nightly -DataDir $args[0] -DoltPath /opt/dolt -StorageContext $args[1] -SkipConfiguration -Verbose";

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Sync_by_name_uploads_a_staged_set_to_its_object_store_destination(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var registered = bed.Shell.Run(string.Format(Register, ""), bed.DataDir, url, bed.Staging, context);
            Assert.True(registered.Errors.Count == 0 && registered.Terminating == null, registered.AllText());

            var r = bed.Shell.Run(SyncByName, bed.DataDir, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(url, m.Destination.ObjectStoreUrl);
            Assert.Contains(r.Verbose, v => v.StartsWith("Uploaded ", StringComparison.Ordinal));
            using var location = BackupLocations.Open(url, context);
            var remote = RemoteSetCatalog.ReadManifest(location, "", CancellationToken.None);
            Assert.Equal(BackupStatus.Completed, remote.Status);
            Assert.Equal(m.Id, remote.Id);
            Assert.Equal(bed.Engine.Databases["sales"].Branches["main"], remote.Databases.Single(d => d.Name == "sales").Branches.Single(b => b.Name == "main").Hash);
        }

        [AzuriteFact]
        public void Sync_by_name_of_a_versioned_staged_set_uploads_the_newest_version()
        {
            var (url, context) = OffHostSetTests.Root("azurite");
            using var bed = new StagedDestinationTests.Bed();
            var registered = bed.Shell.Run(string.Format(Register, "-Versioned "), bed.DataDir, url, bed.Staging, context);
            Assert.True(registered.Errors.Count == 0 && registered.Terminating == null, registered.AllText());

            var r = bed.Shell.Run(SyncByName, bed.DataDir, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.StartsWith(url + "/", m.Destination.ObjectStoreUrl);
            using var location = BackupLocations.Open(m.Destination.ObjectStoreUrl, context);
            Assert.Equal(BackupStatus.Completed, RemoteSetCatalog.ReadManifest(location, "", CancellationToken.None).Status);
        }

        [AzuriteFact]
        public void Sync_by_name_without_the_staging_manifest_says_the_destination_is_unknown()
        {
            var (url, context) = OffHostSetTests.Root("azurite");
            using var bed = new StagedDestinationTests.Bed();
            var first = bed.Backup(url, context); // staged and uploaded once: the staging folder keeps its publish record
            Assert.True(first.Errors.Count == 0 && first.Terminating == null, first.AllText());
            File.Delete(Path.Combine(bed.Staging, "manifest.json"));

            var r = bed.Shell.Run(SyncByName.Replace("nightly", "doltbackup"), bed.DataDir, context);
            Assert.Contains(r.Warnings, w => w.Contains("object-store destination") && w.Contains("New-DoltBackup"));
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Null(m.Destination.ObjectStoreUrl);
            Assert.Contains(m.Warnings, w => w.Contains("object-store destination"));
        }
    }
}
