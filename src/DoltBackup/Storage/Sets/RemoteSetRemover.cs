using System.Threading;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// Deletes one backup set from a backup location: only the objects under the set's own prefix, never another
    /// set's. Under the set's lock; manifest.json goes first, so a delete cut half-way leaves a visibly incomplete set
    /// (no manifest) rather than a manifest naming missing objects.
    /// </summary>
    public static class RemoteSetRemover
    {
        /// <summary>Deletes the set at <paramref name="set"/> (its location is the set). Returns false when a writer holds its lock.</summary>
        public static bool Remove(IBackupLocation set, CancellationToken cancellationToken, out int objectsDeleted)
        {
            objectsDeleted = 0;
            using (var setLock = BackupSetTransfer.TryAcquireSetLock(set, "", cancellationToken))
            {
                if (setLock == null)
                {
                    return false;
                }
                set.Delete(BackupManifest.FileName, cancellationToken);
                objectsDeleted++;
                foreach (var o in set.List("", cancellationToken))
                {
                    if (o.Key != BackupSetLock.FileName)
                    {
                        set.Delete(o.Key, cancellationToken);
                        objectsDeleted++;
                    }
                }
            }
            set.Delete(BackupSetLock.FileName, cancellationToken);
            return true;
        }
    }
}
