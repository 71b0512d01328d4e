using System;
using System.Management.Automation;
using DoltBackup.Common;

namespace DoltBackup.Cmdlets
{
    /// <summary>What every DoltBackup cmdlet shares: path resolution and error reporting.</summary>
    public abstract class DoltBackupCmdlet : PSCmdlet
    {
        /// <summary>Resolves a user path against the current PowerShell location (not the process directory).</summary>
        protected string ResolveUserPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>Writes a non-terminating error with a recommended action.</summary>
        protected void WriteDoltError(Exception exception, string errorId, ErrorCategory category, object target, string recommendedAction)
            => WriteError(DoltBackupErrors.Create(exception, errorId, category, target, recommendedAction));

        /// <summary>Stops the cmdlet with a terminating error and a recommended action.</summary>
        protected void ThrowDoltError(Exception exception, string errorId, ErrorCategory category, object target, string recommendedAction)
            => ThrowTerminatingError(DoltBackupErrors.Create(exception, errorId, category, target, recommendedAction));

        /// <summary>
        /// Makes the keys a write into <paramref name="manifest"/> encrypts with ready (nothing for a set that is not
        /// encrypted). False, with an EncryptionKeyRequired error, when the set needs a passphrase that was not given.
        /// </summary>
        protected bool PrepareSetEncryption(global::DoltBackup.Manifest.BackupManifest manifest, System.Security.SecureString passphrase)
        {
            try
            {
                global::DoltBackup.Encryption.SetEncryption.ForWriting(manifest, passphrase);
                return true;
            }
            catch (global::DoltBackup.Encryption.EncryptionException e)
            {
                WriteDoltError(e, global::DoltBackup.Encryption.SetEncryption.KeyRequiredErrorId, ErrorCategory.InvalidArgument, manifest,
                    "Give the set's passphrase with -EncryptionPassphrase (Read-Host -AsSecureString); nothing was written.");
                return false;
            }
        }

        /// <summary>
        /// Where to read a set given by its manifest: its folder, or for a FileCopy set streamed off the host (its
        /// archive is only in the object store; the local staging folder holds manifest.json and the small files) its
        /// object-store URL.
        /// </summary>
        protected static string ReadLocationOf(global::DoltBackup.Manifest.BackupManifest manifest)
            => manifest.Method == global::DoltBackup.Manifest.BackupMethod.FileCopy && !string.IsNullOrEmpty(manifest.Destination?.ObjectStoreUrl)
               && !global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(manifest.BackupFolder)
                ? manifest.Destination.ObjectStoreUrl : manifest.BackupFolder;

        /// <summary>
        /// Where to read a set given by a path or URL: a local folder (or its manifest.json) that is the staging folder
        /// of a FileCopy set streamed off the host is read from its object-store URL; anything else as given.
        /// </summary>
        protected string ReadLocationOf(string pathOrUrl) => ReadLocationOf(pathOrUrl, out _);

        /// <summary>
        /// <see cref="ReadLocationOf(string)"/>, also giving the local manifest it read when the set is read where it
        /// is (so that the caller need not read manifest.json again); else null.
        /// </summary>
        protected string ReadLocationOf(string pathOrUrl, out global::DoltBackup.Manifest.BackupManifest localManifest)
        {
            localManifest = null;
            if (string.IsNullOrEmpty(pathOrUrl) || pathOrUrl.Contains("://"))
            {
                return pathOrUrl;
            }
            try
            {
                string resolved = ResolveUserPath(pathOrUrl);
                string file = System.IO.Directory.Exists(resolved) ? System.IO.Path.Combine(resolved, global::DoltBackup.Manifest.BackupManifest.FileName) : resolved;
                if (!System.IO.File.Exists(file) || !string.Equals(System.IO.Path.GetFileName(file), global::DoltBackup.Manifest.BackupManifest.FileName, StringComparison.OrdinalIgnoreCase))
                {
                    return pathOrUrl;
                }
                var manifest = global::DoltBackup.Manifest.ManifestStore.Read(file);
                string at = ReadLocationOf(manifest);
                if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(at))
                {
                    return at;
                }
                localManifest = manifest;
                return pathOrUrl;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is ArgumentException || e is DoltBackupException || e is NotSupportedException || e is global::DoltBackup.Manifest.ManifestSchemaException)
            {
                return pathOrUrl; // the reader that follows reports what is wrong with it
            }
        }

