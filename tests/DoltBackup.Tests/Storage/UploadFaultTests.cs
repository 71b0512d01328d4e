using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Issue 12, "Bad input and faults", through the cmdlets against Azurite and s3rver: a failed upload (staged
    /// destination or -CopyTo) is recorded in the emitted manifest and the local manifest.json (an UploadFailed entry,
    /// never Completed), the object store keeps the previous set's manifest.json byte for byte, the error names the
    /// object and says to run Sync-DoltBackup again, and the next successful run marks the set Completed everywhere.
    /// No secret reaches any stream.
    /// </summary>
    public class UploadFaultTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        /// <summary>A key of the right form that is not Azurite's: requests signed with it are refused (403).</summary>
        internal static readonly string WrongAzureKey = Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)).ToArray());

        internal const string WrongS3Secret = "WrongSecretForTheTest0123456789";

        /// <summary>A context with credentials the emulator refuses, and the secret text that must appear nowhere.</summary>
        internal static (StorageContext Context, string Secret) RefusedContext(string driver) => driver == "azurite"
            ? (ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString().Replace(ObjectStoreServers.AzuriteKey, WrongAzureKey)), WrongAzureKey)
            : (ObjectStoreServers.S3rverContext(secret: WrongS3Secret, accessKey: "NOTS3RVERKEY"), WrongS3Secret);

        /// <summary>Every text a user could see: the streams, progress, and the JSON of every emitted manifest.</summary>
        internal static string EverythingShown(PowerShellResult r) => r.AllText() + "\n"
            + string.Join("\n", r.Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation)) + "\n"
            + string.Join("\n", r.Output.Select(o => o.BaseObject).OfType<BackupManifest>().Select(ManifestStore.ToJson));

        internal static string ReadText(IBackupLocation location, string key)
        {
            using var reader = new StreamReader(location.OpenRead(key, None), Encoding.UTF8);
            return reader.ReadToEnd();
        }

        private static void AssertUploadFailureRecorded(BackupManifest m, string target)
        {
            Assert.NotEqual(BackupStatus.Completed, m.Status);
            var entry = Assert.Single(m.Errors, e => e.ErrorId == UploadRecord.FailedErrorId);
            Assert.Equal(target, entry.Target);
            Assert.Contains("Sync-DoltBackup", entry.Message);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_failed_staged_upload_is_recorded_locally_and_emitted_the_previous_set_stays_and_the_next_sync_completes_it(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var first = bed.Backup(url, context);
            Assert.True(first.Errors.Count == 0 && first.Terminating == null, first.AllText());
            string previous;
            using (var location = BackupLocations.Open(url, context))
            {
                previous = ReadText(location, "manifest.json");
            }

            // New data, and credentials the service refuses: Dolt syncs into the staging stores, the upload fails.
            bed.Engine.Databases["sales"].Commit(30_000);
            var (refused, secret) = RefusedContext(driver);
            var failed = bed.Backup(url, refused);
            var e = Assert.Single(failed.Errors);
            Assert.Equal("DoltBackup.StorageAccessDenied,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains(url, e.TargetObject?.ToString());
            Assert.Contains("was not uploaded", e.Exception.Message);
            Assert.Contains("Sync-DoltBackup", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(secret, EverythingShown(failed));
            var emitted = (BackupManifest)failed.Output.Single().BaseObject;
            AssertUploadFailureRecorded(emitted, url);
            AssertUploadFailureRecorded(ManifestStore.Read(bed.Staging), url);
            Assert.DoesNotContain(secret, File.ReadAllText(Path.Combine(bed.Staging, "manifest.json")));
            using (var location = BackupLocations.Open(url, context))
            {
                Assert.Equal(previous, ReadText(location, "manifest.json"));
                Assert.Equal(BackupStatus.Completed, RemoteSetCatalog.ReadManifest(location, "", None).Status);
            }
            var listed = bed.Shell.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1]", url, context);
            Assert.True(listed.Errors.Count == 0, listed.AllText());

            // The next sync with working credentials uploads what is missing: Completed everywhere, the new head off the host.
            var again = bed.Backup(url, context);
            Assert.True(again.Errors.Count == 0 && again.Terminating == null, again.AllText());
            var done = (BackupManifest)again.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, done.Status);
            Assert.DoesNotContain(done.Errors, x => UploadRecord.IsUploadEntry(x));
            Assert.Equal(BackupStatus.Completed, ManifestStore.Read(bed.Staging).Status);
            using (var location = BackupLocations.Open(url, context))
            {
                var remote = RemoteSetCatalog.ReadManifest(location, "", None);
                Assert.Equal(BackupStatus.Completed, remote.Status);
                Assert.Empty(remote.Errors);
                Assert.Equal(bed.Engine.Databases["sales"].Branches["main"], remote.Databases.Single(d => d.Name == "sales").Branches.Single(b => b.Name == "main").Hash);
            }
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_failed_CopyTo_of_a_FileCopy_set_is_recorded_and_a_later_Sync_uploads_it_without_copying_again(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            var (refused, secret) = RefusedContext(driver);
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string data = dir.Combine("srv", "data");
            using var host = new PowerShellHost();
            var r = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -SkipConfiguration -CopyTo $args[2] -StorageContext $args[3]",
                data, dir.Combine("backups"), url, refused);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageAccessDenied,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("-CopyTo", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(secret, EverythingShown(r));
            var emitted = (BackupManifest)r.Output.Single().BaseObject;
            string target = url + "/" + emitted.Id;
            AssertUploadFailureRecorded(emitted, target);
            AssertUploadFailureRecorded(ManifestStore.Read(emitted.BackupFolder), target);
            string archive = emitted.Artifacts.Single(a => a.Kind == "DataArchive").StoredPath;
            var archiveTime = File.GetLastWriteTimeUtc(Path.Combine(emitted.BackupFolder, archive));

            // Sync-DoltBackup again: the set holds its copy (one point in time), so only the upload is done.
            var again = host.Run("Sync-DoltBackup -Path $args[0] -CopyTo $args[1] -StorageContext $args[2] -Verbose", emitted.BackupFolder, url, context);
            Assert.True(again.Errors.Count == 0 && again.Terminating == null, again.AllText());
            var done = (BackupManifest)again.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, done.Status);
            Assert.Equal(BackupStatus.Completed, ManifestStore.Read(emitted.BackupFolder).Status);
            Assert.Equal(archiveTime, File.GetLastWriteTimeUtc(Path.Combine(emitted.BackupFolder, archive)));
            using var location = BackupLocations.Open(target, context);
            var remote = RemoteSetCatalog.ReadManifest(location, "", None);
            Assert.Equal(BackupStatus.Completed, remote.Status);
            Assert.Equal(emitted.Id, remote.Id);
        }
    }
}
