using System;
using System.IO;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Deletes an incomplete local set folder (no manifest.json), under the set's lock, only when it still has no
    /// manifest.json and its newest file (the lock file left out) is older than the safety age. Links in it are
    /// deleted, never followed; a set folder that is itself a link, or that holds a Dolt store (possibly a set's data
    /// kept apart from its manifest.json), is left alone.
    /// </summary>
    public static class LocalIncompleteSetRemover
    {
        /// <summary>Deletes <paramref name="folder"/> when it is still an old, unlocked incomplete set (see the class).</summary>
        public static IncompleteRemoval Remove(string folder, TimeSpan minimumAge, DateTime nowUtc)
        {
            if (!Directory.Exists(folder))
            {
                return new IncompleteRemoval(IncompleteRemovalOutcome.Missing);
            }
            if (BackupCatalog.IsLink(new DirectoryInfo(folder)))
            {
                // What it holds is elsewhere: never entered, never deleted.
                return new IncompleteRemoval(IncompleteRemovalOutcome.NotAFolder);
            }
            if (BackupCatalog.IsBackupSetFolder(folder))
            {
                return new IncompleteRemoval(IncompleteRemovalOutcome.HasManifest);
            }
            int deleted;
            using (var setLock = BackupSetLock.TryAcquire(folder))
            {
                if (setLock == null)
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.Locked);
                }
                string lockFile = Path.Combine(folder, BackupSetLock.FileName);
                var files = BackupCatalog.FilesNotFollowingLinks(new DirectoryInfo(folder)).Where(f => f.FullName != lockFile).ToList();
                if (BackupCatalog.IsBackupSetFolder(folder))
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.HasManifest);
                }
                if (BackupCatalog.HoldsDoltStore(new DirectoryInfo(folder)))
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.HoldsDoltStore);
                }
                DateTime? newest = files.Count == 0 ? (DateTime?)null : files.Max(f => f.LastWriteTimeUtc);
                if (files.Count > 0 && !IncompleteRemoval.OldEnough(newest, minimumAge, nowUtc))
                {
                    return new IncompleteRemoval(IncompleteRemovalOutcome.TooYoung, 0, newest);
                }
                foreach (var f in files)
                {
                    f.Delete();
                }
                deleted = files.Count;
            }
            Directory.Delete(folder, true);
            return new IncompleteRemoval(IncompleteRemovalOutcome.Deleted, deleted + 1);
        }
    }
}