        /// <summary>
        /// Where a backup set's files come from: null for a local folder (read in place), else the object-store set
        /// fetched and checked into a temporary folder (dispose it), with a progress bar. With
        /// <paramref name="streamFileCopyData"/>, a FileCopy set's archive or tree stays in the object store (listed and
        /// size-checked only): the restore streams it (<see cref="StreamedFileCopyRestorer"/>).
        /// </summary>
        protected global::DoltBackup.Storage.Sets.StagedBackupSet StageIfRemote(string pathOrUrl, global::DoltBackup.Storage.StorageContext context,
            System.Security.Cryptography.X509Certificates.X509Certificate2[] decryptionCertificates = null, System.Security.SecureString passphrase = null, bool streamFileCopyData = false,
            global::DoltBackup.Manifest.BackupManifest manifestRead = null)
        {
            if (!global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(pathOrUrl))
            {
                return null;
            }
            const int progressId = 41;
            global::DoltBackup.Storage.Sets.StagedBackupSet staged;
            try
            {
                staged = global::DoltBackup.Storage.Sets.StagedBackupSet.Fetch(pathOrUrl, context, decryptionCertificates, passphrase,
                    TransferProgressBar(progressId, "Downloading " + pathOrUrl), System.Threading.CancellationToken.None, streamFileCopyData, manifestRead);
            }
            catch (global::DoltBackup.Encryption.EncryptionException e)
            {
                // The key given does not fit the set's recorded recipients (encrypted Dolt stores are opened as they come down).
                throw new global::DoltBackup.Storage.StorageException(global::DoltBackup.Encryption.SetEncryption.KeyRequiredErrorId, ErrorCategory.SecurityError, pathOrUrl, e.Message,
                    "Give -DecryptionCertificate (a certificate with its private key) or -Passphrase of a recipient the manifest names; nothing was restored.", e);
            }
            finally
            {
                WriteProgress(new ProgressRecord(progressId, "Downloading " + pathOrUrl, "Done") { RecordType = ProgressRecordType.Completed });
            }
            WriteVerbose(staged.StreamedData == null
                ? $"Fetched {staged.Source} into {staged.Folder}; every recorded object matched its size and SHA-256."
                : $"Fetched the small files of {staged.Source} into {staged.Folder} (each matched its SHA-256); the FileCopy data ({staged.StreamedBytes} bytes) stays in the object store: it is streamed, checked and unpacked in one pass, and moved into place only when every check passed.");
            return staged;
        }

        /// <summary>
        /// The FileCopy restorer of a set: for one whose archive or tree stayed in its object store (<paramref name="staged"/>
        /// with <see cref="global::DoltBackup.Storage.Sets.StagedBackupSet.StreamedData"/>), streamed with a download
        /// progress bar; else read from its backup folder.
        /// </summary>
        protected global::DoltBackup.Restore.FileCopyServiceRestorer StreamedFileCopyRestorer(global::DoltBackup.Storage.Sets.StagedBackupSet staged)
        {
            if (staged?.StreamedData == null)
            {
                return new global::DoltBackup.Restore.FileCopyServiceRestorer();
            }
            return new global::DoltBackup.Restore.FileCopyServiceRestorer(new global::DoltBackup.Storage.Sets.StreamedDownload(staged.StreamedData, staged.StreamedBytes,
                TransferProgressBar(StreamedDownloadProgressId, StreamedDownloadActivity(staged)), staged.Context));
        }

