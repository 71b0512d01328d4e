using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Manifest
{
    /// <summary>
    /// What a manifest says about its copies off the host (UploadRecord), and the upload of a set whose local manifest
    /// says an upload is under way, through the in-memory location: the local manifest is never Completed while an
    /// upload is pending or failed, the uploaded manifest.json carries no upload entries, and a sync's fresh start
    /// keeps them.
    /// </summary>
    public class UploadRecordTests
    {
        private static BackupManifest CompletedSet(string folder)
        {
            var m = new BackupManifest { Id = "20260101T000000Z-n", Name = "n", Method = BackupMethod.FileCopy, CreatedUtc = DateTime.UtcNow, Destination = { BackupFolder = folder } };
            m.Artifacts.Add(new BackupArtifact { Kind = "DataArchive", StoredPath = "data/a.tar", Size = 3 });
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            File.WriteAllText(Path.Combine(folder, "data", "a.tar"), "abc");
            ManifestStore.Write(m);
            return m;
        }

        [Fact]
        public void Pending_and_failed_uploads_keep_the_set_from_Completed_and_only_a_success_for_that_target_clears_them()
        {
            using var dir = new TempDir();
            var m = CompletedSet(dir.Path);
            Assert.Equal(BackupStatus.Completed, m.Status);

            UploadRecord.Pending(m, "s3://b/p/x");
            Assert.Equal(BackupStatus.PartiallyCompleted, m.Status);
            UploadRecord.Failed(m, "s3://b/p/x", "Access denied.");
            var entry = Assert.Single(m.Errors);
            Assert.Equal(UploadRecord.FailedErrorId, entry.ErrorId);
            Assert.Contains("Sync-DoltBackup", entry.Message);
            Assert.True(UploadRecord.OnlyUploadsMissing(m));

            UploadRecord.Pending(m, "az://a/c/x");
            UploadRecord.Succeeded(m, "az://a/c/x");
            Assert.Single(m.Errors); // the other target's failure stays
            Assert.NotEqual(BackupStatus.Completed, m.Status);

            // A sync starts afresh but the copies off the host are what they were.
            m.AddError("x", "DoltBackup.SyncFailed", "boom");
            UploadRecord.ClearErrorsKeepingUploads(m);
            Assert.Equal(UploadRecord.FailedErrorId, Assert.Single(m.Errors).ErrorId);

            UploadRecord.Succeeded(m, "s3://b/p/x/");
            Assert.Empty(m.Errors);
            Assert.Equal(BackupStatus.Completed, m.Status);
        }

        [Fact]
        public void The_uploaded_manifest_json_is_the_set_without_upload_entries_while_the_local_one_says_pending()
        {
            using var dir = new TempDir();
            var m = CompletedSet(dir.Path);
            UploadRecord.Pending(m, "memory://test/set");
            ManifestStore.Write(m);
            var store = new MemoryBackupLocation();
            BackupStatus? localDuringUpload = null;
            store.FailPut = key =>
            {
                localDuringUpload ??= ManifestStore.Read(dir.Path).Status;
                return null;
            };
            BackupSetTransfer.Publish(dir.Path, store, "set", null, CancellationToken.None, null, UploadRecord.JsonAsUploaded(m));
            Assert.Equal(BackupStatus.PartiallyCompleted, localDuringUpload);
            string uploaded = new StreamReader(store.OpenRead("set/manifest.json", CancellationToken.None), Encoding.UTF8).ReadToEnd();
            var remote = ManifestStore.FromJson(uploaded);
            Assert.Equal(BackupStatus.Completed, remote.Status);
            Assert.Empty(remote.Errors);
            Assert.Equal(uploaded.Length, store.Stat("set/manifest.json", CancellationToken.None).Size);
            Assert.Equal(BackupStatus.PartiallyCompleted, ManifestStore.Read(dir.Path).Status);
        }
    }
}
