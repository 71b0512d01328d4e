using System;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Sync-DoltBackup for method FileCopy: under the set's lock, copies the whole data directory (proven unused: every
    /// noms/LOCK held for the whole copy, no live sql-server.info) into the set's folder with every file's SHA-256,
    /// then captures the configuration files that live outside it, and writes the manifest. A set is one point in
    /// time: a set that already holds its copy is never copied again (New-DoltBackup makes the next set).
    /// </summary>
    public static class FileCopySync
    {
        /// <summary>
        /// A FileCopy set whose destination is an object store (<paramref name="location"/>, opened on the set's
        /// <c>Destination.ObjectStoreUrl</c>): under the remote
        /// set's lock, the archive (or each Tree file) is streamed straight into the object store as it is made (never
        /// staged whole on disk); the configuration files are captured and manifest.json written in the local staging
        /// folder (<c>BackupFolder</c>); then, only when the copy completed, those small files are uploaded, manifest.json
        /// last. A failed or cut upload throws (a <see cref="Storage.StorageException"/>), leaves no archive object (or the
        /// previous one) and no manifest.json of the new set in the object store, and the local manifest records the failure.
        /// </summary>
        public static FileCopyResult SyncOffHost(BackupManifest manifest, FileCopyOptions options, DoltBackup.Capture.CaptureOptions capture, Action<string> warn,
            Storage.IBackupLocation location, Action<Storage.Sets.TransferProgress> progress, out Storage.Sets.TransferResult published)
        {
            published = null;
            using (Storage.Sets.BackupSetTransfer.AcquireSetLock(location, "", options.CancellationToken))
            {
                options.UploadTo = location;
                options.UploadSetKey = "";
                string target = manifest.Destination.ObjectStoreUrl;
                // Until the small files and manifest.json are up, the local manifest says the upload is under way.
                UploadRecord.Pending(manifest, target);
                var result = Sync(manifest, options, capture, warn);
                if (manifest.Status == BackupStatus.Completed || UploadRecord.OnlyUploadsMissing(manifest))
                {
                    try
                    {
                        published = Storage.Sets.BackupSetTransfer.PublishLocked(manifest.BackupFolder, location, "", progress, options.CancellationToken, null,
                            UploadRecord.JsonAsUploaded(manifest));
                        UploadRecord.Succeeded(manifest, target);
                        ManifestStore.Write(manifest);
                    }
                    catch (Exception e)
                    {
                        // The object store has no manifest.json of this set: the local manifest must not say Completed either.
                        UploadRecord.Failed(manifest, target, "The set's files were not all uploaded: " + e.Message);
                        ManifestStore.Write(manifest);
                        throw;
                    }
                }
                return result;
            }
        }

        /// <summary>Runs the copy. Refusals (<see cref="FileCopyRefusedException"/>) are recorded in the manifest, then rethrown.</summary>
        public static FileCopyResult Sync(BackupManifest manifest, FileCopyOptions options, DoltBackup.Capture.CaptureOptions capture, Action<string> warn)
        {
            using (var setLock = BackupSetLock.TryAcquire(manifest.BackupFolder))
            {
                if (setLock == null)
                {
                    throw new InvalidOperationException($"Another writer holds the backup set in '{manifest.BackupFolder}' ({BackupSetLock.FileName}).");
                }
                if (HoldsItsCopy(manifest))
                {
                    throw new FileCopyRefusedException(FileCopyRefusal.InvalidDataDir,
                        $"The FileCopy backup set {manifest.Id} already holds its copy: a set is one point in time. Create the next set with New-DoltBackup -Method FileCopy.");
                }
                options.DataDir = options.DataDir ?? manifest.Source?.DataDir;
                UploadRecord.ClearErrorsKeepingUploads(manifest);
                FileCopyResult result = null;
                try
                {
                    result = FileCopyBackup.Run(manifest, options);
                    return result;
                }
                finally
                {
                    if (result != null && capture != null && !options.CancellationToken.IsCancellationRequested)
                    {
                        try
                        {
                            foreach (var w in new DoltBackup.Capture.ServerFileCapture().CaptureInto(manifest, capture).Warnings)
                            {
                                warn?.Invoke(w);
                            }
                        }
                        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is DoltBackup.Common.DoltBackupException)
                        {
                            manifest.AddError(manifest.Id, "DoltBackup.CaptureFailed", "The configuration files were not captured: " + e.Message);
                            warn?.Invoke("The configuration files were not captured: " + e.Message);
                        }
                    }
                    manifest.CompletedUtc = DateTime.UtcNow;
                    ManifestStore.Write(manifest);
                }
            }
        }

        /// <summary>
        /// True when the FileCopy set already holds its copy (a set is one point in time): it completed, or only its
        /// upload off the host is missing (<see cref="UploadRecord"/>).
        /// </summary>
        public static bool HoldsItsCopy(BackupManifest manifest)
            => (manifest.Status == BackupStatus.Completed || UploadRecord.OnlyUploadsMissing(manifest)) && manifest.Artifacts.Any(a => a.Kind == FileCopyLayout.DataFileKind || a.Kind == FileCopyLayout.DataArchiveKind);
    }
}