        /// <summary>Ends the download progress bar of <see cref="StreamedFileCopyRestorer"/> (nothing for a set read from its folder).</summary>
        protected void EndStreamedDownload(global::DoltBackup.Storage.Sets.StagedBackupSet staged)
        {
            if (staged?.StreamedData != null)
            {
                WriteProgress(new ProgressRecord(StreamedDownloadProgressId, StreamedDownloadActivity(staged), "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        private const int StreamedDownloadProgressId = 44;

        private static string StreamedDownloadActivity(global::DoltBackup.Storage.Sets.StagedBackupSet staged) => "Downloading and unpacking " + staged.Source;

        /// <summary>
        /// A set whose -Destination was an object store (its Dolt stores staged on this host): uploads the set folder to
        /// its object-store URL (only what is missing there, stores' manifests after their table files, manifest.json
        /// last), with a progress bar. Returns false after a non-terminating error: the object store then still holds
        /// the previous manifest.json (or none), never one naming what was not uploaded, and the local manifest (and
        /// the emitted one) records the failed upload (<see cref="global::DoltBackup.Manifest.UploadRecord"/>). Other sets: nothing, true.
        /// </summary>
        protected bool PublishStagedSet(global::DoltBackup.Manifest.BackupManifest manifest, global::DoltBackup.Storage.StorageContext context, System.Threading.CancellationToken cancellationToken)
        {
            string url = manifest.Destination?.ObjectStoreUrl;
            if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(manifest.BackupFolder))
            {
                return true;
            }
            context = context ?? manifest.SessionStorageContext;
            manifest.SessionStorageContext = context;
            if (!ShouldProcess(url, $"Upload backup set {manifest.Id} from its staging folder {manifest.BackupFolder}"))
            {
                return false;
            }
            return UploadSet(manifest, url, 43, "Uploaded", "Sync-DoltBackup", json =>
            {
                var (locationUrl, setKey) = global::DoltBackup.Storage.Sets.StagedStores.PublishTarget(manifest);
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(locationUrl, context))
                {
                    return global::DoltBackup.Storage.Sets.StagedStores.Publish(manifest, location, setKey, Progress(43, url), cancellationToken, json);
                }
            });
        }

        /// <summary>
        /// With a -CopyTo URL: uploads the set's folder to &lt;copyTo&gt;/&lt;id&gt; (only what the copy lacks, manifest.json
        /// last), with a progress bar; a failure is a non-terminating error, recorded in the local manifest (the local
        /// set stays as it is, the copy holds the previous manifest.json or none).
        /// </summary>
        protected bool CopySetOffHost(global::DoltBackup.Manifest.BackupManifest manifest, string copyTo, global::DoltBackup.Storage.StorageContext context, System.Threading.CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(copyTo) || string.IsNullOrEmpty(manifest.BackupFolder))
            {
                return true;
            }
            string target = CopyTarget(manifest, copyTo);
            if (!ShouldProcess(target, $"Copy backup set {manifest.Id} from {manifest.BackupFolder}"))
            {
                return false;
            }
            return UploadSet(manifest, target, 42, "Copied", $"Sync-DoltBackup -CopyTo '{copyTo}'", json =>
            {
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(copyTo, context))
                {
                    return global::DoltBackup.Storage.Sets.BackupSetTransfer.Publish(manifest.BackupFolder, location, manifest.Id, Progress(42, target), cancellationToken, null, json);
                }
            });
        }

