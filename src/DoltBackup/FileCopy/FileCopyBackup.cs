using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// A FileCopy backup (issue 7): proves that no Dolt process uses the data dir (every database's LOCK taken and held
    /// for the whole copy; a sql-server.info whose port answers refuses), optionally runs a stop command before and a
    /// start command after (in a finally), and copies the whole data dir into the backup folder as one tar archive
    /// (optionally gzip-compressed) or as a plain tree, with the SHA-256 of every file computed in the same pass.
    /// LOCK files are stored empty, and sql-server.info is never copied.
    /// </summary>
    public static class FileCopyBackup
    {
        private const int BufferSize = 1 << 20;

        /// <summary>
        /// Runs the backup into <c>manifest.BackupFolder</c>, filling <paramref name="manifest"/> (method, source data dir,
        /// one item per database, one DataFile artifact per file plus the DataArchive, omitted files, errors). It does not
        /// write manifest.json: the caller does (ManifestStore.Write). Throws <see cref="FileCopyRefusedException"/> when a
        /// Dolt process uses the data dir (nothing copied; the manifest records the error), and rethrows any copy failure
        /// after recording it and removing the partial output.
        /// </summary>
        public static FileCopyResult Run(BackupManifest manifest, FileCopyOptions options)
        {
            if (manifest == null)
            {
                throw new ArgumentNullException(nameof(manifest));
            }
            if (options == null || string.IsNullOrEmpty(options.DataDir))
            {
                throw new ArgumentException("FileCopyOptions.DataDir is required.", nameof(options));
            }
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                throw new ArgumentException("The manifest has no backup folder.", nameof(manifest));
            }
            string dataDir = Path.GetFullPath(options.DataDir).TrimEnd(Path.DirectorySeparatorChar);
            string backupFolder = Path.GetFullPath(manifest.BackupFolder).TrimEnd(Path.DirectorySeparatorChar);
            manifest.Method = BackupMethod.FileCopy;
            manifest.Source.DataDir = dataDir;

            Exception primary = null;
            bool stopRan = false;
            try
            {
                CheckPaths(dataDir, backupFolder);
                if (options.StopCommand != null)
                {
                    stopRan = true;
                    options.Progress?.Invoke(new FileCopyProgress("Running the stop command", null, 0, 0, 0, 0));
                    options.StopCommand();
                }
                TimeSpan wait = options.StopCommand != null ? options.LockWaitAfterStop : TimeSpan.Zero;
                RefuseIfServerAnswers(dataDir, options, wait);
                using (var locks = DataDirLockSet.Acquire(dataDir, wait, options.CancellationToken))
                {
                    if (locks.Databases.Count == 0)
                    {
                        throw new FileCopyRefusedException(FileCopyRefusal.InvalidDataDir, $"'{dataDir}' holds no Dolt database (no folder with .dolt/noms).");
                    }
                    return Copy(manifest, options, dataDir, backupFolder, locks.Databases);
                }
            }
            catch (FileCopyRefusedException e)
            {
                primary = e;
                string id = e.Reason == FileCopyRefusal.DatabaseLocked ? "DoltBackup.DatabaseInUse" : e.Reason == FileCopyRefusal.ServerRunning ? "DoltBackup.ServerRunning"
                    : e.Reason == FileCopyRefusal.TooLargeToEncrypt ? "DoltBackup.TooLargeToEncrypt" : "DoltBackup.InvalidDataDir";
                manifest.AddError(e.Database ?? dataDir, id, e.Message);
                foreach (var db in manifest.Databases.Where(d => d.Status == ItemStatus.Pending || d.Status == ItemStatus.Running || d.Status == ItemStatus.Configured))
                {
                    db.Status = ItemStatus.Failed;
                    db.Error = e.Message;
                }
                throw;
            }
            catch (Exception e)
            {
                primary = e;
                if (!manifest.Errors.Any(x => x.ErrorId == "DoltBackup.FileCopyFailed" || x.ErrorId == "DoltBackup.Cancelled"))
                {
                    manifest.AddError(dataDir, e is OperationCanceledException ? "DoltBackup.Cancelled" : "DoltBackup.FileCopyFailed", "The data dir copy failed: " + e.Message);
                }
                throw;
            }
            finally
            {
                if (options.StartCommand != null && (options.StopCommand == null || stopRan))
                {
                    try
                    {
                        options.Progress?.Invoke(new FileCopyProgress("Running the start command", null, 0, 0, 0, 0));
                        options.StartCommand();
                    }
                    catch (Exception e) when (primary != null)
                    {
                        manifest.AddError("StartCommand", "DoltBackup.StartCommandFailed", "The start command failed after the copy: " + e.Message);
                    }
                    catch (Exception e)
                    {
                        manifest.AddError("StartCommand", "DoltBackup.StartCommandFailed", "The start command failed after the copy: " + e.Message);
                        throw;
                    }
                }
            }
        }

        /// <summary>
        /// -Format Tree encrypts each file on its own, as one AES-GCM stream, which cannot hold more than
        /// <see cref="FileCopyOptions.MaxEncryptedFileBytes"/> (64 GiB): a single file over that is refused before anything
        /// is written, rather than failing hours into the copy. (An archive has no such limit: it is written in parts.)
        /// </summary>
        private static void RefuseWhatCannotBeEncrypted(List<DataDirEntry> entries, FileCopyOptions options)
        {
            long limit = options.MaxEncryptedFileBytes;
            const long GiB = 1L << 30;
            if (options.Format != FileCopyFormat.Tree)
            {
                return;
            }
            var big = entries.FirstOrDefault(e => !e.IsDirectory && e.Size > limit);
            if (big != null)
            {
                throw new FileCopyRefusedException(FileCopyRefusal.TooLargeToEncrypt,
                    $"'{big.RelativePath}' holds {big.Size / (double)GiB:0.0} GiB, more than one encrypted file can hold ({limit / (double)GiB:0.0} GiB: AES-GCM's limit per key); nothing was copied. Use -Format TarGzip or Tar: an encrypted archive is written in parts.");
            }
        }

        /// <summary>
        /// The plaintext bytes per part of an encrypted archive, or 0 when it is one file: an archive that may be larger
        /// than one segment is written in parts from its first byte. The archive's size is estimated from the files (each
        /// with its 512-byte header and padding, plus a margin for long names; gzip is counted as no smaller, since Dolt's
        /// table files are compressed already).
        /// </summary>
        private static long SegmentBytesFor(List<DataDirEntry> entries, FileCopyOptions options, string dataDir)
        {
            long segment = Math.Min(FileCopyOptions.SegmentBytesOverride(dataDir) ?? options.SegmentBytes, options.MaxEncryptedFileBytes);
            long estimate = 1024 + entries.Sum(e => 1536 + (e.IsDirectory ? 0 : (e.Size + 511) / 512 * 512));
            estimate += estimate / 64;
            return estimate > segment ? segment : 0;
        }

        private static void CheckPaths(string dataDir, string backupFolder)
        {
            if (!Directory.Exists(dataDir))
            {
                throw new FileCopyRefusedException(FileCopyRefusal.InvalidDataDir, $"The data dir '{dataDir}' does not exist.");
            }
            var cmp = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (string.Equals(backupFolder, dataDir, cmp) || backupFolder.StartsWith(dataDir + Path.DirectorySeparatorChar, cmp))
            {
                throw new FileCopyRefusedException(FileCopyRefusal.InvalidDataDir, $"The backup folder '{backupFolder}' is inside the data dir '{dataDir}': choose a folder outside it.");
            }
            if (dataDir.StartsWith(backupFolder + Path.DirectorySeparatorChar, cmp))
            {
                throw new FileCopyRefusedException(FileCopyRefusal.InvalidDataDir, $"The data dir '{dataDir}' is inside the backup folder '{backupFolder}': choose another backup folder.");
            }
        }

        private static void RefuseIfServerAnswers(string dataDir, FileCopyOptions options, TimeSpan wait)
        {
            var info = SqlServerInfo.TryRead(dataDir);
            if (info == null)
            {
                return;
            }
            var deadline = DateTime.UtcNow + wait;
            while (options.ServerAnswers(info))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    string pid = info.Pid?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
                    throw new FileCopyRefusedException(FileCopyRefusal.ServerRunning,
                        $"A Dolt sql-server is running from '{dataDir}' (pid {pid}, port {info.Port}): its files change while they are copied. Stop it first (for example systemctl stop dolt, or Stop-Service), or give -StopCommand and -StartCommand.",
                        pid: info.Pid, port: info.Port);
                }
                options.CancellationToken.ThrowIfCancellationRequested();
                System.Threading.Thread.Sleep(200);
                info = SqlServerInfo.TryRead(dataDir);
                if (info == null)
                {
                    return;
                }
            }
        }

        private static FileCopyResult Copy(BackupManifest manifest, FileCopyOptions options, string dataDir, string backupFolder, List<string> databases)
        {
            var watch = Stopwatch.StartNew();
            var started = DateTime.UtcNow;
            var omitted = new List<OmittedFile>();
            var entries = DataDirScanner.Scan(dataDir, omitted);
            foreach (var o in omitted)
            {
                manifest.Omitted.RemoveAll(x => x.OriginalPath == o.OriginalPath);
                manifest.Omitted.Add(o);
            }
            Directory.CreateDirectory(backupFolder);
            string outputName = options.Format == FileCopyFormat.Tree ? FileCopyLayout.TreeFolder : options.Format == FileCopyFormat.Tar ? FileCopyLayout.TarFile : FileCopyLayout.TarGzipFile;
            var keys = manifest.Encryption == null ? null
                : manifest.SessionEncryptionKeys ?? throw new Encryption.EncryptionException($"The backup set '{manifest.Id}' is encrypted but no key to encrypt to is at hand; nothing was copied.");
            long segmentBytes = 0; // > 0: the encrypted archive is written in parts of this many plaintext bytes
            if (keys != null)
            {
                if (options.Format != FileCopyFormat.Tree)
                {
                    outputName += manifest.Encryption.FileSuffix;
                    segmentBytes = SegmentBytesFor(entries, options, dataDir);
                }
                RefuseWhatCannotBeEncrypted(entries, options);
            }
            // Off the host: the archive (or each tree file) goes straight to the object store; nothing of it lands here.
            var upload = options.UploadTo;
            string setKey = options.UploadSetKey ?? "";
            string uploadKey = upload == null ? null : Storage.ObjectKey.Combine(setKey, outputName);
            string output = upload == null ? Path.Combine(backupFolder, outputName) : Storage.StorageException.Join(upload.DisplayName, uploadKey);
            string partial = output + ".partial";
            if (upload == null && !options.Overwrite && (File.Exists(output) || Directory.Exists(output) || File.Exists(Path.Combine(backupFolder, ArchiveParts.PartName(outputName, 1)))))
            {
                throw new IOException($"'{output}' already exists in the backup folder: it holds an earlier copy, which is not replaced. Create a new backup set (New-DoltBackup -Method FileCopy).");
            }
            if (upload != null && (upload.Stat(uploadKey, options.CancellationToken) != null || upload.List(uploadKey + "/", options.CancellationToken).Count > 0
                || (options.Format != FileCopyFormat.Tree && upload.Stat(Storage.ObjectKey.Combine(setKey, ArchiveParts.PartName(outputName, 1)), options.CancellationToken) != null)))
            {
                if (!options.Overwrite)
                {
                    throw new IOException($"'{output}' already exists in the object store: it holds an earlier copy, which is not replaced. Create a new backup set (New-DoltBackup -Method FileCopy).");
                }
                // -Force over a set in the object store: the new archive (its parts, the tree's files) takes the names of
                // the earlier set's, and an object store cannot rename. The earlier manifest.json goes first, so the set
                // is visibly incomplete (no manifest) until the new one lands, never a manifest naming changed bytes; a
                // run that fails or is killed leaves objects under the set's prefix and no manifest.json.
                upload.Delete(Storage.ObjectKey.Combine(setKey, BackupManifest.FileName), options.CancellationToken);
            }
            var items = new Dictionary<string, DatabaseBackupItem>(StringComparer.Ordinal);
            foreach (var name in databases)
            {
                var item = manifest.FindDatabase(name);
                if (item == null)
                {
                    item = new DatabaseBackupItem { Name = name };
                    manifest.Databases.Add(item);
                }
                item.Status = ItemStatus.Running;
                item.Error = null;
                item.StartedUtc = started;
                items[name] = item;
            }
            manifest.Artifacts.RemoveAll(a => a.Kind == FileCopyLayout.DataFileKind || a.Kind == FileCopyLayout.DataArchiveKind);

            if (upload == null)
            {
                DeletePath(partial);
            }

            var artifacts = new List<BackupArtifact>();
            long totalBytes = entries.Where(e => !e.IsDirectory && !e.IsLockFile).Sum(e => e.Size);
            var result = new FileCopyResult { OutputPath = output, Format = options.Format, Databases = databases.ToList() };
            var parts = segmentBytes <= 0 ? null
                : upload == null ? (PartTarget)new LocalParts(backupFolder, options.Move) : new UploadedParts(upload, setKey, options.CancellationToken);
            try
            {
                if (options.Format == FileCopyFormat.Tree && upload != null)
                {
                    UploadTree(entries, upload, uploadKey, artifacts, options, totalBytes, result, keys);
                }
                else if (options.Format == FileCopyFormat.Tree)
                {
                    CopyTree(entries, partial, artifacts, options, totalBytes, result, keys);
                }
                else
                {
                    var archive = CopyToTar(entries, partial, outputName, options.Format == FileCopyFormat.TarGzip, artifacts, options, totalBytes, result, keys,
                        parts == null ? upload : null, uploadKey, parts, segmentBytes);
                    artifacts.Insert(0, archive);
                }
                if (parts != null)
                {
                    // In parts: each renamed (or already stored) under its own name; what an earlier, longer archive of
                    // this name left (a single file, or parts beyond the last) goes, so no stray part follows the last.
                    parts.Publish(outputName);
                    result.OutputPath = parts.Display(ArchiveParts.PartName(outputName, 1));
                }
                else if (upload == null)
                {
                    // One file (or the tree) now: it replaces what an earlier run of this name left (-Force), the parts
                    // of an earlier, larger encrypted archive too; until it is in place, the earlier one stays whole.
                    var stale = keys != null && options.Format != FileCopyFormat.Tree ? new LocalParts(backupFolder, options.Move).StaleFiles(outputName) : Enumerable.Empty<string>();
                    FolderReplace.Run(new[] { (partial, output) }, stale, options.Move);
                }
                else if (keys != null && options.Format != FileCopyFormat.Tree && options.Overwrite)
                {
                    // One object now: the parts of an earlier, larger archive of this name (-Force) go, as in a backup folder.
                    new UploadedParts(upload, setKey, options.CancellationToken).Publish(outputName);
                }
            }
            catch (Exception e)
            {
                if (upload == null)
                {
                    DeletePath(partial);
                }
                parts?.RemoveWritten();
                foreach (var item in items.Values)
                {
                    item.Status = ItemStatus.Failed;
                    item.Error = e.Message;
                    item.CompletedUtc = DateTime.UtcNow;
                }
                manifest.AddError(dataDir, e is OperationCanceledException ? "DoltBackup.Cancelled" : "DoltBackup.FileCopyFailed", "The data dir copy failed: " + e.Message);
                throw;
            }
            manifest.Artifacts.AddRange(artifacts);
            var finished = DateTime.UtcNow;
            foreach (var item in items.Values)
            {
                item.Status = ItemStatus.Completed;
                item.CompletedUtc = finished;
                item.DurationMs = watch.ElapsedMilliseconds;
                item.Bytes = entries.Where(e => !e.IsDirectory && e.Database == item.Name && !e.IsLockFile).Sum(e => e.Size);
            }
            result.Duration = watch.Elapsed;
            return result;
        }

        private static BackupArtifact NewArtifact(DataDirEntry e, string storedPath, string archive, long size, string sha)
            => new BackupArtifact
            {
                Kind = FileCopyLayout.DataFileKind,
                Database = e.Database,
                OriginalPath = e.FullPath,
                StoredPath = storedPath,
                Archive = archive,
                Size = size,
                Sha256 = sha,
                Mode = e.Mode.HasValue ? "0" + Convert.ToString(e.Mode.Value & 0xfff, 8) : null,
                Secret = e.Secret,
                Status = ItemStatus.Completed,
            };

        private static BackupArtifact CopyToTar(List<DataDirEntry> entries, string partial, string outputName, bool gzip, List<BackupArtifact> artifacts,
            FileCopyOptions options, long totalBytes, FileCopyResult result, Encryption.EncryptionKeys keys, Storage.IBackupLocation upload, string uploadKey,
            PartTarget parts, long segmentBytes)
        {
            // To an object store: the archive streams into the upload as it is made (bounded memory, nothing on disk).
            var streamed = upload == null ? null : new Storage.StreamedUpload(upload, uploadKey, options.CancellationToken);
            try
            {
                var archive = WriteTar(entries, partial, outputName, gzip, artifacts, options, totalBytes, result, keys, streamed, parts, segmentBytes);
                if (streamed != null)
                {
                    // The driver hashed every byte it sent: that SHA-256 (of the stored, maybe encrypted, archive) is recorded.
                    var stored = streamed.Complete();
                    archive.Size = stored.Size;
                    archive.Sha256 = stored.Sha256;
                }
                return archive;
            }
            catch (Exception) when ((streamed?.Failure ?? parts?.Failure) != null)
            {
                // The upload failed (service, network, cut transfer): report that, not the broken pipe the writer saw.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(streamed?.Failure ?? parts.Failure).Throw();
                throw;
            }
            finally
            {
                streamed?.Dispose(); // not completed: abandoned, so the driver stores nothing under the key
            }
        }

        private static BackupArtifact WriteTar(List<DataDirEntry> entries, string partial, string outputName, bool gzip, List<BackupArtifact> artifacts,
            FileCopyOptions options, long totalBytes, FileCopyResult result, Encryption.EncryptionKeys keys, Storage.StreamedUpload streamed,
            PartTarget parts, long segmentBytes)
        {
            long done = 0;
            Encryption.SetEncryption.ArchiveEncryptor encryptor = null;
            ArchiveParts.PartsWriter partsWriter = null;
            List<ArchivePart> written = null;
            string archivePlainSha = null;
            long archivePlainSize = 0;
            int files = entries.Count(e => !e.IsDirectory);
            int filesDone = 0;
            string archiveSha;
            long archiveSize;
            // The archive holds privileges.db and maybe keys: owner-only from its first byte.
            using (var file = parts != null ? null : streamed?.Writer ?? OwnerOnlyFile.Create(partial, ownerOnly: true))
            using (var hashed = parts != null ? null : new HashingStream(file, leaveOpen: true, hash: streamed == null && options.HashArchive && keys == null))
            try
            {
                // Encrypted sets: the archive passes once through the encryptor on its way to the file (no second pass);
                // the encryptor hashes the ciphertext (and, with HashArchive, the plaintext) itself, on threads of its own.
                Stream archiveStream = hashed;
                if (parts != null)
                {
                    // Larger than one segment: encrypted part after part, each a standalone file (or object).
                    partsWriter = ArchiveParts.StartWriting(outputName, segmentBytes, keys, parts, options.HashArchive);
                    archiveStream = partsWriter;
                }
                else if (keys != null)
                {
                    encryptor = Encryption.SetEncryption.StartArchive(hashed, keys, options.HashArchive);
                    archiveStream = encryptor.Plaintext;
                }
                Stream sink = gzip ? new GZipStream(archiveStream, CompressionLevel.Fastest, leaveOpen: true) : archiveStream;
                // The encryptor gathers its own 1 MiB blocks: a buffer in front of it would only copy each byte once more.
                Stream bufferedSink = keys != null && !gzip ? sink : new BufferedStream(sink, BufferSize);
                try
                {
                    using (var pipe = new TarPipeline(bufferedSink, BufferSize))
                    using (var hasher = new Sha256Hasher())
                    {
                        foreach (var e in entries)
                        {
                            options.CancellationToken.ThrowIfCancellationRequested();
                            if (e.IsDirectory)
                            {
                                pipe.Directory(e.RelativePath, e.Mode ?? 0x1ed, e.ModifiedUtc);
                                continue;
                            }
                            options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", e.RelativePath, filesDone, files, done, totalBytes));
                            long length = 0;
                            if (e.IsLockFile)
                            {
                                pipe.BeginFile(e.RelativePath, 0, e.Mode ?? 0x180, e.ModifiedUtc);
                            }
                            else
                            {
                                using (var src = OpenSource(e.FullPath))
                                {
                                    long size = src.Length;
                                    pipe.BeginFile(e.RelativePath, size, e.Mode ?? 0x1a4, e.ModifiedUtc);
                                    while (length < size)
                                    {
                                        byte[] buffer = pipe.RentBuffer();
                                        int n = src.Read(buffer, 0, (int)Math.Min(buffer.Length, size - length));
                                        if (n <= 0)
                                        {
                                            throw new IOException($"'{e.FullPath}' became shorter while it was copied ({length} of {size} bytes).");
                                        }
                                        hasher.Append(buffer, 0, n);
                                        pipe.Data(buffer, n);
                                        length += n;
                                        done += n;
                                        if (n == buffer.Length)
                                        {
                                            options.CancellationToken.ThrowIfCancellationRequested();
                                            options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", e.RelativePath, filesDone, files, done, totalBytes));
                                        }
                                    }
                                }
                            }
                            pipe.EndFile();
                            artifacts.Add(NewArtifact(e, e.RelativePath, outputName, length, hasher.FinishHex()));
                            filesDone++;
                            result.Files++;
                            result.Bytes += length;
                        }
                        pipe.Complete();
                    }
                    bufferedSink.Flush();
                }
                finally
                {
                    // BufferedStream disposes what it wraps: the gzip stream (which writes its trailer into the hashed
                    // stream, left open); without gzip only flush, so the hashed stream survives to give its digest.
                    if (ReferenceEquals(sink, archiveStream))
                    {
                        bufferedSink.Flush();
                    }
                    else
                    {
                        bufferedSink.Dispose();
                    }
                }
                if (partsWriter != null)
                {
                    (written, archivePlainSize, archivePlainSha) = partsWriter.Complete();
                    archiveSize = written.Sum(p => p.Size);
                    archiveSha = null; // each part has its own
                }
                else
                {
                    encryptor?.Finish();
                    hashed.Flush();
                    (file as FileStream)?.Flush(true);
                    archiveSize = encryptor?.CiphertextSize ?? hashed.BytesHashed;
                    archiveSha = encryptor != null ? encryptor.CiphertextSha256 : hashed.FinishHex();
                }
            }
            finally
            {
                // Stops the encryptor's threads when the copy failed (after Finish it has nothing left to do).
                encryptor?.Dispose();
                partsWriter?.Dispose();
            }
            options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", null, filesDone, files, done, totalBytes));
            return new BackupArtifact
            {
                Encrypted = encryptor != null || written != null,
                PlaintextSize = written != null ? archivePlainSize : encryptor?.PlaintextSize,
                PlaintextSha256 = written != null ? archivePlainSha : encryptor?.PlaintextSha256,
                Parts = written,
                Kind = FileCopyLayout.DataArchiveKind,
                StoredPath = outputName,
                OriginalPath = null,
                Size = archiveSize,
                Sha256 = archiveSha,
                Mode = "0600",
                Secret = true,
                Status = ItemStatus.Completed,
            };
        }

        private static void CopyTree(List<DataDirEntry> entries, string partial, List<BackupArtifact> artifacts, FileCopyOptions options, long totalBytes, FileCopyResult result,
            Encryption.EncryptionKeys keys)
        {
            var buffer = new byte[BufferSize];
            long done = 0;
            int files = entries.Count(e => !e.IsDirectory);
            int filesDone = 0;
            Directory.CreateDirectory(partial);
            OwnerOnlyFile.SetMode(partial, Convert.ToInt32("700", 8));
            using (var hasher = new Sha256Hasher())
            {
                foreach (var e in entries)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    string target = Path.Combine(partial, e.RelativePath.Replace('/', Path.DirectorySeparatorChar));
                    if (e.IsDirectory)
                    {
                        Directory.CreateDirectory(target);
                        continue;
                    }
                    options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", e.RelativePath, filesDone, files, done, totalBytes));
                    if (keys != null)
                    {
                        // Encrypted set: each file straight into its own .p7m, in one pass.
                        var outcome = CopyEncrypted(e, target + Encryption.EncryptingBackupLocation.Suffix, keys);
                        var encrypted = NewArtifact(e, FileCopyLayout.TreeFolder + "/" + e.RelativePath + Encryption.EncryptingBackupLocation.Suffix, null, 0, null);
                        outcome.ApplyTo(encrypted);
                        artifacts.Add(encrypted);
                        done += outcome.PlaintextSize;
                        filesDone++;
                        result.Files++;
                        result.Bytes += outcome.PlaintextSize;
                        continue;
                    }
                    long length = 0;
                    using (var dst = OwnerOnlyFile.Create(target, ownerOnly: true))
                    {
                        if (!e.IsLockFile)
                        {
                            using (var src = OpenSource(e.FullPath))
                            {
                                int n;
                                while ((n = src.Read(buffer, 0, buffer.Length)) > 0)
                                {
                                    hasher.Append(buffer, 0, n);
                                    dst.Write(buffer, 0, n);
                                    length += n;
                                    done += n;
                                    if (n == buffer.Length)
                                    {
                                        options.CancellationToken.ThrowIfCancellationRequested();
                                        options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", e.RelativePath, filesDone, files, done, totalBytes));
                                    }
                                }
                            }
                        }
                        dst.Flush(true);
                    }
                    File.SetLastWriteTimeUtc(target, e.ModifiedUtc);
                    artifacts.Add(NewArtifact(e, FileCopyLayout.TreeFolder + "/" + e.RelativePath, null, length, hasher.FinishHex()));
                    filesDone++;
                    result.Files++;
                    result.Bytes += length;
                }
            }
            options.Progress?.Invoke(new FileCopyProgress("Copying the data dir", null, filesDone, files, done, totalBytes));
        }

        /// <summary>
        /// Tree to an object store: each file is its own object under &lt;set&gt;/datadir/, read from the data dir and
        /// sent as it is read (encrypted on the way to its .p7m object for an encrypted set, through
        /// <see cref="Encryption.EncryptingBackupLocation"/>), its SHA-256 computed by the upload. Directories need no object.
        /// </summary>
        private static void UploadTree(List<DataDirEntry> entries, Storage.IBackupLocation upload, string treeKey, List<BackupArtifact> artifacts,
            FileCopyOptions options, long totalBytes, FileCopyResult result, Encryption.EncryptionKeys keys)
        {
            var target = keys == null ? upload : new Encryption.EncryptingBackupLocation(upload, keys);
            long done = 0;
            int files = entries.Count(e => !e.IsDirectory);
            int filesDone = 0;
            foreach (var e in entries.Where(x => !x.IsDirectory))
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                options.Progress?.Invoke(new FileCopyProgress("Uploading the data dir", e.RelativePath, filesDone, files, done, totalBytes));
                Storage.StoredObject stored;
                using (var src = OpenEntry(e))
                {
                    stored = target.Put(Storage.ObjectKey.Combine(treeKey, e.RelativePath), src, options.CancellationToken);
                }
                long length = keys == null ? stored.Size : stored.PlaintextSize ?? 0;
                string suffix = keys == null ? "" : Encryption.EncryptingBackupLocation.Suffix;
                var artifact = NewArtifact(e, FileCopyLayout.TreeFolder + "/" + e.RelativePath + suffix, null, stored.Size, stored.Sha256);
                if (keys != null)
                {
                    artifact.Encrypted = true;
                    artifact.PlaintextSize = stored.PlaintextSize;
                    artifact.PlaintextSha256 = stored.PlaintextSha256;
                }
                artifacts.Add(artifact);
                done += length;
                filesDone++;
                result.Files++;
                result.Bytes += length;
            }
            options.Progress?.Invoke(new FileCopyProgress("Uploading the data dir", null, filesDone, files, done, totalBytes));
        }

        /// <summary>Where the parts of an encrypted archive go, and how they are published or taken back.</summary>
        private abstract class PartTarget : ArchiveParts.IPartTarget
        {
            protected readonly List<string> Written = new List<string>();

            public abstract Stream Open(string storedName);
            public abstract Storage.StoredObject Complete(string storedName, Stream output);
            public abstract void Abandon(string storedName, Stream output);

            /// <summary>The upload's own failure, when a part's upload failed.</summary>
            public virtual Exception Failure => null;

            /// <summary>Where a stored part is, for the user.</summary>
            public abstract string Display(string storedName);

            /// <summary>Makes the written parts the archive's, removing what an earlier archive of the name left.</summary>
            public abstract void Publish(string encryptedName);

            /// <summary>After a failure: removes every part this run wrote.</summary>
            public abstract void RemoveWritten();

            /// <summary>A stored name that belongs to the archive <paramref name="encryptedName"/> (its single file or any part) but is not one just written.</summary>
            protected bool IsStale(string encryptedName, string storedName)
            {
                if (Written.Contains(storedName))
                {
                    return false;
                }
                if (storedName == encryptedName)
                {
                    return Written.Count > 0; // an archive in parts replaces the single file; a single file keeps itself
                }
                return ArchiveParts.IsPartName(encryptedName, storedName);
            }
        }

        /// <summary>Parts as files of the backup folder: each written as &lt;name&gt;.partial (owner-only), renamed at the end.</summary>
        private sealed class LocalParts : PartTarget
        {
            private readonly string _folder;
            private readonly Action<string, string> _move;

            public LocalParts(string folder, Action<string, string> move)
            {
                _folder = folder;
                _move = move;
            }

            private string PathOf(string storedName) => Path.Combine(_folder, storedName);

            public override string Display(string storedName) => PathOf(storedName);

            public override Stream Open(string storedName)
            {
                Written.Add(storedName);
                return OwnerOnlyFile.Create(PathOf(storedName) + ".partial", ownerOnly: true);
            }

            public override Storage.StoredObject Complete(string storedName, Stream output)
            {
                (output as FileStream)?.Flush(true);
                output.Dispose();
                return null;
            }

            public override void Abandon(string storedName, Stream output) => output.Dispose();

            /// <summary>The files of the folder that an earlier archive of the name left and the written ones do not replace.</summary>
            public IEnumerable<string> StaleFiles(string encryptedName)
                => Directory.GetFiles(_folder).Select(Path.GetFileName).Where(n => IsStale(encryptedName, n)).Select(PathOf).ToList();

            public override void Publish(string encryptedName)
            {
                // Until every new part is in place, the earlier archive (single file or parts) stays whole (FolderReplace).
                FolderReplace.Run(Written.Select(n => (PathOf(n) + ".partial", PathOf(n))).ToList(), StaleFiles(encryptedName), _move);
            }

            public override void RemoveWritten()
            {
                foreach (var name in Written)
                {
                    DeletePath(PathOf(name) + ".partial");
                }
            }
        }

        /// <summary>
        /// Parts streamed straight into an object store, each its own object (its own streamed upload, stored only once
        /// complete). A run that fails removes the parts it stored, so a cut upload leaves none of its parts behind.
        /// </summary>
        private sealed class UploadedParts : PartTarget
        {
            private readonly Storage.IBackupLocation _location;
            private readonly string _setKey;
            private readonly System.Threading.CancellationToken _cancellation;
            private Storage.StreamedUpload _current;
            private Exception _failure;

            public UploadedParts(Storage.IBackupLocation location, string setKey, System.Threading.CancellationToken cancellation)
            {
                _location = location;
                _setKey = setKey;
                _cancellation = cancellation;
            }

            private string KeyOf(string storedName) => Storage.ObjectKey.Combine(_setKey, storedName);

            public override string Display(string storedName) => Storage.StorageException.Join(_location.DisplayName, KeyOf(storedName));

            public override Exception Failure => _failure ?? _current?.Failure;

            public override Stream Open(string storedName)
            {
                _current = new Storage.StreamedUpload(_location, KeyOf(storedName), _cancellation);
                Written.Add(storedName);
                return _current.Writer;
            }

            public override Storage.StoredObject Complete(string storedName, Stream output)
            {
                try
                {
                    return _current.Complete();
                }
                catch (Exception e)
                {
                    _failure = _current.Failure ?? e;
                    throw;
                }
                finally
                {
                    _current.Dispose();
                }
            }

            public override void Abandon(string storedName, Stream output)
            {
                _failure = _failure ?? _current?.Failure;
                _current?.Dispose();
            }

            public override void Publish(string encryptedName)
            {
                string prefix = Storage.Sets.BackupSetTransfer.SetPrefix(_setKey);
                foreach (var o in _location.List(prefix, _cancellation))
                {
                    string name = o.Key.Substring(prefix.Length);
                    if (name.IndexOf('/') < 0 && IsStale(encryptedName, name))
                    {
                        _location.Delete(o.Key, _cancellation);
                    }
                }
            }

            public override void RemoveWritten()
            {
                foreach (var name in Written)
                {
                    try
                    {
                        _location.Delete(KeyOf(name), System.Threading.CancellationToken.None);
                    }
                    catch (Exception)
                    {
                        // Best effort: the part that failed was never stored; the others are removed when the service answers.
                    }
                }
            }
        }

        /// <summary>An entry's content to copy: the file, or an empty stream for a lock file (copied empty).</summary>
        private static Stream OpenEntry(DataDirEntry e) => e.IsLockFile ? (Stream)new MemoryStream(new byte[0]) : OpenSource(e.FullPath);

        private static Encryption.SetEncryption.Outcome CopyEncrypted(DataDirEntry e, string target, Encryption.EncryptionKeys keys)
        {
            using (var dst = OwnerOnlyFile.Create(target, ownerOnly: true))
            {
                Encryption.SetEncryption.Outcome outcome;
                using (var src = OpenEntry(e))
                {
                    outcome = Encryption.SetEncryption.Encrypt(src, dst, keys);
                }
                dst.Flush(true);
                File.SetLastWriteTimeUtc(target, e.ModifiedUtc);
                return outcome;
            }
        }

        private static FileStream OpenSource(string path)
            => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);

        internal static void DeletePath(string path)
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
