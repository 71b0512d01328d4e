using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Restores a FileCopy backup into a data dir: the archive (or tree) is unpacked into a staging folder beside the
    /// target, every file's size and SHA-256 checked against the manifest (and the archive's own SHA-256), entries that
    /// would leave the target refused; only then is the staging folder moved into place. An existing, non-empty target
    /// is replaced only with Force, and never while a Dolt process uses it. On any failure the target is untouched.
    /// </summary>
    public static class FileCopyRestore
    {
        private const int BufferSize = 1 << 20;

        /// <summary>Restores <paramref name="manifest"/> (read from its backup folder) into options.TargetDataDir.</summary>
        public static FileCopyRestoreResult Restore(BackupManifest manifest, FileCopyRestoreOptions options)
        {
            if (manifest == null)
            {
                throw new ArgumentNullException(nameof(manifest));
            }
            if (options == null || string.IsNullOrEmpty(options.TargetDataDir))
            {
                throw new ArgumentException("FileCopyRestoreOptions.TargetDataDir is required.", nameof(options));
            }
            if (manifest.Method != BackupMethod.FileCopy || string.IsNullOrEmpty(manifest.BackupFolder))
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.NotAFileCopyBackup, $"Backup '{manifest}' was not made with -Method FileCopy, or has no backup folder.");
            }
            var files = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).ToList();
            var archive = manifest.Artifacts.FirstOrDefault(a => a.Kind == FileCopyLayout.DataArchiveKind);
            if (files.Count == 0)
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.NotAFileCopyBackup, $"Backup '{manifest}' records no data files.");
            }
            var incomplete = files.FirstOrDefault(a => a.Status != ItemStatus.Completed);
            if (incomplete != null || (archive != null && archive.Status != ItemStatus.Completed))
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"Backup '{manifest}' is incomplete: {(incomplete ?? archive).StoredPath} was recorded as {(incomplete ?? archive).Status}.");
            }

            string target = Path.GetFullPath(options.TargetDataDir).TrimEnd(Path.DirectorySeparatorChar);
            bool targetHasContent = Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any();
            var refusal = TargetProblem(target, options.Force);
            if (refusal != null)
            {
                throw refusal;
            }

            string parent = Path.GetDirectoryName(target);
            Directory.CreateDirectory(parent);
            string staging = Path.Combine(parent, "." + Path.GetFileName(target) + ".restore-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var result = new FileCopyRestoreResult { TargetDataDir = target };
            try
            {
                Directory.CreateDirectory(staging);
                OwnerOnlyFile.SetMode(staging, Convert.ToInt32("700", 8));
                if (archive != null && options.Source != null)
                {
                    // Not checked before (an object-store set, streamed): the one pass checks everything while it
                    // unpacks into the staging folder, and every problem found refuses the restore.
                    var problems = new List<FileCopyRestoreException>();
                    Walk(manifest, archive, files, staging, options, result, problems.Add);
                    ThrowIfAny(problems);
                }
                else if (archive != null)
                {
                    ExtractArchive(manifest, archive, files, staging, options, result);
                }
                else
                {
                    CopyTree(manifest, files, staging, options, result);
                }
                if (!targetHasContent && Directory.Exists(target))
                {
                    Directory.Delete(target); // an empty folder: nothing to keep
                }
                Swap(staging, target, targetHasContent, result);
            }
            catch
            {
                FileCopyBackup.DeletePath(staging);
                throw;
            }
            return result;
        }

        /// <summary>
        /// Why <paramref name="targetDataDir"/> cannot take a restore (a file; a non-empty directory that a Dolt process
        /// uses, or without <paramref name="force"/>), or null when it can.
        /// </summary>
        public static FileCopyRestoreException TargetProblem(string targetDataDir, bool force)
        {
            string target = Path.GetFullPath(targetDataDir).TrimEnd(Path.DirectorySeparatorChar);
            if (File.Exists(target))
            {
                return new FileCopyRestoreException(FileCopyRestoreFailure.TargetExists, $"'{target}' is a file, not a data dir.", target);
            }
            if (!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any())
            {
                return null;
            }
            var usage = DataDirUsage.Probe(target);
            if (usage.InUse)
            {
                string who = usage.ServerAnswers ? $"a sql-server ({usage.ServerInfo})" : "a Dolt process holding the lock of " + string.Join(", ", usage.LockedDatabases);
                return new FileCopyRestoreException(FileCopyRestoreFailure.TargetInUse, $"The data dir '{target}' is in use by {who}; stop it before restoring over it.", target);
            }
            return force ? null : new FileCopyRestoreException(FileCopyRestoreFailure.TargetExists, $"The data dir '{target}' exists and is not empty; restore into a new folder, or use -Force to replace it.", target);
        }

        private static void Swap(string staging, string target, bool replace, FileCopyRestoreResult result)
        {
            string aside = null;
            if (replace)
            {
                aside = target + ".replaced-" + DateTime.UtcNow.ToString("yyyyMMddTHHmmssZ", System.Globalization.CultureInfo.InvariantCulture);
                Directory.Move(target, aside);
            }
            try
            {
                Directory.Move(staging, target);
                if (OwnerOnlyFile.IsUnix)
                {
                    OwnerOnlyFile.SetMode(target, Convert.ToInt32("755", 8));
                }
            }
            catch
            {
                if (aside != null)
                {
                    Directory.Move(aside, target);
                }
                throw;
            }
            if (aside != null)
            {
                Directory.Delete(aside, recursive: true);
                result.Replaced = true;
            }
        }

        /// <summary>
        /// Reads <paramref name="archive"/> once, writing nothing, and returns every problem: an entry that would leave
        /// the data dir or is a link or device, an entry the manifest does not record (or records twice), a recorded
        /// file the archive lacks, an entry whose size or SHA-256 differs, a damaged stream (gzip CRC included), and,
        /// when recorded, the archive's own SHA-256. Empty when the archive is exactly what the manifest describes.
        /// </summary>
        public static List<FileCopyRestoreException> CheckArchive(BackupManifest manifest, BackupArtifact archive, IEnumerable<BackupArtifact> files,
            System.Threading.CancellationToken cancellationToken = default)
        {
            var problems = new List<FileCopyRestoreException>();
            Walk(manifest, archive, files.ToList(), null, new FileCopyRestoreOptions { CancellationToken = cancellationToken }, null, problems.Add);
            return problems;
        }

        /// <summary>Throws the problems found by a streamed unpack as one exception (the first one's kind; up to five listed).</summary>
        private static void ThrowIfAny(List<FileCopyRestoreException> problems)
        {
            if (problems.Count == 1)
            {
                throw problems[0];
            }
            if (problems.Count > 1)
            {
                string listed = string.Join(" ", problems.Take(5).Select(p => p.Message));
                throw new FileCopyRestoreException(problems[0].Failure, $"{problems.Count} problems: {listed}{(problems.Count > 5 ? " ..." : "")}", problems[0].Path);
            }
        }

        private static void ExtractArchive(BackupManifest manifest, BackupArtifact archive, List<BackupArtifact> files, string staging,
            FileCopyRestoreOptions options, FileCopyRestoreResult result)
            => Walk(manifest, archive, files, staging, options, result, e => throw e);

        /// <summary>
        /// Reads the archive entry by entry, checking each against the manifest; with a staging folder each file is also
        /// written there. Every problem goes to <paramref name="fail"/> (which throws when extracting, or collects when
        /// only checking); after a damaged stream nothing more can be read.
        /// </summary>
        private static void Walk(BackupManifest manifest, BackupArtifact archive, List<BackupArtifact> files, string staging,
            FileCopyRestoreOptions options, FileCopyRestoreResult result, Action<FileCopyRestoreException> fail)
        {
            var stored = options.Source ?? Verification.SetFileSource.Folder(manifest.BackupFolder);
            string path = stored.Display(archive.StoredPath);
            bool split = ArchiveParts.IsSplit(archive);
            if (!split && stored.SizeOf(archive.StoredPath) == null)
            {
                fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The archive '{path}' is missing.", path));
                return;
            }
            string extra = split ? ArchiveParts.ExtraPart(archive, stored.SizeOf) : null;
            if (extra != null)
            {
                fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, extra + " Nothing was restored.", path));
                return;
            }
            var expected = new Dictionary<string, BackupArtifact>(StringComparer.Ordinal);
            foreach (var f in files.Where(f => f.Archive == archive.StoredPath && f.StoredPath != null))
            {
                expected[f.StoredPath] = f;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long total = expected.Values.Sum(f => f.Size);
            string nameRoot = staging ?? manifest.BackupFolder; // only to check that names stay inside a folder
            var buffer = new byte[BufferSize];
            using (var file = split ? Stream.Null : stored.Open(archive.StoredPath, options.CancellationToken))
            using (var raw = new HashingStream(file, leaveOpen: true, hash: !split))
            {
                // Encrypted: decrypted in the same pass into the staging folder; the tag is checked at the end, before
                // anything is moved into place.
                // Neither pass hashes the plaintext again when the stored bytes' SHA-256 is recorded: checked at the
                // end of this pass too, it proves these are the very bytes whose plaintext hash was recorded, and the
                // authentication tag proves what they decrypt to. A streamed restore (options.Source) hashes the stored bytes as
                // they arrive, so the same holds there.
                bool hashPlaintext = string.IsNullOrEmpty(archive.Sha256);
                // In parts: each part's stored bytes, tag and plaintext size are checked as it ends (ArchiveParts).
                var parts = split ? OpenParts(manifest, archive, stored, path, options.CancellationToken) : null;
                var plain = archive.Encrypted && !split ? OpenDecrypted(manifest, archive, raw, path, hashPlaintext) : null;
                string archiveName = archive.Encrypted ? archive.StoredPath.Substring(0, archive.StoredPath.Length - Encryption.EncryptingBackupLocation.Suffix.Length) : archive.StoredPath;
                Stream source = parts ?? plain ?? (Stream)raw;
                Stream input = FileCopyLayout.IsGzip(archiveName) ? new GZipStream(source, CompressionMode.Decompress, leaveOpen: true) : source;
                try
                {
                    var reader = new TarReader(input);
                    using (var hasher = new Sha256Hasher())
                    {
                        while (true)
                        {
                            TarEntry entry;
                            try
                            {
                                entry = NextEntry(reader, path);
                            }
                            catch (FileCopyRestoreException e)
                            {
                                fail(parts == null ? e : new FileCopyRestoreException(e.Failure, ArchiveParts.ExplainDamage(parts, e.Message), e.Path));
                                return;
                            }
                            if (entry == null)
                            {
                                break;
                            }
                            options.CancellationToken.ThrowIfCancellationRequested();
                            string local = ArchiveEntryPath.Resolve(nameRoot, entry.Name);
                            if (local == null || entry.Type == TarEntryType.Other)
                            {
                                fail(new FileCopyRestoreException(FileCopyRestoreFailure.UnsafeEntry,
                                    $"The archive entry '{entry.Name}' is {(local == null ? "a path outside the data dir" : "a link or device")}; nothing was restored.", entry.Name));
                                continue;
                            }
                            if (entry.Type == TarEntryType.Directory)
                            {
                                if (staging != null)
                                {
                                    Directory.CreateDirectory(local);
                                }
                                continue;
                            }
                            if (!expected.TryGetValue(entry.Name, out var artifact) || !seen.Add(entry.Name))
                            {
                                fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged,
                                    $"The archive holds '{entry.Name}', which the manifest does not record{(artifact != null ? " a second time" : "")}; nothing was restored.", entry.Name));
                                continue;
                            }
                            long length = 0;
                            try
                            {
                                if (staging != null)
                                {
                                    options.Progress?.Invoke(new FileCopyProgress("Restoring the data dir", entry.Name, result.Files, expected.Count, result.Bytes, total));
                                    Directory.CreateDirectory(Path.GetDirectoryName(local));
                                }
                                using (var dst = staging == null ? null : OwnerOnlyFile.Create(local, ownerOnly: artifact.Secret))
                                {
                                    int n;
                                    while ((n = reader.ReadData(buffer, 0, buffer.Length)) > 0)
                                    {
                                        hasher.Append(buffer, 0, n);
                                        dst?.Write(buffer, 0, n);
                                        length += n;
                                    }
                                    dst?.Flush(true);
                                }
                            }
                            catch (InvalidDataException e)
                            {
                                fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The archive '{path}' is damaged: {ArchiveParts.ExplainDamage(parts, e.Message)}", path));
                                return;
                            }
                            var mismatch = Mismatch(artifact, length, hasher.FinishHex());
                            if (mismatch != null)
                            {
                                fail(mismatch);
                                continue;
                            }
                            if (staging != null)
                            {
                                ApplyMetadata(local, artifact, entry.ModifiedUtc);
                                result.Files++;
                                result.Bytes += length;
                            }
                        }
                    }
                    try
                    {
                        // Read to the end: the gzip trailer's CRC is checked.
                        while (input.Read(buffer, 0, buffer.Length) > 0)
                        {
                        }
                    }
                    catch (InvalidDataException e)
                    {
                        fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The archive '{path}' is damaged: {ArchiveParts.ExplainDamage(parts, e.Message)}", path));
                        return;
                    }
                    if (parts != null)
                    {
                        // To its end, always: the last part's tag and hashes are checked there.
                        while (parts.Read(buffer, 0, buffer.Length) > 0)
                        {
                        }
                    }
                    if (plain != null)
                    {
                        // To its end, always: the authentication tag is checked there.
                        while (plain.Read(buffer, 0, buffer.Length) > 0)
                        {
                        }
                        string plainSha = hashPlaintext ? plain.PlaintextSha256 : archive.PlaintextSha256;
                        if (!plain.Verified)
                        {
                            throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, $"The archive '{path}' was not authenticated; nothing was restored.", path);
                        }
                        if (!string.Equals(plainSha, archive.PlaintextSha256, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed,
                                $"The archive '{path}' decrypted to SHA-256 {plainSha}, not the manifest's {archive.PlaintextSha256 ?? "(none)"}: it belongs to another set or was replaced; nothing was restored.", path);
                        }
                    }
                }
                catch (Encryption.EncryptionException e)
                {
                    throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, e.Message + " Nothing was restored.", path);
                }
                finally
                {
                    if (!ReferenceEquals(input, raw) && !ReferenceEquals(input, plain) && !ReferenceEquals(input, parts))
                    {
                        input.Dispose();
                    }
                    plain?.Dispose();
                    parts?.Dispose();
                }
                while (raw.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                string sha = raw.FinishHex();
                if (!string.IsNullOrEmpty(archive.Sha256) && !string.Equals(sha, archive.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The archive '{path}' has SHA-256 {sha}, the manifest recorded {archive.Sha256}.", path));
                }
            }
            foreach (var missing in expected.Keys.Where(k => !seen.Contains(k)))
            {
                fail(new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The manifest records '{missing}', which the archive does not hold; nothing was restored.", missing));
            }
        }

        private static Stream OpenParts(BackupManifest manifest, BackupArtifact archive, Verification.SetFileSource stored, string path, System.Threading.CancellationToken cancellationToken)
        {
            var keys = manifest.SessionDecryptionKeys
                ?? throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, $"The archive '{path}' is encrypted and no key was given; nothing was restored.", path);
            try
            {
                return ArchiveParts.OpenPlaintext(archive, name => stored.Open(name, cancellationToken), keys);
            }
            catch (Encryption.EncryptionException e)
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, e.Message + " Nothing was restored.", path);
            }
        }

        private static Encryption.CmsAuthEnvelopedReader OpenDecrypted(BackupManifest manifest, BackupArtifact archive, Stream raw, string path, bool hashPlaintext = true)
        {
            var keys = manifest.SessionDecryptionKeys
                ?? throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, $"The archive '{path}' is encrypted and no key was given; nothing was restored.", path);
            try
            {
                return Encryption.SetEncryption.OpenDecryptingLarge(raw, keys, archive.StoredPath, ownsInput: false, hashPlaintext: hashPlaintext);
            }
            catch (Encryption.EncryptionException e)
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, e.Message + " Nothing was restored.", path);
            }
        }

        private static TarEntry NextEntry(TarReader reader, string path)
        {
            try
            {
                return reader.Next();
            }
            catch (InvalidDataException e)
            {
                throw new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The archive '{path}' is damaged: {e.Message}", path);
            }
        }

        private static void CopyTree(BackupManifest manifest, List<BackupArtifact> files, string staging, FileCopyRestoreOptions options, FileCopyRestoreResult result)
        {
            string prefix = FileCopyLayout.TreeFolder + "/";
            string tree = Path.Combine(manifest.BackupFolder, FileCopyLayout.TreeFolder);
            // An object-store tree (options.Source) has no folders: each file's folder is made as it is written.
            var stored = options.Source ?? Verification.SetFileSource.Folder(manifest.BackupFolder);
            if (options.Source == null && Directory.Exists(tree))
            {
                foreach (var dir in Directory.GetDirectories(tree, "*", SearchOption.AllDirectories))
                {
                    string rel = dir.Substring(tree.Length + 1).Replace(Path.DirectorySeparatorChar, '/');
                    string local = ArchiveEntryPath.Resolve(staging, rel);
                    if (local != null)
                    {
                        Directory.CreateDirectory(local);
                    }
                }
            }
            long total = files.Sum(f => f.Size);
            var buffer = new byte[BufferSize];
            using (var hasher = new Sha256Hasher())
            {
                foreach (var artifact in files)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    string storedPath = artifact.StoredPath ?? "";
                    string rel = storedPath.StartsWith(prefix, StringComparison.Ordinal) ? storedPath.Substring(prefix.Length) : null;
                    if (rel != null && artifact.Encrypted)
                    {
                        rel = rel.EndsWith(Encryption.EncryptingBackupLocation.Suffix, StringComparison.Ordinal) ? rel.Substring(0, rel.Length - Encryption.EncryptingBackupLocation.Suffix.Length) : null;
                    }
                    string local = rel == null ? null : ArchiveEntryPath.Resolve(staging, rel);
                    string source = rel == null || ArchiveEntryPath.Resolve(manifest.BackupFolder, storedPath) == null ? null : stored.Display(storedPath);
                    if (local == null || source == null)
                    {
                        throw new FileCopyRestoreException(FileCopyRestoreFailure.UnsafeEntry, $"The recorded file '{storedPath}' is not a path inside the backup's {FileCopyLayout.TreeFolder}/ folder; nothing was restored.", storedPath);
                    }
                    if (stored.SizeOf(storedPath) == null)
                    {
                        throw new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged, $"The backup file '{source}' is missing; nothing was restored.", source);
                    }
                    options.Progress?.Invoke(new FileCopyProgress("Restoring the data dir", rel, result.Files, files.Count, result.Bytes, total));
                    Directory.CreateDirectory(Path.GetDirectoryName(local));
                    long length = 0;
                    if (artifact.Encrypted)
                    {
                        length = RestoreEncryptedFile(manifest, artifact, stored, source, local, buffer, options.CancellationToken);
                        ApplyMetadata(local, artifact, ModifiedTime(options.Source, source));
                        result.Files++;
                        result.Bytes += length;
                        continue;
                    }
                    using (var src = stored.Open(storedPath, options.CancellationToken))
                    using (var dst = OwnerOnlyFile.Create(local, ownerOnly: artifact.Secret))
                    {
                        int n;
                        while ((n = src.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            hasher.Append(buffer, 0, n);
                            dst.Write(buffer, 0, n);
                            length += n;
                        }
                        dst.Flush(true);
                    }
                    Check(artifact, length, hasher.FinishHex());
                    ApplyMetadata(local, artifact, ModifiedTime(options.Source, source));
                    result.Files++;
                    result.Bytes += length;
                }
            }
        }

        /// <summary>One encrypted tree file decrypted into the staging folder; stored and plaintext hashes both checked.</summary>
        private static long RestoreEncryptedFile(BackupManifest manifest, BackupArtifact artifact, Verification.SetFileSource stored, string source, string local, byte[] buffer,
            System.Threading.CancellationToken cancellationToken)
        {
            using (var file = stored.Open(artifact.StoredPath, cancellationToken))
            using (var raw = new HashingStream(file, leaveOpen: true))
            using (var plain = OpenDecrypted(manifest, artifact, raw, source))
            {
                try
                {
                    using (var dst = OwnerOnlyFile.Create(local, ownerOnly: artifact.Secret))
                    {
                        int n;
                        while ((n = plain.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            dst.Write(buffer, 0, n);
                        }
                        dst.Flush(true);
                    }
                }
                catch (Encryption.EncryptionException e)
                {
                    throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed, e.Message + " Nothing was restored.", source);
                }
                while (raw.Read(buffer, 0, buffer.Length) > 0)
                {
                }
                Check(artifact, raw.BytesHashed, raw.FinishHex());
                long length = plain.PlaintextLength;
                string sha = plain.PlaintextSha256;
                if (length != artifact.PlaintextSize || !string.Equals(sha, artifact.PlaintextSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new FileCopyRestoreException(FileCopyRestoreFailure.DecryptionFailed,
                        $"'{artifact.StoredPath}' decrypted to {length} bytes with SHA-256 {sha}; the manifest recorded {artifact.PlaintextSize} bytes with {artifact.PlaintextSha256}. Nothing was restored.", source);
                }
                return length;
            }
        }

        /// <summary>
        /// The time a tree file gets: its stored copy's in a backup folder; from an object store (whose objects carry
        /// the upload's time, not the file's), now, as a fetched copy had.
        /// </summary>
        private static DateTime ModifiedTime(Verification.SetFileSource streamed, string source)
            => streamed == null ? File.GetLastWriteTimeUtc(source) : DateTime.UtcNow;

        private static void Check(BackupArtifact artifact, long length, string sha)
        {
            var mismatch = Mismatch(artifact, length, sha);
            if (mismatch != null)
            {
                throw mismatch;
            }
        }

        private static FileCopyRestoreException Mismatch(BackupArtifact artifact, long length, string sha)
            => length != artifact.Size || !string.Equals(sha, artifact.Sha256, StringComparison.OrdinalIgnoreCase)
                ? new FileCopyRestoreException(FileCopyRestoreFailure.BackupDamaged,
                    $"'{artifact.StoredPath}' is {length} bytes with SHA-256 {sha}; the manifest recorded {artifact.Size} bytes with {artifact.Sha256}. Nothing was restored.", artifact.StoredPath)
                : null;

        private static void ApplyMetadata(string local, BackupArtifact artifact, DateTime modifiedUtc)
        {
            if (!artifact.Secret && !string.IsNullOrEmpty(artifact.Mode) && OwnerOnlyFile.IsUnix)
            {
                try
                {
                    OwnerOnlyFile.SetMode(local, Convert.ToInt32(artifact.Mode, 8) & 0x1ff);
                }
                catch (FormatException)
                {
                }
            }
            File.SetLastWriteTimeUtc(local, modifiedUtc);
        }
    }
}
