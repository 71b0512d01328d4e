using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Common;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Deletes one backup set: under the set's own lock it unregisters the backup (with -Unregister), deletes its EBS
    /// snapshots, deletes the versioned file:// data it owns, then the backup folder, manifest.json last. Any failure
    /// before the folder goes leaves the manifest in place (so a second run can finish) and reports the set Failed.
    /// </summary>
    public sealed class BackupSetRemover
    {
        private readonly Func<BackupManifest, ISnapshotDeleter> _snapshotDeleterFor;
        private readonly Func<BackupManifest, IBackupUnregistrar> _unregistrarFor;
        private readonly bool _unregister;

        /// <summary>Creates a remover.</summary>
        /// <param name="snapshotDeleterFor">Gives the EBS snapshot deleter for a set; null (or returning null) when unavailable.</param>
        /// <param name="unregistrarFor">Gives the unregistrar for a set's server; null (or returning null) when unavailable.</param>
        /// <param name="unregister">True for -Unregister: remove the sets' backup registrations on the server too.</param>
        public BackupSetRemover(Func<BackupManifest, ISnapshotDeleter> snapshotDeleterFor, Func<BackupManifest, IBackupUnregistrar> unregistrarFor, bool unregister)
        {
            _snapshotDeleterFor = snapshotDeleterFor;
            _unregistrarFor = unregistrarFor;
            _unregister = unregister;
        }

        /// <summary>The result a decision has without deleting anything: what would be deleted and what stays.</summary>
        public BackupRemovalResult Preview(RetentionDecision decision, IEnumerable<BackupManifest> remaining) => Preview(decision, new RemainingSets(remaining));

        /// <summary>The result a decision has without deleting anything: what would be deleted and what stays.</summary>
        public BackupRemovalResult Preview(RetentionDecision decision, RemainingSets remaining)
        {
            var action = decision.Action == RetentionAction.Keep
                ? (decision.Locked ? BackupRemovalAction.Skipped : BackupRemovalAction.Kept)
                : BackupRemovalAction.Skipped;
            var result = new BackupRemovalResult(decision.Set, action, decision.Reason);
            if (decision.Action == RetentionAction.Delete)
            {
                Fill(result, BackupDataOwnership.Describe(decision.Set, remaining, _unregister));
            }
            return result;
        }

        /// <summary>
        /// Deletes <paramref name="set"/>. <paramref name="remaining"/> are the sets that stay (including those still
        /// waiting for their turn): nothing they use is touched.
        /// </summary>
        public BackupRemovalResult Remove(BackupManifest set, string reason, IEnumerable<BackupManifest> remaining, out RemovalFailure failure)
            => Remove(set, reason, new RemainingSets(remaining), out failure);

        /// <summary>
        /// Deletes <paramref name="set"/>. <paramref name="remaining"/> are the sets that stay (including those still
        /// waiting for their turn; the set itself is ignored there): nothing they use is touched. The caller removes
        /// the set from <paramref name="remaining"/> once it is Deleted.
        /// </summary>
        public BackupRemovalResult Remove(BackupManifest set, string reason, RemainingSets remaining, out RemovalFailure failure)
        {
            failure = null;
            var result = new BackupRemovalResult(set, BackupRemovalAction.Failed, reason);
            string folder = set.BackupFolder;
            if (string.IsNullOrEmpty(folder) || !File.Exists(Path.Combine(folder, BackupManifest.FileName)))
            {
                return Fail(result, out failure, "BackupSetNotFound", ErrorCategory.ObjectNotFound,
                    $"The backup set {set.Id} has no manifest.json at '{folder}'; nothing was deleted.",
                    "Read the set again with Get-DoltBackup; it may have been moved or deleted already.");
            }
            var sharer = remaining.FindPathUser(folder, set);
            if (sharer != null)
            {
                return Fail(result, out failure, "BackupFolderShared", ErrorCategory.ResourceExists,
                    $"The backup folder '{folder}' of set {set.Id} holds files that set {sharer.Id}, which stays, uses; nothing was deleted.",
                    "Keep each backup set in its own folder, with its data outside other sets' folders.");
            }

            var owned = BackupDataOwnership.Describe(set, remaining, _unregister);
            Fill(result, owned);

            ISnapshotDeleter snapshots = null;
            if (owned.SnapshotIds.Count > 0)
            {
                snapshots = _snapshotDeleterFor?.Invoke(set);
                if (snapshots == null)
                {
                    return Fail(result, out failure, "SnapshotServiceUnavailable", ErrorCategory.NotImplemented,
                        $"The set {set.Id} has EBS snapshots ({string.Join(", ", owned.SnapshotIds)}), and no EBS snapshot service is available to delete them; the set was not deleted.",
                        "Use a DoltBackup build with EBS support, or delete the snapshots with the AWS tools and then the folder.");
                }
            }
            IBackupUnregistrar unregistrar = null;
            if (owned.Registrations.Count > 0)
            {
                unregistrar = _unregistrarFor?.Invoke(set);
                if (unregistrar == null)
                {
                    return Fail(result, out failure, "UnregisterServiceUnavailable", ErrorCategory.NotImplemented,
                        $"-Unregister was given, and no server service is available to remove the registrations of set {set.Id}; the set was not deleted.",
                        "Run without -Unregister, or use a DoltBackup build with server support.");
                }
            }

            using (var setLock = BackupSetLock.TryAcquire(folder))
            {
                if (setLock == null)
                {
                    result.Action = BackupRemovalAction.Skipped;
                    result.Reason = $"a sync holds its lock ({BackupSetLock.FileName}), and a locked set is never deleted; the policy would delete it: {reason}";
                    return result;
                }
                var unregistered = new List<string>();
                foreach (var reg in owned.Registrations)
                {
                    try
                    {
                        unregistrar.Unregister(reg.Key, reg.Value);
                        unregistered.Add(reg.Key + "/" + reg.Value);
                    }
                    catch (Exception e) when (!(e is PipelineStoppedException))
                    {
                        result.Unregistered = unregistered.ToArray();
                        return Fail(result, out failure, "UnregisterFailed", ErrorCategory.WriteError,
                            $"Removing the registration '{reg.Value}' of database '{reg.Key}' for set {set.Id} failed: {e.Message}. The set was not deleted.", "Fix the server error and run Remove-DoltBackup again.", e);
                    }
                }
                foreach (var snap in set.Snapshots.Where(s => owned.SnapshotIds.Contains(s.SnapshotId)))
                {
                    try
                    {
                        snapshots.DeleteSnapshot(snap);
                    }
                    catch (Exception e) when (!(e is PipelineStoppedException))
                    {
                        return Fail(result, out failure, "SnapshotDeleteFailed", ErrorCategory.WriteError,
                            $"Deleting snapshot {snap.SnapshotId} of set {set.Id} failed: {e.Message}. The set was not deleted.", "Fix the AWS error and run Remove-DoltBackup again.", e);
                    }
                }
                foreach (string path in owned.DataPaths)
                {
                    try
                    {
                        DeleteTree(path);
                        PruneEmptyParents(path, set);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        return Fail(result, out failure, "DataDeleteFailed", ErrorCategory.WriteError,
                            $"Deleting the data of set {set.Id} at '{path}' failed: {e.Message}. The backup folder was kept.", "Free or grant access to the path and run Remove-DoltBackup again.", e);
                    }
                }
                try
                {
                    DeleteFolderContents(folder);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    return Fail(result, out failure, "FolderDeleteFailed", ErrorCategory.WriteError,
                        $"Deleting the backup folder '{folder}' of set {set.Id} failed: {e.Message}.", "Free or grant access to the folder and run Remove-DoltBackup again.", e);
                }
            }
            result.Action = BackupRemovalAction.Deleted;
            try
            {
                DeleteTree(folder);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // The manifest and data are gone; only the empty folder and its lock file remain.
                result.LeftInPlace = result.LeftInPlace.Concat(new[] { $"the emptied folder '{folder}': {e.Message}" }).ToArray();
            }
            return result;
        }

        private static void Fill(BackupRemovalResult result, OwnedData owned)
        {
            result.DataPaths = owned.DataPaths.ToArray();
            result.SnapshotIds = owned.SnapshotIds.ToArray();
            result.Unregistered = owned.Registrations.Select(r => r.Key + "/" + r.Value).ToArray();
            result.LeftInPlace = owned.LeftInPlace.ToArray();
        }

        private static BackupRemovalResult Fail(BackupRemovalResult result, out RemovalFailure failure, string errorId, ErrorCategory category, string message, string action, Exception inner = null)
        {
            failure = new RemovalFailure(errorId, category, new DoltBackupException(message, inner), action);
            result.Action = BackupRemovalAction.Failed;
            result.Reason = message;
            return result;
        }

        /// <summary>Deletes everything in the folder but the lock file; manifest.json goes last.</summary>
        private static void DeleteFolderContents(string folder)
        {
            var dir = new DirectoryInfo(folder);
            foreach (var entry in dir.EnumerateFileSystemInfos())
            {
                if (entry.Name == BackupSetLock.FileName || entry.Name == BackupManifest.FileName)
                {
                    continue;
                }
                if ((entry.Attributes & FileAttributes.Directory) != 0 && (entry.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    DeleteTree(entry.FullName);
                }
                else
                {
                    entry.Attributes = FileAttributes.Normal;
                    entry.Delete();
                }
            }
            File.Delete(Path.Combine(folder, BackupManifest.FileName));
        }

        /// <summary>
        /// Removes the folders between a deleted data path and the base URL that are now empty (the version folder; the
        /// base itself too when it is the version folder, as -Versioned records it).
        /// </summary>
        private static void PruneEmptyParents(string deletedPath, BackupManifest set)
        {
            if (!LocalPath.TryFromFileUrl(set.Destination.BaseUrl, out string basePath))
            {
                return;
            }
            if (set.Destination.Versioned && BackupDataOwnership.IsVersionFolder(basePath, BackupDataOwnership.VersionLabel(set)))
            {
                basePath = Path.GetDirectoryName(LocalPath.Normalize(basePath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
                if (basePath == null || Path.GetPathRoot(basePath) == basePath)
                {
                    return;
                }
            }
            string parent = Path.GetDirectoryName(deletedPath);
            while (parent != null && LocalPath.IsStrictlyUnder(parent, basePath) && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
                parent = Path.GetDirectoryName(parent);
            }
        }

        /// <summary>Deletes a directory tree (read-only files included); a missing path is already deleted.</summary>
        internal static void DeleteTree(string path)
        {
            var dir = new DirectoryInfo(path);
            if (!dir.Exists)
            {
                if (File.Exists(path))
                {
                    File.SetAttributes(path, FileAttributes.Normal);
                    File.Delete(path);
                }
                return;
            }
            if ((dir.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                foreach (var file in dir.EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    if ((file.Attributes & FileAttributes.ReadOnly) != 0)
                    {
                        file.Attributes = FileAttributes.Normal;
                    }
                }
            }
            dir.Delete(recursive: true);
        }
    }
}
