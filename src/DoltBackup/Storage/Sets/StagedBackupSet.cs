using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// A backup set fetched from an object store into a private temporary folder (owner-only, 0700 on Unix), every recorded object checked
    /// (<see cref="BackupSetTransfer.Fetch"/>), so that verification and restore read local files as they do for a
    /// folder set; the Dolt stores of a staged set (see <see cref="StagedStores"/>) come down with it, each database's
    /// URL pointing at its downloaded store. Dispose deletes the folder.
    /// </summary>
    public sealed class StagedBackupSet : IDisposable
    {
        private StagedBackupSet(string folder, BackupManifest manifest, string sourceDisplayName)
        {
            Folder = folder;
            Manifest = manifest;
            Source = sourceDisplayName;
        }

        /// <summary>The local folder holding the fetched set.</summary>
        public string Folder { get; }

        /// <summary>The manifest, read from the fetched copy (its BackupFolder is <see cref="Folder"/>).</summary>
        public BackupManifest Manifest { get; }

        /// <summary>The set's location as the user gave it (no secret).</summary>
        public string Source { get; }

        /// <summary>Fetches the set at <paramref name="url"/> (an object-store URL naming one set).</summary>
        public static StagedBackupSet Fetch(string url, StorageContext context, Action<TransferProgress> progress, CancellationToken cancellationToken)
            => Fetch(url, context, null, null, progress, cancellationToken);

        /// <summary>
        /// As <see cref="Fetch(string, StorageContext, Action{TransferProgress}, CancellationToken)"/>; a set with
        /// encrypted Dolt stores is decrypted with the key given (<paramref name="certificates"/> with their private key,
        /// or <paramref name="passphrase"/>): without one its stores stay encrypted, checked by their ciphertext only.
        /// </summary>
        public static StagedBackupSet Fetch(string url, StorageContext context, System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates, System.Security.SecureString passphrase,
            Action<TransferProgress> progress, CancellationToken cancellationToken, BackupManifest manifestRead = null)
        {
            string folder = Path.Combine(Path.GetTempPath(), "doltbackup-set-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                // The set may hold privileges.db, keys and secrets: the copy is the current user's only (0700).
                Directory.CreateDirectory(folder);
                Common.OwnerOnlyFile.SetMode(folder, Convert.ToInt32("700", 8));
                using (var location = BackupLocations.Open(url, context))
                {
                    var manifest = BackupSetTransfer.Fetch(location, "", folder, progress, cancellationToken, manifestRead);
                    // A set whose Dolt stores were staged and uploaded: its stores came down with it (or their shared
                    // table files come now); point the databases at them.
                    IBackupLocation sharedRoot = null;
                    try
                    {
                        sharedRoot = OpenSharedRoot(url, context, manifest);
                        bool keyGiven = (certificates != null && certificates.Any(c => c != null)) || (passphrase != null && passphrase.Length > 0);
                        var keys = keyGiven && EncryptedStores.Applies(manifest) ? Encryption.SetEncryption.ForReading(manifest, certificates, passphrase) : null;
                        if (StagedStores.Localize(manifest, folder, location.DisplayName, sharedRoot, keys, progress, cancellationToken))
                        {
                            ManifestStore.Write(manifest); // the temporary copy, for the readers that open it by folder
                        }
                    }
                    finally
                    {
                        sharedRoot?.Dispose();
                    }
                    return new StagedBackupSet(folder, manifest, location.DisplayName);
                }
            }
            catch
            {
                TryDelete(folder);
                throw;
            }
        }

        /// <summary>
        /// The backup root above the set at <paramref name="url"/> when its versions share their table files
        /// (<c>&lt;root&gt;/.stores/&lt;database&gt;/</c>); null for any other set. Dispose it.
        /// </summary>
        public static IBackupLocation OpenSharedRoot(string url, StorageContext context, BackupManifest manifest)
        {
            string trimmed = url.TrimEnd('/');
            return manifest.Destination?.SharedStores == true && trimmed.LastIndexOf('/') > trimmed.IndexOf("://", StringComparison.Ordinal) + 3
                ? BackupLocations.Open(trimmed.Substring(0, trimmed.LastIndexOf('/')), context)
                : null;
        }

        /// <inheritdoc />
        public void Dispose() => TryDelete(Folder);

        private static void TryDelete(string folder)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
