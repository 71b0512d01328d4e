using System;
using System.Linq;
using System.Threading;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Retention;

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

        /// <summary>
        /// Deletes the incomplete set at <paramref name="set"/> (a prefix with objects but no manifest.json): every
        /// object under its prefix, under its lock, but only when it still has no manifest.json, no writer holds the
        /// lock and its newest object (the lock object left out) is at least <paramref name="minimumAge"/> old. A
        /// prefix already empty is left alone (taking the lock would write an object there).
        /// </summary>
        public static IncompleteRemoval RemoveIncomplete(IBackupLocation set, TimeSpan minimumAge, DateTime nowUtc, CancellationToken cancellationToken)
        {
            var before = set.List("", cancellationToken);
            if (before.Count == 0)
            {
                return new IncompleteRemoval(IncompleteRemovalOutcome.Missing);
            }
            if (before.Any(o => o.Key == BackupManifest.FileName))
            {
                return new IncompleteRemoval(IncompleteRemovalOutcome.HasManifest);
            }
            int deleted = 0;
            using (var setLock = BackupSetTransfer.TryAcquireSetLock(set, "", cancellationToken))
            {
                if (setLock == null)
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.Locked);
                }
                // Looked at again under the lock: a writer may have finished in between.
                var objects = set.List("", cancellationToken).Where(o => o.Key != BackupSetLock.FileName).ToList();
                if (objects.Any(o => o.Key == BackupManifest.FileName))
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.HasManifest);
                }
                DateTime? newest = RemoteSetCatalog.NewestTime(objects);
                if (objects.Count > 0 && !IncompleteRemoval.OldEnough(newest, minimumAge, nowUtc))
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.TooYoung, 0, newest);
                }
                foreach (var o in objects)
                {
                    set.Delete(o.Key, cancellationToken);
                    deleted++;
                }
            }
            set.Delete(BackupSetLock.FileName, cancellationToken);
            return new IncompleteRemoval(IncompleteRemovalOutcome.Deleted, deleted + 1);
        }
    }
}
