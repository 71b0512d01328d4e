using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Threading;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>Progress of a set transfer: the object, and bytes done of the total.</summary>
    public sealed class TransferProgress
    {
        internal TransferProgress(string activity, string key, long bytesDone, long bytesTotal)
        {
            Activity = activity;
            Key = key;
            BytesDone = bytesDone;
            BytesTotal = bytesTotal;
        }

        /// <summary>"Uploading" or "Downloading".</summary>
        public string Activity { get; }

        /// <summary>The object being transferred.</summary>
        public string Key { get; }

        /// <summary>Bytes transferred so far.</summary>
        public long BytesDone { get; }

        /// <summary>Bytes to transfer in all.</summary>
        public long BytesTotal { get; }
    }

    /// <summary>What a set transfer did.</summary>
    public sealed class TransferResult
    {
        /// <summary>Objects sent or received.</summary>
        public int Transferred { get; internal set; }

        /// <summary>Bytes sent or received.</summary>
        public long Bytes { get; internal set; }

        /// <summary>Objects the destination had already (same size and content: recorded, named by hash, or same MD5).</summary>
        public int Unchanged { get; internal set; }

        /// <summary>Local files read only to decide whether they changed (an unchanged re-publish reads none).</summary>
        internal int FilesRead { get; set; }
    }

    /// <summary>
    /// Moves a whole backup set between a local folder and a backup location, through the storage seam only.
    /// Publish: under the set's lock, every file except manifest.json first (only those the location lacks or holds
    /// differently), each checked as stored, then manifest.json LAST, so a set without its manifest is visibly
    /// incomplete and a failed upload leaves the previous manifest (and the set it describes) readable. Fetch: the
    /// manifest first, every object it records checked to exist with the recorded size before anything is written,
    /// then each object downloaded and checked against its recorded SHA-256, manifest.json last.
    /// </summary>
    public static class BackupSetTransfer
    {
        /// <summary>
        /// The stored paths of a FileCopy set's data: its archive, or each file of its tree (every artifact the restore
        /// unpacks); empty for any other set.
        /// </summary>
        public static HashSet<string> FileCopyDataPaths(BackupManifest manifest)
        {
            var paths = new HashSet<string>(StringComparer.Ordinal);
            if (manifest?.Method != BackupMethod.FileCopy)
            {
                return paths;
            }
            foreach (var a in manifest.Artifacts.Where(a => a != null && !string.IsNullOrEmpty(a.StoredPath)))
            {
                if (a.Kind == FileCopy.FileCopyLayout.DataArchiveKind || (a.Kind == FileCopy.FileCopyLayout.DataFileKind && string.IsNullOrEmpty(a.Archive)))
                {
                    // An archive in parts: its parts are what is stored.
                    foreach (var stored in FileCopy.ArchiveParts.StoredFiles(a).Where(s => !string.IsNullOrEmpty(s.StoredPath)))
                    {
                        paths.Add(stored.StoredPath.Replace('\\', '/'));
                    }
                }
            }
            return paths;
        }

        /// <summary>How long a writer's lock on a remote set outlives a writer that stopped renewing it.</summary>
        public static readonly TimeSpan LockStaleAfter = TimeSpan.FromMinutes(5);

        private const string DoltStoreManifest = "manifest";

        private static string LockKey(string setKey) => ObjectKey.Combine(setKey, BackupSetLock.FileName);

        /// <summary>The key prefix of the objects of the set at <paramref name="setKey"/> ("" for the location itself).</summary>
        internal static string SetPrefix(string setKey) => string.IsNullOrEmpty(setKey) ? "" : setKey + "/";

        /// <summary>
        /// Uploads the set in <paramref name="localFolder"/> to <paramref name="setKey"/> of <paramref name="location"/>,
        /// leaving out the files (paths relative to the folder, '/' separated) for which <paramref name="exclude"/> is
        /// true (files the caller stores elsewhere: a staged set's shared table files), and uploading
        /// <paramref name="manifestJson"/> (when not null) as the set's manifest.json instead of the local file (the local
        /// manifest may say that this very upload is under way: <see cref="UploadRecord"/>).
        /// </summary>
        public static TransferResult Publish(string localFolder, IBackupLocation location, string setKey, Action<TransferProgress> progress, CancellationToken cancellationToken, Func<string, bool> exclude = null, string manifestJson = null)
        {
            using (AcquireSetLock(location, setKey, cancellationToken))
            {
                return PublishLocked(localFolder, location, setKey, progress, cancellationToken, exclude, manifestJson);
            }
        }

        /// <summary>
        /// Takes the writer's lock of the set at <paramref name="setKey"/> (dispose to release), or throws
        /// StorageSetLocked when another writer holds it.
        /// </summary>
        public static IStorageLock AcquireSetLock(IBackupLocation location, string setKey, CancellationToken cancellationToken)
        {
            var setLock = TryAcquireSetLock(location, setKey, cancellationToken);
            if (setLock == null)
            {
                throw new StorageException("StorageSetLocked", ErrorCategory.ResourceBusy, StorageException.Join(location.DisplayName, setKey),
                    $"Another writer holds the lock of '{StorageException.Join(location.DisplayName, setKey)}'.",
                    $"Wait for the other backup to finish (a crashed writer's lock expires after {LockStaleAfter.TotalMinutes:0} minutes) and run again.");
            }
            return setLock;
        }

        /// <summary>
        /// Takes the writer's lock of the set at <paramref name="setKey"/> ("" for the location itself; dispose to
        /// release), or null when another writer holds it (a lock older than <see cref="LockStaleAfter"/> is taken over).
        /// </summary>
        public static IStorageLock TryAcquireSetLock(IBackupLocation location, string setKey, CancellationToken cancellationToken)
            => location.TryAcquireLock(LockKey(setKey), LockStaleAfter, cancellationToken);

        /// <summary>
        /// The upload of <see cref="Publish"/>, for a caller that holds the set's lock (<see cref="AcquireSetLock"/>).
        /// <paramref name="setObjects"/>: the set's objects as the caller listed them under the lock (else listed here);
        /// only the entries of files uploaded here (not <paramref name="exclude"/>d) are looked at.
        /// </summary>
        public static TransferResult PublishLocked(string localFolder, IBackupLocation location, string setKey, Action<TransferProgress> progress, CancellationToken cancellationToken, Func<string, bool> exclude = null, string manifestJson = null,
            IReadOnlyList<StoredObject> setObjects = null)
        {
            string manifestPath = Path.Combine(localFolder, BackupManifest.FileName);
            if (!File.Exists(manifestPath))
            {
                throw new StorageException("StorageObjectNotFound", ErrorCategory.ObjectNotFound, manifestPath,
                    $"'{localFolder}' holds no {BackupManifest.FileName}: it is not a backup set, or its backup did not finish.", "Publish a finished backup set folder.");
            }
            string root = Path.GetFullPath(localFolder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            byte[] manifestBytes = manifestJson == null ? null : new System.Text.UTF8Encoding(false).GetBytes(manifestJson);
            var remote = (setObjects ?? location.List(SetPrefix(setKey), cancellationToken)).ToDictionary(o => o.Key, StringComparer.Ordinal);
            var files = Directory.EnumerateFiles(localFolder, "*", SearchOption.AllDirectories)
                .Select(f => new { File = f, Relative = Path.GetFullPath(f).Substring(root.Length).Replace(Path.DirectorySeparatorChar, '/') })
                .Where(f => f.Relative != BackupManifest.FileName && f.Relative != BackupSetLock.FileName && f.Relative != PublishRecord.FileName)
                .Where(f => exclude == null || !exclude(f.Relative))
                // A Dolt store's own `manifest` names its table files: after them, so no reader sees it name a missing file.
                .OrderBy(f => Path.GetFileName(f.File) == DoltStoreManifest ? 1 : 0)
                .ThenBy(f => f.Relative, StringComparer.Ordinal)
                .ToList();
            long total = files.Sum(f => new FileInfo(f.File).Length) + (manifestBytes?.Length ?? new FileInfo(manifestPath).Length);
            var result = new TransferResult();
            // What the last publish to this destination sent: unchanged files are skipped without being read.
            var record = PublishRecord.Load(localFolder);
            string destination = PublishRecord.DestinationOf(location, setKey);
            if (!record.Destinations.TryGetValue(destination, out var recorded))
            {
                record.Destinations[destination] = recorded = new Dictionary<string, PublishRecord.Entry>(StringComparer.Ordinal);
            }
            var decision = new UploadSkipDecision(remote, recorded);
            decision.KeepOnly(files.Select(f => f.Relative));
            long done = 0;
            foreach (var f in files.Concat(new[] { new { File = manifestPath, Relative = BackupManifest.FileName } }))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string key = ObjectKey.Combine(setKey, f.Relative);
                var info = new FileInfo(f.File);
                bool isManifest = f.Relative == BackupManifest.FileName;
                long size = isManifest && manifestBytes != null ? manifestBytes.Length : info.Length;
                DateTime modified = info.LastWriteTimeUtc;
                if (!isManifest && decision.IsUnchanged(f.File, f.Relative, key))
                {
                    result.Unchanged++;
                    done += size;
                    continue;
                }
                progress?.Invoke(new TransferProgress("Uploading", key, done, total));
                using (var stream = isManifest && manifestBytes != null ? (Stream)new MemoryStream(manifestBytes, writable: false) : new FileStream(f.File, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
                {
                    var stored = PutChecked(location, key, stream, size, f.File, cancellationToken);
                    if (!isManifest)
                    {
                        decision.Uploaded(f.Relative, size, modified, stored);
                    }
                }
                result.Transferred++;
                result.Bytes += size;
                done += size;
            }
            result.FilesRead = decision.FilesRead;
            record.Save(localFolder);
            progress?.Invoke(new TransferProgress("Uploading", ObjectKey.Combine(setKey, BackupManifest.FileName), total, total));
            return result;
        }

        /// <summary>
        /// Stores <paramref name="content"/> (read from <paramref name="source"/>, <paramref name="size"/> bytes) at
        /// <paramref name="key"/>, or throws StorageUploadMismatch when the location stored another size.
        /// </summary>
        internal static StoredObject PutChecked(IBackupLocation location, string key, Stream content, long size, string source, CancellationToken cancellationToken)
        {
            var stored = location.Put(key, content, cancellationToken);
            if (stored.Size != size)
            {
                throw new StorageException("StorageUploadMismatch", ErrorCategory.WriteError, StorageException.Join(location.DisplayName, key),
                    $"'{StorageException.Join(location.DisplayName, key)}' was stored with {stored.Size} bytes, but '{source}' has {size}.", "Run again.");
            }
            return stored;
        }

        /// <summary>
        /// Downloads the set at <paramref name="setKey"/> into <paramref name="localFolder"/> (created; must be empty or
        /// missing) and returns its manifest, read from the downloaded copy. With <paramref name="leaveFileCopyDataRemote"/>,
        /// a FileCopy set's archive or tree files (<see cref="FileCopyDataPaths"/>) are checked to be there with their
        /// recorded sizes but not downloaded: a restore streams them (<see cref="StagedBackupSet.StreamedData"/>).
        /// </summary>
        /// <param name="manifestRead">The set's manifest.json as the caller just read it (<see cref="RemoteSetCatalog.ReadManifest"/>):
        /// it is not read again, and the copy's manifest.json is written from it.</param>
        public static BackupManifest Fetch(IBackupLocation location, string setKey, string localFolder, Action<TransferProgress> progress, CancellationToken cancellationToken,
            bool leaveFileCopyDataRemote = false, BackupManifest manifestRead = null)
            => FetchListed(location, setKey, localFolder, progress, cancellationToken, leaveFileCopyDataRemote, manifestRead, out _);

        /// <summary>
        /// <see cref="Fetch"/>, also giving the one listing of the set it checked against (<paramref name="listed"/>), for
        /// a caller that streams the objects left remote (<see cref="RemoteSetFiles"/>) without listing the set again.
        /// </summary>
        internal static BackupManifest FetchListed(IBackupLocation location, string setKey, string localFolder, Action<TransferProgress> progress, CancellationToken cancellationToken,
            bool leaveFileCopyDataRemote, BackupManifest manifestRead, out IReadOnlyCollection<StoredObject> listed)
        {
            var manifest = manifestRead ?? RemoteSetCatalog.ReadManifest(location, setKey, cancellationToken);
            var objects = location.List(SetPrefix(setKey), cancellationToken).ToDictionary(o => o.Key, StringComparer.Ordinal);
            listed = objects.Values;
            var recorded = manifest.Artifacts
                .Where(a => a.Archive == null && !string.IsNullOrEmpty(a.StoredPath) && a.Status != ItemStatus.Failed)
                .SelectMany(FileCopy.ArchiveParts.StoredFiles)
                .GroupBy(a => a.StoredPath.Replace('\\', '/'), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            // Every object the manifest records must be there, whole, before anything is written.
            foreach (var pair in recorded)
            {
                string key = ObjectKey.Combine(setKey, pair.Key);
                if (!objects.TryGetValue(key, out var stored))
                {
                    throw new StorageException("StorageObjectMissing", ErrorCategory.ObjectNotFound, StorageException.Join(location.DisplayName, key),
                        $"The manifest of '{StorageException.Join(location.DisplayName, setKey)}' records '{pair.Key}', but '{StorageException.Join(location.DisplayName, key)}' does not exist: the set is damaged.",
                        "Restore from another backup set (Get-DoltBackup lists them), and check what deleted the object.");
                }
                if (pair.Value.Size > 0 && stored.Size != pair.Value.Size)
                {
                    throw new StorageException("StorageObjectDamaged", ErrorCategory.InvalidData, StorageException.Join(location.DisplayName, key),
                        $"'{StorageException.Join(location.DisplayName, key)}' has {stored.Size} bytes, but the manifest records {pair.Value.Size}: the set is damaged.",
                        "Restore from another backup set (Get-DoltBackup lists them).");
                }
            }
            Directory.CreateDirectory(localFolder);
            string manifestKey = ObjectKey.Combine(setKey, BackupManifest.FileName);
            string prefix = SetPrefix(setKey);
            var leftRemote = leaveFileCopyDataRemote ? FileCopyDataPaths(manifest) : new HashSet<string>(StringComparer.Ordinal);
            var toFetch = objects.Values.Where(o => o.Key != manifestKey && !o.Key.EndsWith("/" + BackupSetLock.FileName, StringComparison.Ordinal) && o.Key != BackupSetLock.FileName)
                .Where(o => !leftRemote.Contains(o.Key.Substring(prefix.Length)))
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .Concat(manifestRead != null ? new StoredObject[0] : new[] { objects.TryGetValue(manifestKey, out var m) ? m : new StoredObject { Key = manifestKey } }).ToList();
            long total = toFetch.Sum(o => o.Size);
            long done = 0;
            foreach (var o in toFetch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string relative = o.Key.Substring(prefix.Length);
                string target = Path.Combine(localFolder, relative.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target));
                progress?.Invoke(new TransferProgress("Downloading", o.Key, done, total));
                string sha;
                using (var source = location.OpenRead(o.Key, cancellationToken))
                using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[81920];
                    int n;
                    while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        file.Write(buffer, 0, n);
                    }
                    sha = DigestingReadStream.Hex(hash.GetHashAndReset());
                }
                if (recorded.TryGetValue(relative, out var artifact) && !string.IsNullOrEmpty(artifact.Sha256) && !string.Equals(artifact.Sha256, sha, StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(target);
                    throw new StorageException("StorageObjectDamaged", ErrorCategory.InvalidData, StorageException.Join(location.DisplayName, o.Key),
                        $"'{StorageException.Join(location.DisplayName, o.Key)}' has SHA-256 {sha}, but the manifest records {artifact.Sha256}: the set is damaged.",
                        "Restore from another backup set (Get-DoltBackup lists them).");
                }
                done += o.Size;
            }
            if (manifestRead != null)
            {
                File.WriteAllText(Path.Combine(localFolder, BackupManifest.FileName), ManifestStore.ToJson(manifestRead), new System.Text.UTF8Encoding(false));
            }
            progress?.Invoke(new TransferProgress("Downloading", manifestKey, total, total));
            var local = ManifestStore.Read(localFolder);
            return local;
        }
    }
}
