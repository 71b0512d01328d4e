using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// Backup sets whose -Destination is an object store Dolt cannot write (s3:// without Dolt's DynamoDB table, az://).
    /// Dolt syncs each database into a local file:// staging store on the server's host (kept between runs, so each
    /// sync is incremental); then the whole set folder (stores, artifacts, manifest.json) is uploaded with
    /// <see cref="BackupSetTransfer.Publish"/>: only what the object store lacks, each store's own `manifest` after its
    /// table files, manifest.json last. A restore fetches the set and points each database at its downloaded store.
    /// </summary>
    public static class StagedStores
    {
        private const string StoreManifest = "manifest";

        /// <summary>
        /// True for the destinations Dolt cannot write itself and the module stages: s3://, az:// and Azure Blob
        /// https://&lt;account&gt;.blob.core.windows.net URLs (other https:// URLs are Dolt's own DoltHub/DoltLab remotes).
        /// </summary>
        public static bool IsStagedDestination(string destination)
        {
            if (string.IsNullOrEmpty(destination))
            {
                return false;
            }
            string d = destination.Trim();
            return d.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || d.StartsWith("az://", StringComparison.OrdinalIgnoreCase) || StorageLocation.IsAzureBlobHttpsUrl(d);
        }

        /// <summary>The destination as recorded: trimmed, no trailing '/'.</summary>
        public static string Normalize(string destination) => destination.Trim().TrimEnd('/');

        /// <summary>
        /// The default staging root of a destination: $HOME/.doltbackup/staging/&lt;first 16 hex digits of the SHA-256
        /// of the destination URL&gt;, so every destination keeps its own stores, reused by the next run.
        /// </summary>
        public static string DefaultRoot(string destination, string homeDirectory)
        {
            using (var sha = SHA256.Create())
            {
                string hash = DigestingReadStream.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(Normalize(destination)))).Substring(0, 16);
                return Path.Combine(homeDirectory, ".doltbackup", "staging", hash);
            }
        }

        /// <summary>
        /// True when <paramref name="folder"/> looks like a staging folder: a set was uploaded from it before (its
        /// publish record is there) or it lies under the default staging root ($HOME/.doltbackup/staging).
        /// </summary>
        public static bool LooksStaged(string folder)
        {
            if (string.IsNullOrEmpty(folder))
            {
                return false;
            }
            string full = Path.GetFullPath(folder);
            string defaults = Path.Combine(HomeDirectory(), ".doltbackup", "staging") + Path.DirectorySeparatorChar;
            return File.Exists(Path.Combine(full, PublishRecord.FileName)) || full.StartsWith(defaults, StringComparison.Ordinal);
        }

        /// <summary>The user's home folder (HOME, else USERPROFILE, else the profile folder).</summary>
        public static string HomeDirectory()
        {
            string home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetEnvironmentVariable("USERPROFILE");
            }
            return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
        }

        /// <summary>
        /// Records where a planned set goes off the host: the set's URL (the destination, plus the version label of a
        /// -Versioned set) and each database's store URL under it. The manifest's BaseUrl and BackupFolder stay the
        /// local staging ones.
        /// </summary>
        public static void Annotate(BackupManifest manifest, string destination)
        {
            string setUrl = Normalize(destination);
            if (manifest.Destination.Versioned && !string.IsNullOrEmpty(manifest.BackupFolder))
            {
                setUrl += "/" + Path.GetFileName(manifest.BackupFolder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            }
            manifest.Destination.ObjectStoreUrl = setUrl;
            // Versions share their table files: one content-addressed place per database under the backup root.
            manifest.Destination.SharedStores = manifest.Destination.Versioned;
            string storesUrl = manifest.Destination.SharedStores ? Normalize(destination) + "/" + SharedFolder : setUrl;
            foreach (var db in manifest.Databases)
            {
                string relative = RelativeStorePath(manifest, db);
                db.ObjectStoreUrl = relative == null ? null : storesUrl + "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
            }
        }

        /// <summary>The folder under a backup root that holds the shared table files of -Versioned staged sets.</summary>
        public const string SharedFolder = ".stores";

        /// <summary>
        /// Where <see cref="Publish"/> writes a staged set: the set's URL (set key ""), or for shared stores the backup
        /// root and the set's key under it (its version label).
        /// </summary>
        public static (string LocationUrl, string SetKey) PublishTarget(BackupManifest manifest)
        {
            string url = manifest.Destination.ObjectStoreUrl;
            if (!manifest.Destination.SharedStores)
            {
                return (url, "");
            }
            int slash = url.LastIndexOf('/');
            return (url.Substring(0, slash), url.Substring(slash + 1));
        }

        /// <summary>
        /// Checks that Dolt wrote every synced database's staging store on THIS host (its `manifest` is here). A server
        /// on another host writes the file:// URL on its own disk, and the store is not here to upload.
        /// </summary>
        public static void CheckStoresAreHere(BackupManifest manifest)
        {
            foreach (var db in manifest.Databases.Where(d => d.Status == ItemStatus.Completed && BackupUrls.IsFile(d.Url ?? "")))
            {
                string folder = BackupUrls.LocalPath(db.Url);
                if (!File.Exists(Path.Combine(folder, StoreManifest)))
                {
                    throw new StorageException("StagingNotOnServerHost", ErrorCategory.InvalidOperation, db.Url,
                        $"Dolt reported '{db.Name}' synced to its staging store {db.Url}, but '{folder}' holds no Dolt store on this machine: the Dolt server runs on another host (or sees another file system), so the store cannot be uploaded to {manifest.Destination.ObjectStoreUrl}. Nothing was uploaded.",
                        "Run New-DoltBackup and Sync-DoltBackup on the Dolt server's host (as configuration capture needs too), or give -StagingPath a folder the server and this machine see at the same path.");
                }
            }
        }

        /// <summary>
        /// Uploads a staged set (its folder on this host) to <paramref name="location"/> (the set's object-store URL):
        /// only what it lacks, stores' manifests after their table files, manifest.json last, under the set's lock.
        /// </summary>
        public static TransferResult Publish(BackupManifest manifest, IBackupLocation location, Action<TransferProgress> progress, CancellationToken cancellationToken)
            => Publish(manifest, location, "", progress, cancellationToken);

        /// <summary>
        /// As <see cref="Publish(BackupManifest, IBackupLocation, Action{TransferProgress}, CancellationToken)"/> into
        /// <paramref name="setKey"/> of <paramref name="location"/> (<see cref="PublishTarget"/>). With shared stores,
        /// the table files go first to the root's <c>.stores/&lt;database&gt;/</c>, only those not there yet (they
        /// are immutable and named by their hash), then the set with each store's `manifest`, manifest.json last:
        /// <paramref name="manifestJson"/> when not null (see <see cref="UploadRecord"/>), else the local file.
        /// </summary>
        public static TransferResult Publish(BackupManifest manifest, IBackupLocation location, string setKey, Action<TransferProgress> progress, CancellationToken cancellationToken, string manifestJson = null)
        {
            CheckStoresAreHere(manifest);
            var stores = StoreFolders(manifest);
            if (EncryptedStores.Applies(manifest))
            {
                // Every file of the stores goes up encrypted first (recorded in the manifest), then the rest of the set.
                return EncryptedStores.PublishSet(manifest, location, setKey, stores, progress, cancellationToken, manifestJson);
            }
            if (!manifest.Destination.SharedStores)
            {
                return BackupSetTransfer.Publish(manifest.BackupFolder, location, setKey, progress, cancellationToken, manifestJson: manifestJson);
            }
            var shared = new TransferResult();
            foreach (var store in stores)
            {
                string sharedPrefix = SharedFolder + "/" + store + "/";
                var there = location.List(sharedPrefix, cancellationToken).ToDictionary(o => o.Key, o => o.Size, StringComparer.Ordinal);
                string folder = Path.Combine(manifest.BackupFolder, store.Replace('/', Path.DirectorySeparatorChar));
                foreach (var file in TableFilesOf(folder))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string key = sharedPrefix + Path.GetFileName(file);
                    long size = new FileInfo(file).Length;
                    if (there.TryGetValue(key, out long stored) && stored == size)
                    {
                        shared.Unchanged++;
                        continue;
                    }
                    progress?.Invoke(new TransferProgress("Uploading", key, 0, size));
                    using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
                    {
                        BackupSetTransfer.PutChecked(location, key, stream, size, file, cancellationToken);
                    }
                    there[key] = size;
                    shared.Transferred++;
                    shared.Bytes += size;
                }
            }
            var result = BackupSetTransfer.Publish(manifest.BackupFolder, location, setKey, progress, cancellationToken,
                relative => stores.Any(store => IsTableFileOf(store, relative)), manifestJson);
            result.Transferred += shared.Transferred;
            result.Bytes += shared.Bytes;
            result.Unchanged += shared.Unchanged;
            return result;
        }

        /// <summary>
        /// Deletes the shared table files under <paramref name="root"/>'s <c>.stores/</c> that no store `manifest` of
        /// any set left under the root names (sets without manifest.json included: they may be uploads under way), and
        /// that are older than <paramref name="grace"/> (a writer uploads its table files before the manifest naming
        /// them). Encrypted stores' shared files are named by their sets' manifest.json (read when any is stored).
        /// Nothing is deleted when a store manifest cannot be read. Returns the number of objects deleted.
        /// </summary>
        public static int CollectSharedGarbage(IBackupLocation root, TimeSpan grace, DateTime nowUtc, CancellationToken cancellationToken)
        {
            var objects = root.List("", cancellationToken);
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in objects.Where(o => !o.Key.StartsWith(SharedFolder + "/", StringComparison.Ordinal) && o.Key.EndsWith("/" + StoreManifest, StringComparison.Ordinal)))
            {
                // <set>/<store>/manifest or <set>/<store>/oldgen/manifest
                string[] parts = o.Key.Split('/');
                int end = parts.Length - 1;
                if (end >= 2 && parts[end - 1] == "oldgen")
                {
                    end--;
                }
                if (end < 2)
                {
                    continue;
                }
                string store = string.Join("/", parts, 1, end - 1);
                NbsManifest nbs;
                using (var stream = root.OpenRead(o.Key, cancellationToken))
                using (var reader = new StreamReader(stream, Encoding.UTF8))
                {
                    nbs = NbsManifest.Parse(reader.ReadToEnd()); // unreadable: throws, and nothing is deleted
                }
                foreach (var table in nbs.Tables)
                {
                    named.Add(SharedFolder + "/" + store + "/" + table.Name);
                    named.Add(SharedFolder + "/" + store + "/" + table.Name + ".darc");
                }
            }
            if (objects.Any(o => o.Key.StartsWith(SharedFolder + "/", StringComparison.Ordinal) && o.Key.EndsWith(Encryption.EncryptingBackupLocation.Suffix, StringComparison.Ordinal)))
            {
                foreach (var o in objects.Where(o => o.Key.EndsWith("/" + BackupManifest.FileName, StringComparison.Ordinal) && o.Key.IndexOf('/') == o.Key.Length - BackupManifest.FileName.Length - 1))
                {
                    named.UnionWith(EncryptedStores.SharedObjectsNamedBy(root, o.Key.Substring(0, o.Key.IndexOf('/')), cancellationToken));
                }
            }
            int deleted = 0;
            foreach (var o in objects.Where(o => o.Key.StartsWith(SharedFolder + "/", StringComparison.Ordinal) && !named.Contains(o.Key)))
            {
                if (o.LastModifiedUtc.HasValue && nowUtc - o.LastModifiedUtc.Value < grace)
                {
                    continue;
                }
                root.Delete(o.Key, cancellationToken);
                deleted++;
            }
            return deleted;
        }

        private static readonly System.Text.RegularExpressions.Regex TableFileName = new System.Text.RegularExpressions.Regex("^[0-9a-v]{32}(\\.darc)?$");

        internal static bool IsTableFileName(string name) => TableFileName.IsMatch(name) && name != DoltHash.JournalFileName;

        /// <summary>The store folders (relative to the set folder, '/' separated) of the set's databases.</summary>
        private static List<string> StoreFolders(BackupManifest manifest)
            => manifest.Databases.Select(db => RelativeStorePath(manifest, db)).Where(r => r != null)
                .Select(r => r.Replace(Path.DirectorySeparatorChar, '/')).Distinct(StringComparer.Ordinal).ToList();

        /// <summary>True when <paramref name="relative"/> (in the set folder) is a table file of <paramref name="store"/>: &lt;store&gt;/&lt;hash&gt; or &lt;store&gt;/oldgen/&lt;hash&gt;.</summary>
        private static bool IsTableFileOf(string store, string relative)
        {
            if (!relative.StartsWith(store + "/", StringComparison.Ordinal))
            {
                return false;
            }
            string inner = relative.Substring(store.Length + 1);
            if (inner.StartsWith("oldgen/", StringComparison.Ordinal))
            {
                inner = inner.Substring("oldgen/".Length);
            }
            return inner.IndexOf('/') < 0 && IsTableFileName(inner);
        }

        private static IEnumerable<string> TableFilesOf(string storeFolder)
        {
            foreach (var dir in new[] { storeFolder, Path.Combine(storeFolder, "oldgen") })
            {
                if (!Directory.Exists(dir))
                {
                    continue;
                }
                foreach (var f in Directory.EnumerateFiles(dir).Where(f => IsTableFileName(Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal))
                {
                    yield return f;
                }
            }
        }

        /// <summary>
        /// Downloads into a fetched shared-stores set the table files its stores' manifests name, from
        /// <paramref name="root"/>'s <c>.stores/&lt;database&gt;/</c>.
        /// </summary>
        private static void FetchSharedTableFiles(string store, string storeKey, IBackupLocation root, Action<TransferProgress> progress, CancellationToken cancellationToken)
        {
            string sharedPrefix = SharedFolder + "/" + storeKey + "/";
            var there = root.List(sharedPrefix, cancellationToken).ToDictionary(o => o.Key, StringComparer.Ordinal);
            foreach (var dir in new[] { store, Path.Combine(store, "oldgen") })
            {
                string manifestPath = Path.Combine(dir, StoreManifest);
                if (!File.Exists(manifestPath))
                {
                    continue;
                }
                foreach (var table in NbsManifest.Read(manifestPath).Tables)
                {
                    foreach (var name in new[] { table.Name, table.Name + ".darc" })
                    {
                        if (!there.TryGetValue(sharedPrefix + name, out var o) || File.Exists(Path.Combine(dir, name)))
                        {
                            continue;
                        }
                        cancellationToken.ThrowIfCancellationRequested();
                        progress?.Invoke(new TransferProgress("Downloading", o.Key, 0, o.Size));
                        string target = Path.Combine(dir, name);
                        using (var source = root.OpenRead(o.Key, cancellationToken))
                        using (var file = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920))
                        {
                            source.CopyTo(file, 81920);
                        }
                        if (new FileInfo(target).Length != o.Size)
                        {
                            File.Delete(target);
                            throw new StorageException("StorageObjectDamaged", ErrorCategory.InvalidData, StorageException.Join(root.DisplayName, o.Key),
                                $"'{StorageException.Join(root.DisplayName, o.Key)}' did not download whole ({o.Size} bytes listed).", "Run again; if it persists, restore from another backup set.");
                        }
                    }
                }
            }
        }

        /// <summary>
        /// For a staged set fetched into <paramref name="folder"/>: checks that every store the set holds is complete
        /// (its `manifest` and every table file it names were downloaded), then points each database's URL (and the
        /// base URL) at its downloaded store, so that verification and restore read it through file://. Other sets are
        /// left as they are (false). Throws StorageObjectMissing naming the missing object.
        /// </summary>
        public static bool Localize(BackupManifest manifest, string folder, string sourceDisplayName)
            => Localize(manifest, folder, sourceDisplayName, null, null, CancellationToken.None);

        /// <summary>
        /// As <see cref="Localize(BackupManifest, string, string)"/>; for a set with shared stores, first downloads the
        /// table files its stores' manifests name from <paramref name="sharedRoot"/> (the backup root holding the set).
        /// </summary>
        public static bool Localize(BackupManifest manifest, string folder, string sourceDisplayName, IBackupLocation sharedRoot, Action<TransferProgress> progress, CancellationToken cancellationToken)
            => Localize(manifest, folder, sourceDisplayName, sharedRoot, null, progress, cancellationToken);

        /// <summary>
        /// As <see cref="Localize(BackupManifest, string, string, IBackupLocation, Action{TransferProgress}, CancellationToken)"/>;
        /// an encrypted store (<see cref="EncryptedStores"/>) has every object checked against its ciphertext SHA-256 and,
        /// with <paramref name="keys"/>, is decrypted into its folder. Without a key it stays encrypted and its database's
        /// URL stays the object-store one (checked offline as far as the ciphertext goes; a restore needs the key).
        /// </summary>
        public static bool Localize(BackupManifest manifest, string folder, string sourceDisplayName, IBackupLocation sharedRoot, Encryption.EncryptionKeys keys, Action<TransferProgress> progress, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(manifest.Destination?.ObjectStoreUrl))
            {
                return false;
            }
            foreach (var db in manifest.Databases)
            {
                string relative = RelativeStorePath(manifest, db);
                if (relative == null)
                {
                    continue;
                }
                string store = Path.Combine(folder, relative);
                if (db.Status == ItemStatus.Completed && db.StoreFiles != null && EncryptedStores.Applies(manifest))
                {
                    if (!EncryptedStores.Open(db, store, folder, sourceDisplayName, sharedRoot, keys, progress, cancellationToken))
                    {
                        db.Url = db.ObjectStoreUrl;
                        continue;
                    }
                    CheckStoreComplete(store, relative, sourceDisplayName);
                }
                else if (db.Status == ItemStatus.Completed)
                {
                    if (manifest.Destination.SharedStores && sharedRoot != null)
                    {
                        FetchSharedTableFiles(store, relative.Replace(Path.DirectorySeparatorChar, '/'), sharedRoot, progress, cancellationToken);
                    }
                    CheckStoreComplete(store, relative, manifest.Destination.SharedStores && sharedRoot != null ? sharedRoot.DisplayName + "/" + SharedFolder : sourceDisplayName);
                }
                db.Url = BackupUrls.ToFileUrl(store);
            }
            manifest.Destination.BaseUrl = BackupUrls.ToFileUrl(folder);
            return true;
        }

        private static void CheckStoreComplete(string store, string relative, string sourceDisplayName)
        {
            string key = relative.Replace(Path.DirectorySeparatorChar, '/');
            string manifestPath = Path.Combine(store, StoreManifest);
            if (!File.Exists(manifestPath))
            {
                throw Missing(sourceDisplayName, key + "/" + StoreManifest);
            }
            var nbs = NbsManifest.Read(manifestPath);
            foreach (var table in nbs.Tables)
            {
                bool here = File.Exists(Path.Combine(store, table.Name)) || File.Exists(Path.Combine(store, table.Name + ".darc"))
                            || File.Exists(Path.Combine(store, "oldgen", table.Name)) || File.Exists(Path.Combine(store, "oldgen", table.Name + ".darc"));
                if (!here)
                {
                    throw Missing(sourceDisplayName, key + "/" + table.Name);
                }
            }
        }

        private static StorageException Missing(string source, string key) =>
            new StorageException("StorageObjectMissing", ErrorCategory.ObjectNotFound, StorageException.Join(source, key),
                $"The Dolt store of '{source}' names '{key}', but the set has no such object: the set is damaged.",
                "Restore from another backup set (Get-DoltBackup lists them), and check what deleted the object.");

        /// <summary>The database's store folder relative to the set's staging folder (BaseUrl); null when it is not under it.</summary>
        internal static string RelativeStorePath(BackupManifest manifest, DatabaseBackupItem db)
        {
            string baseUrl = manifest.Destination?.BaseUrl;
            if (string.IsNullOrEmpty(db.Url) || string.IsNullOrEmpty(baseUrl) || !BackupUrls.IsFile(db.Url) || !BackupUrls.IsFile(baseUrl))
            {
                return null;
            }
            string root = BackupUrls.LocalPath(baseUrl).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string path = BackupUrls.LocalPath(db.Url).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return path.StartsWith(root, StringComparison.Ordinal) && path.Length > root.Length ? path.Substring(root.Length) : null;
        }
    }
}