        /// <summary>
        /// Writes into a backup set that lives in an object store (<paramref name="manifest"/>'s BackupFolder is its
        /// URL): under the set's lock, <paramref name="write"/> gets the manifest with a private local folder as its
        /// BackupFolder and writes its artifacts there (returning false when it wrote nothing to keep); they are then
        /// uploaded, manifest.json last, with a progress bar. Returns the set's manifest as uploaded (its BackupFolder
        /// the URL), or null: a storage failure is a non-terminating error and the set keeps its previous manifest.json.
        /// </summary>
        protected global::DoltBackup.Manifest.BackupManifest WriteIntoRemoteSet(global::DoltBackup.Manifest.BackupManifest manifest, global::DoltBackup.Storage.StorageContext context,
            System.Func<global::DoltBackup.Manifest.BackupManifest, bool> write)
        {
            string url = manifest.BackupFolder;
            try
            {
                using (var edit = global::DoltBackup.Storage.Sets.RemoteSetEdit.Open(url, context ?? manifest.SessionStorageContext, System.Threading.CancellationToken.None))
                {
                    // Work on the manifest as it is now in the set (another writer may have changed it since it was read).
                    edit.Manifest.SessionEncryptionKeys = manifest.SessionEncryptionKeys;
                    edit.Manifest.SessionConnection = manifest.SessionConnection;
                    edit.Manifest.SessionStorageContext = context ?? manifest.SessionStorageContext;
                    if (!write(edit.Manifest))
                    {
                        return null;
                    }
                    try
                    {
                        var result = edit.Commit(Progress(44, url), System.Threading.CancellationToken.None);
                        WriteVerbose($"Uploaded into {url}: {result.Transferred} objects ({result.Bytes} bytes) uploaded, {result.Unchanged} unchanged.");
                    }
                    finally
                    {
                        WriteProgress(new ProgressRecord(44, "Uploading " + url, "Done") { RecordType = ProgressRecordType.Completed });
                    }
                    return edit.Manifest;
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(new global::DoltBackup.Storage.StorageException(e.ErrorId, e.Category, e.Target,
                    $"{e.Message} Nothing was changed in the backup set {url}: its manifest.json is the previous one.", e.RecommendedAction + " Then run the command again.", e).ToErrorRecord());
                return null;
            }
        }

        /// <summary>
        /// <paramref name="manifest"/>, carrying <paramref name="context"/> (when given) down the pipeline: the next
        /// cmdlet binds it to its -StorageContext (<see cref="global::DoltBackup.Manifest.BackupManifest.StorageContext"/>).
        /// </summary>
        protected static global::DoltBackup.Manifest.BackupManifest Carrying(global::DoltBackup.Manifest.BackupManifest manifest, global::DoltBackup.Storage.StorageContext context)
        {
            manifest.SessionStorageContext = context ?? manifest.SessionStorageContext;
            return manifest;
        }

        /// <summary>True when the manifest's set lives in an object store (its BackupFolder is a URL).</summary>
        protected static bool IsRemoteSet(global::DoltBackup.Manifest.BackupManifest manifest) => global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(manifest?.BackupFolder);

        /// <summary>Where -CopyTo puts a set: &lt;copyTo&gt;/&lt;set id&gt;.</summary>
        protected static string CopyTarget(global::DoltBackup.Manifest.BackupManifest manifest, string copyTo) => copyTo.TrimEnd('/') + "/" + manifest.Id;

        private System.Action<global::DoltBackup.Storage.Sets.TransferProgress> Progress(int progressId, string target) => TransferProgressBar(progressId, "Uploading " + target);

        /// <summary>A progress bar <paramref name="activity"/> for an object-store transfer: each object's key, and the bytes done of the total.</summary>
        protected System.Action<global::DoltBackup.Storage.Sets.TransferProgress> TransferProgressBar(int progressId, string activity) => p => WriteProgress(
            new ProgressRecord(progressId, activity, p.Key)
            {
                PercentComplete = p.BytesTotal > 0 ? (int)System.Math.Min(100, p.BytesDone * 100 / p.BytesTotal) : 0,
            });

        /// <summary>
        /// One upload of a set off the host: the local manifest first says the upload is under way, the uploaded
        /// manifest.json says what the copy holds (no upload entries), then the local manifest says it succeeded or
        /// failed. A failure is a non-terminating error naming the object and what to do; false.
        /// </summary>
        private bool UploadSet(global::DoltBackup.Manifest.BackupManifest manifest, string target, int progressId, string verb, string again,
            System.Func<string, global::DoltBackup.Storage.Sets.TransferResult> upload)
        {
            global::DoltBackup.Manifest.UploadRecord.Pending(manifest, target);
            if (!TryWriteLocalManifest(manifest))
            {
                return false;
            }
            bool ok = false;
            try
            {
                var result = upload(global::DoltBackup.Manifest.UploadRecord.JsonAsUploaded(manifest));
                global::DoltBackup.Manifest.UploadRecord.Succeeded(manifest, target);
                ok = true;
                WriteVerbose($"{verb} {manifest.Id} to {target}: {result.Transferred} objects ({result.Bytes} bytes) uploaded, {result.Unchanged} unchanged.");
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                global::DoltBackup.Manifest.UploadRecord.Failed(manifest, target, e.Message);
                const string failedId = global::DoltBackup.Manifest.UploadRecord.FailedErrorId;
                WriteError(new global::DoltBackup.Storage.StorageException(e.ErrorId, e.Category, e.Target,
                    $"{e.Message} Backup set {manifest.Id} was not uploaded to {target}: the manifest.json there still describes the previous set (or there is none), and the local manifest records the failed upload ({failedId}).",
                    $"{e.RecommendedAction} Then run {again} again: it uploads what is missing and marks the set Completed.", e).ToErrorRecord());
            }
            catch (global::DoltBackup.Encryption.EncryptionException e)
            {
                global::DoltBackup.Manifest.UploadRecord.Failed(manifest, target, e.Message);
                WriteDoltError(e, global::DoltBackup.Encryption.SetEncryption.KeyRequiredErrorId, ErrorCategory.SecurityError, target,
                    $"Give the set's passphrase with -EncryptionPassphrase (Read-Host -AsSecureString), then run {again} again; nothing was uploaded in plaintext.");
            }
            catch (System.Exception e) when (e is System.IO.IOException || e is System.UnauthorizedAccessException)
            {
                global::DoltBackup.Manifest.UploadRecord.Failed(manifest, target, e.Message);
                WriteDoltError(e, "UploadFailed", ErrorCategory.ReadError, target,
                    $"A file of the local set could not be read; check the backup folder {manifest.BackupFolder}, then run {again} again.");
            }
            catch (System.OperationCanceledException)
            {
                global::DoltBackup.Manifest.UploadRecord.Failed(manifest, target, "the upload was stopped.");
                TryWriteLocalManifest(manifest);
                throw;
            }
            finally
            {
                WriteProgress(new ProgressRecord(progressId, "Uploading " + target, "Done") { RecordType = ProgressRecordType.Completed });
            }
            TryWriteLocalManifest(manifest);
            return ok;
        }

        private bool TryWriteLocalManifest(global::DoltBackup.Manifest.BackupManifest manifest)
        {
            try
            {
                global::DoltBackup.Manifest.ManifestStore.Write(manifest);
                return true;
            }
            catch (System.Exception e) when (e is System.IO.IOException || e is System.UnauthorizedAccessException)
            {
                WriteDoltError(e, "ManifestWriteFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Make the backup folder writable, then run Sync-DoltBackup again.");
                return false;
            }
        }
    }
}
