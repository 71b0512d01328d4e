using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Verification
{
    /// <summary>
    /// The entry point of Test-DoltBackup's checks: a backup manifest (its artifacts and, per method, its Dolt stores),
    /// or a path that is a backup folder, a file:// backup directory, a database's .dolt directory or a data dir.
    /// Results are emitted one by one, as the checks finish.
    /// </summary>
    public static class BackupVerifier
    {
        /// <summary>What a path is.</summary>
        public static BackupTargetKind DetectKind(string path)
        {
            string full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                return string.Equals(Path.GetFileName(full), BackupManifest.FileName, StringComparison.OrdinalIgnoreCase) ? BackupTargetKind.BackupFolder : BackupTargetKind.Unknown;
            }
            if (!Directory.Exists(full))
            {
                return BackupTargetKind.Unknown;
            }
            if (File.Exists(Path.Combine(full, BackupManifest.FileName)))
            {
                return BackupTargetKind.BackupFolder;
            }
            if (File.Exists(Path.Combine(full, "noms", "manifest")) || (Directory.Exists(Path.Combine(full, "noms")) && Path.GetFileName(full) == ".dolt"))
            {
                return BackupTargetKind.DoltDirectory;
            }
            if (DatabasesOf(full).Any())
            {
                return BackupTargetKind.DataDirectory;
            }
            if (File.Exists(Path.Combine(full, "manifest")))
            {
                return BackupTargetKind.BareStore;
            }
            return BackupTargetKind.Unknown;
        }

        /// <summary>Verifies whatever a path is; throws <see cref="VerificationTargetException"/> when it is none of the known kinds.</summary>
        public static void VerifyPath(string path, VerificationOptions options, Action<VerificationResult> emit)
        {
            options = options ?? new VerificationOptions();
            string full = Path.GetFullPath(path);
            switch (DetectKind(full))
            {
                case BackupTargetKind.BackupFolder:
                    VerifyManifest(ManifestStore.Read(full), options, emit);
                    break;
                case BackupTargetKind.DoltDirectory:
                    VerifyDoltDirectory(full, DatabaseNameOfDoltDir(full), options, emit);
                    break;
                case BackupTargetKind.DataDirectory:
                    VerifyDataDirectory(full, full, options, emit);
                    break;
                case BackupTargetKind.BareStore:
                    NbsStoreVerifier.Verify(full, Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), options, emit);
                    break;
                default:
                    throw new VerificationTargetException(path, Directory.Exists(full) || File.Exists(full)
                        ? $"'{path}' is not a backup folder (manifest.json), a file:// backup directory (an NBS manifest), a .dolt directory or a data directory."
                        : $"'{path}' does not exist.");
            }
        }

        /// <summary>Verifies a path and returns the results.</summary>
        public static List<VerificationResult> VerifyPath(string path, VerificationOptions options = null)
        {
            var results = new List<VerificationResult>();
            VerifyPath(path, options, results.Add);
            return results;
        }

        /// <summary>
        /// Verifies a backup set: every recorded artifact (present, size, SHA-256), then the Dolt stores the method
        /// produced: file:// backup directories (DoltBackup, Push), the copied tree (FileCopy as a tree). What cannot be
        /// checked offline (remote URLs, snapshots, a data dir inside an archive) is reported as Skipped.
        /// </summary>
        public static void VerifyManifest(BackupManifest manifest, VerificationOptions options, Action<VerificationResult> emit)
            => VerifyManifest(manifest, options, emit, null);

        /// <summary>
        /// As <see cref="VerifyManifest(BackupManifest, VerificationOptions, Action{VerificationResult})"/>, reading the
        /// set's files from <paramref name="files"/> (null: the backup folder): an object-store set streamed object by
        /// object, each hashed as it arrives, a FileCopy archive and the stores inside it checked in that one pass.
        /// </summary>
        public static void VerifyManifest(BackupManifest manifest, VerificationOptions options, Action<VerificationResult> emit, SetFileSource files)
        {
            options = options ?? new VerificationOptions();
            string target = manifest.ToString();
            // A FileCopy archive is read once: its files' hashes and the Dolt stores inside it are checked in that pass.
            ArchiveStoreScanner stores = null;
            Func<string, ArchiveStoreScanner> storesIn = null;
            if (manifest.Method == BackupMethod.FileCopy && !string.IsNullOrEmpty(manifest.BackupFolder))
            {
                storesIn = stored => stores != null || !IsDataArchive(stored) ? null
                    : stores = new ArchiveStoreScanner(Path.Combine(manifest.BackupFolder, stored), RootLabel(manifest), options);
            }
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                emit(new VerificationResult(target, "Backup.Folder", VerificationStatus.Skipped, "The manifest has no backup folder: its files cannot be checked.", VerificationLevel.Artifact));
            }
            else
            {
                ArtifactVerifier.Verify(manifest, options, emit, storesIn, files);
            }

            switch (manifest.Method)
            {
                case BackupMethod.DoltBackup:
                case BackupMethod.Push:
                    foreach (var db in manifest.Databases)
                    {
                        options.CancellationToken.ThrowIfCancellationRequested();
                        VerifyDatabaseUrl(manifest, db, options, emit, files);
                    }
                    break;
                case BackupMethod.FileCopy:
                    string tree = string.IsNullOrEmpty(manifest.BackupFolder) ? null : Path.Combine(manifest.BackupFolder, FileCopyLayout.TreeFolder);
                    if (files != null && stores == null && manifest.Artifacts.Any(a => a.Kind == FileCopyLayout.DataFileKind && string.IsNullOrEmpty(a.Archive)))
                    {
                        emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                            "The copied data dir is stored file by file in the object store: every file was checked against its size and SHA-256 as it streamed by; the structure of its Dolt stores is checked on a restored data dir (Restore-DoltBackup, then Test-DoltBackup on it).",
                            VerificationLevel.Structure, files.Display(FileCopyLayout.TreeFolder)));
                    }
                    else if (tree != null && Directory.Exists(tree) && manifest.Encryption != null)
                    {
                        emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                            "The copied data dir is encrypted file by file: its Dolt stores are checked by each file's SHA-256 (and, with the key, its plaintext SHA-256). Restore it and run Test-DoltBackup on the restored data dir to check their structure.",
                            VerificationLevel.Structure, tree));
                    }
                    else if (tree != null && Directory.Exists(tree))
                    {
                        VerifyDataDirectory(tree, tree, options, emit, RootLabel(manifest));
                    }
                    else if (stores != null)
                    {
                        stores.Finish(target, emit);
                    }
                    else if (manifest.Encryption != null && manifest.Artifacts.Any(a => string.IsNullOrEmpty(a.Archive) && IsDataArchive(a.StoredPath)))
                    {
                        emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                            "The data dir archive is encrypted and no key was given: the Dolt stores inside it were not checked. Give -DecryptionCertificate (with its private key) or -Passphrase.",
                            VerificationLevel.Structure));
                    }
                    else
                    {
                        emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                            string.IsNullOrEmpty(manifest.BackupFolder)
                                ? "The manifest has no backup folder: the Dolt stores of its data dir cannot be checked."
                                : $"The backup folder holds neither {FileCopyLayout.TreeFolder}/ nor a recorded {FileCopyLayout.TarFile} or {FileCopyLayout.TarGzipFile}: the Dolt stores of its data dir cannot be checked.",
                            VerificationLevel.Structure));
                    }
                    break;
                case BackupMethod.EbsSnapshot:
                    emit(new VerificationResult(target, "Store.Structure", VerificationStatus.Skipped,
                        "EBS snapshots cannot be checked offline: create a volume from the snapshot, mount it, and run Test-DoltBackup on its data dir.", VerificationLevel.Structure));
                    break;
            }
        }

        private static bool IsDataArchive(string storedPath)
        {
            // An encrypted archive (datadir.tar.gz.p7m) is scanned in its plaintext, when a key was given.
            string name = storedPath != null && storedPath.EndsWith(Encryption.EncryptingBackupLocation.Suffix, StringComparison.Ordinal)
                ? storedPath.Substring(0, storedPath.Length - Encryption.EncryptingBackupLocation.Suffix.Length)
                : storedPath;
            return name == FileCopyLayout.TarFile || name == FileCopyLayout.TarGzipFile;
        }

        /// <summary>How a database at a FileCopy data dir's root is named (tree or archive): after the source data dir, as a check of that folder names it.</summary>
        private static string RootLabel(BackupManifest manifest)
        {
            string dataDir = manifest.Source?.DataDir;
            return string.IsNullOrEmpty(dataDir) ? FileCopyLayout.TreeFolder : Path.GetFileName(dataDir.TrimEnd('/', '\\'));
        }

        /// <summary>Verifies a manifest and returns the results.</summary>
        public static List<VerificationResult> VerifyManifest(BackupManifest manifest, VerificationOptions options = null)
        {
            var results = new List<VerificationResult>();
            VerifyManifest(manifest, options, results.Add);
            return results;
        }

        private static void VerifyDatabaseUrl(BackupManifest manifest, DatabaseBackupItem db, VerificationOptions options, Action<VerificationResult> emit, SetFileSource files)
        {
            if (db.Status != ItemStatus.Completed)
            {
                emit(new VerificationResult(db.Name, "Store.Structure", VerificationStatus.Skipped, $"Not checked: the backup recorded this database as {db.Status}.", VerificationLevel.Structure));
                return;
            }
            if (files != null && files.VerifyStore(manifest, db, options, emit))
            {
                return; // a staged store kept as objects of the set, streamed
            }
            string local = FileUrlToPath(db.Url);
            if (local == null && db.StoreFiles != null && manifest.Encryption?.DoltStoresEncrypted == true)
            {
                emit(new VerificationResult(db.Name, "Store.Structure", VerificationStatus.Skipped,
                    $"The Dolt store is encrypted and no key was given: its {db.StoreFiles.Count} objects matched their recorded ciphertext SHA-256, its content was not checked. Give -DecryptionCertificate (with its private key) or -Passphrase.",
                    VerificationLevel.Structure, db.Url));
                return;
            }
            if (local == null)
            {
                emit(new VerificationResult(db.Name, "Store.Structure", VerificationStatus.Skipped, $"The backup URL '{db.Url}' is not a file:// URL: it cannot be checked offline.", VerificationLevel.Structure));
                return;
            }
            if (!Directory.Exists(local))
            {
                emit(new VerificationResult(db.Name, "Store.Present", VerificationStatus.Failed, $"The backup directory '{local}' does not exist.", VerificationLevel.Structure, local));
                return;
            }
            NbsStoreVerifier.Verify(local, db.Name, options, emit);
        }

        /// <summary>The local path of a file:// URL (file:///abs, file://C:/x), or null for any other URL.</summary>
        public static string FileUrlToPath(string url)
        {
            if (string.IsNullOrEmpty(url) || !url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            string rest = Uri.UnescapeDataString(url.Substring("file://".Length));
            if (rest.Length >= 3 && rest[0] == '/' && char.IsLetter(rest[1]) && rest[2] == ':')
            {
                rest = rest.Substring(1); // file:///C:/x
            }
            return Path.GetFullPath(rest.Replace('/', Path.DirectorySeparatorChar));
        }

        /// <summary>Verifies every database of a data dir (and the root itself when it is a database).</summary>
        public static void VerifyDataDirectory(string dataDir, string label, VerificationOptions options, Action<VerificationResult> emit)
            => VerifyDataDirectory(dataDir, label, options, emit, null);

        /// <summary>Verifies a data dir; a database at its root is named <paramref name="rootName"/> (default: the folder's name).</summary>
        internal static void VerifyDataDirectory(string dataDir, string label, VerificationOptions options, Action<VerificationResult> emit, string rootName)
        {
            var dbs = DatabasesOf(dataDir, rootName).ToList();
            if (dbs.Count == 0)
            {
                emit(new VerificationResult(label, "DataDir.Databases", VerificationStatus.Failed, "No database (a folder with .dolt/noms) in the data dir.", VerificationLevel.Structure, dataDir));
                return;
            }
            foreach (var (name, doltDir) in dbs)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                VerifyDoltDirectory(doltDir, name, options, emit);
            }
        }

        /// <summary>Verifies a database's .dolt directory: its noms store and, when present, its nested stats store.</summary>
        public static void VerifyDoltDirectory(string doltDir, string database, VerificationOptions options, Action<VerificationResult> emit)
        {
            NbsStoreVerifier.Verify(Path.Combine(doltDir, "noms"), database, options, emit);
            string stats = Path.Combine(doltDir, "stats", ".dolt", "noms");
            if (File.Exists(Path.Combine(stats, "manifest")))
            {
                NbsStoreVerifier.Verify(stats, database + " (stats)", options, emit);
            }
        }

        private static IEnumerable<(string Name, string DoltDir)> DatabasesOf(string dataDir, string rootName = null)
        {
            if (Directory.Exists(Path.Combine(dataDir, ".dolt", "noms")))
            {
                yield return (rootName ?? Path.GetFileName(dataDir.TrimEnd(Path.DirectorySeparatorChar)), Path.Combine(dataDir, ".dolt"));
            }
            foreach (var dir in Directory.GetDirectories(dataDir).OrderBy(d => d, StringComparer.Ordinal))
            {
                if (Directory.Exists(Path.Combine(dir, ".dolt", "noms")))
                {
                    yield return (Path.GetFileName(dir), Path.Combine(dir, ".dolt"));
                }
            }
        }

        private static string DatabaseNameOfDoltDir(string doltDir)
        {
            string trimmed = doltDir.TrimEnd(Path.DirectorySeparatorChar);
            return Path.GetFileName(trimmed) == ".dolt" ? Path.GetFileName(Path.GetDirectoryName(trimmed)) : Path.GetFileName(trimmed);
        }
    }
}
