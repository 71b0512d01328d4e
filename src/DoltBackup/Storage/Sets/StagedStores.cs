using System;
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

        /// <summary>True for the destinations Dolt cannot write itself and the module stages: s3:// and az://.</summary>
        public static bool IsStagedDestination(string destination)
        {
            if (string.IsNullOrEmpty(destination))
            {
                return false;
            }
            string d = destination.TrimStart();
            return d.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || d.StartsWith("az://", StringComparison.OrdinalIgnoreCase);
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
            foreach (var db in manifest.Databases)
            {
                string relative = RelativeStorePath(manifest, db);
                db.ObjectStoreUrl = relative == null ? null : setUrl + "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
            }
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
        {
            CheckStoresAreHere(manifest);
            return BackupSetTransfer.Publish(manifest.BackupFolder, location, "", progress, cancellationToken);
        }

        /// <summary>
        /// For a staged set fetched into <paramref name="folder"/>: checks that every store the set holds is complete
        /// (its `manifest` and every table file it names were downloaded), then points each database's URL (and the
        /// base URL) at its downloaded store, so that verification and restore read it through file://. Other sets are
        /// left as they are (false). Throws StorageObjectMissing naming the missing object.
        /// </summary>
        public static bool Localize(BackupManifest manifest, string folder, string sourceDisplayName)
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
                if (db.Status == ItemStatus.Completed)
                {
                    CheckStoreComplete(store, relative, sourceDisplayName);
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
        private static string RelativeStorePath(BackupManifest manifest, DatabaseBackupItem db)
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
