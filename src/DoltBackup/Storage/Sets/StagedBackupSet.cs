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
    /// URL pointing at its downloaded store. A FileCopy set fetched for a restore may leave its archive (or tree) in
    /// the object store (<see cref="StreamedData"/>): the restore streams it. Dispose deletes the folder.
    /// </summary>
    public sealed class StagedBackupSet : IDisposable
    {
        private IBackupLocation _location;

        private StagedBackupSet(string folder, BackupManifest manifest, string sourceDisplayName)
        {
            Folder = folder;
            Manifest = manifest;
            Source = sourceDisplayName;
        }

        /// <summary>
        /// The FileCopy archive or tree files left in the object store (read as streams, open until Dispose); null when
        /// the whole set was downloaded.
        /// </summary>
        public Verification.SetFileSource StreamedData { get; private set; }

        /// <summary>The bytes of <see cref="StreamedData"/> (the archive, or the tree's files), as listed.</summary>
        public long StreamedBytes { get; private set; }

        /// <summary>The context the set was fetched with (its streamed data is read with it; secrets scrubbed from errors).</summary>
        internal StorageContext Context { get; private set; }

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
        /// With <paramref name="streamFileCopyData"/>, a FileCopy set's archive or tree files are checked to be there
        /// with their recorded sizes but left in the object store (<see cref="StreamedData"/>): only the small files
        /// (manifest.json, configuration, grants) come down. <paramref name="manifestRead"/>: the set's manifest.json as
        /// the caller just read it (not read again), or null.
        /// </summary>
        public static StagedBackupSet Fetch(string url, StorageContext context, System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates, System.Security.SecureString passphrase,
            Action<TransferProgress> progress, CancellationToken cancellationToken, bool streamFileCopyData = false, BackupManifest manifestRead = null)
        {
            string folder = Path.Combine(Path.GetTempPath(), "doltbackup-set-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                // The set may hold privileges.db, keys and secrets: the copy is the current user's only (0700).
                Directory.CreateDirectory(folder);
                Common.OwnerOnlyFile.SetMode(folder, Convert.ToInt32("700", 8));
                var location = BackupLocations.Open(url, context);
                bool keepOpen = false;
                try
                {
                    var manifest = BackupSetTransfer.FetchListed(location, "", folder, progress, cancellationToken, streamFileCopyData, manifestRead, out var listed);
                    var streamed = streamFileCopyData ? BackupSetTransfer.FileCopyDataPaths(manifest) : null;
                    if (streamed != null && streamed.Count > 0)
                    {
                        // The listing the fetch checked the set against: the set is not listed again.
                        var files = new RemoteSetFiles(location, "", null, listed);
                        keepOpen = true; // for the restore's streams: the set disposes it
                        return new StagedBackupSet(folder, manifest, location.DisplayName)
                        {
                            _location = location,
                            Context = context,
                            StreamedData = files,
                            StreamedBytes = streamed.Sum(p => files.SizeOf(p) ?? 0),
                        };
                    }
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
                finally
                {
                    if (!keepOpen)
                    {
                        location.Dispose();
                    }
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
        public void Dispose()
        {
            _location?.Dispose();
            _location = null;
            TryDelete(Folder);
        }

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
