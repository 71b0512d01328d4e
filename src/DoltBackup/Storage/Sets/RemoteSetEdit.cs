using System;
using System.IO;
using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// Writing artifacts (a grants script, configuration files) into a backup set that lives in an object store:
    /// under the set's lock (held from the read of its manifest to the upload of the new one, so no other writer's
    /// change is lost), the manifest is read into a private temporary folder, the caller writes its files there as
    /// into a local set, and <see cref="Commit"/> uploads them, then manifest.json LAST. Nothing else of the set is
    /// downloaded or touched. Until Commit, the object store holds the previous manifest.json; a failed Commit leaves
    /// it. Dispose releases the lock and deletes the folder.
    /// </summary>
    public sealed class RemoteSetEdit : IDisposable
    {
        private readonly IBackupLocation _location;
        private readonly IStorageLock _lock;

        private RemoteSetEdit(IBackupLocation location, IStorageLock setLock, string folder, BackupManifest manifest, string setUrl)
        {
            _location = location;
            _lock = setLock;
            Folder = folder;
            Manifest = manifest;
            SetUrl = setUrl;
        }

        /// <summary>The set's URL (no secret).</summary>
        public string SetUrl { get; }

        /// <summary>The local folder the caller writes into (the manifest's BackupFolder until <see cref="Commit"/>).</summary>
        public string Folder { get; }

        /// <summary>The set's manifest, read under the lock.</summary>
        public BackupManifest Manifest { get; }

        /// <summary>Locks the set at <paramref name="setUrl"/> and reads its manifest (StorageSetLocked, StorageObjectNotFound...).</summary>
        public static RemoteSetEdit Open(string setUrl, StorageContext context, CancellationToken cancellationToken)
        {
            var location = BackupLocations.Open(setUrl, context);
            IStorageLock setLock = null;
            string folder = null;
            try
            {
                setLock = BackupSetTransfer.AcquireSetLock(location, "", cancellationToken);
                var manifest = RemoteSetCatalog.ReadManifest(location, "", cancellationToken);
                folder = Path.Combine(Path.GetTempPath(), "doltbackup-edit-" + Guid.NewGuid().ToString("N").Substring(0, 12));
                Directory.CreateDirectory(folder);
                Common.OwnerOnlyFile.SetMode(folder, Convert.ToInt32("700", 8)); // grants and secrets are written here before upload
                manifest.Destination.BackupFolder = folder;
                ManifestStore.Write(manifest);
                return new RemoteSetEdit(location, setLock, folder, manifest, location.DisplayName);
            }
            catch
            {
                setLock?.Dispose();
                location.Dispose();
                TryDelete(folder);
                throw;
            }
        }

        /// <summary>
        /// Uploads what the caller wrote (only files the set lacks or holds differently), then manifest.json; the
        /// manifest's BackupFolder becomes the set's URL again.
        /// </summary>
        public TransferResult Commit(Action<TransferProgress> progress, CancellationToken cancellationToken)
        {
            ManifestStore.Write(Manifest);
            Manifest.Destination.BackupFolder = SetUrl;
            string json = ManifestStore.ToJson(Manifest);
            try
            {
                return BackupSetTransfer.PublishLocked(Folder, _location, "", progress, cancellationToken, null, json);
            }
            finally
            {
                Manifest.Destination.BackupFolder = Folder;
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Manifest.Destination.BackupFolder = SetUrl;
            _lock.Dispose();
            _location.Dispose();
            TryDelete(Folder);
        }

        private static void TryDelete(string folder)
        {
            try
            {
                if (folder != null && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
