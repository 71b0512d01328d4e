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
        protected string ReadLocationOf(string pathOrUrl)
        {
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
                string at = ReadLocationOf(global::DoltBackup.Manifest.ManifestStore.Read(file));
                return global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(at) ? at : pathOrUrl;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is ArgumentException || e is DoltBackupException || e is NotSupportedException || e is global::DoltBackup.Manifest.ManifestSchemaException)
            {
                return pathOrUrl; // the reader that follows reports what is wrong with it
            }
        }

        /// <summary>
        /// Where a backup set's files come from: null for a local folder (read in place), else the object-store set
        /// fetched and checked into a temporary folder (dispose it), with a progress bar.
        /// </summary>
        protected global::DoltBackup.Storage.Sets.StagedBackupSet StageIfRemote(string pathOrUrl, global::DoltBackup.Storage.StorageContext context)
        {
            if (!global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(pathOrUrl))
            {
                return null;
            }
            const int progressId = 41;
            var staged = global::DoltBackup.Storage.Sets.StagedBackupSet.Fetch(pathOrUrl, context, p => WriteProgress(
                new ProgressRecord(progressId, "Downloading " + pathOrUrl, p.Key)
                {
                    PercentComplete = p.BytesTotal > 0 ? (int)System.Math.Min(100, p.BytesDone * 100 / p.BytesTotal) : 0,
                }), System.Threading.CancellationToken.None);
            WriteProgress(new ProgressRecord(progressId, "Downloading " + pathOrUrl, "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"Fetched {staged.Source} into {staged.Folder}; every recorded object matched its size and SHA-256.");
            return staged;
        }

        /// <summary>
        /// A set whose -Destination was s3:// or az:// (its Dolt stores staged on this host): uploads the set folder to
        /// its object-store URL (only what is missing there, stores' manifests after their table files, manifest.json
        /// last), with a progress bar. Returns false after a non-terminating error: the object store then still holds
        /// the previous manifest.json (or none), never one naming what was not uploaded. Other sets: nothing, true.
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
            const int progressId = 43;
            try
            {
                var (locationUrl, setKey) = global::DoltBackup.Storage.Sets.StagedStores.PublishTarget(manifest);
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(locationUrl, context))
                {
                    var result = global::DoltBackup.Storage.Sets.StagedStores.Publish(manifest, location, setKey,
                        p => WriteProgress(new ProgressRecord(progressId, "Uploading " + url, p.Key)
                        {
                            PercentComplete = p.BytesTotal > 0 ? (int)System.Math.Min(100, p.BytesDone * 100 / p.BytesTotal) : 0,
                        }), cancellationToken);
                    WriteVerbose($"Uploaded {manifest.Id} to {url}: {result.Transferred} objects ({result.Bytes} bytes) uploaded, {result.Unchanged} unchanged.");
                    return true;
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
                return false;
            }
            finally
            {
                WriteProgress(new ProgressRecord(progressId, "Uploading " + url, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        /// <summary>
        /// With a -CopyTo URL: uploads the set's folder to &lt;copyTo&gt;/&lt;id&gt; (only what the copy lacks, manifest.json
        /// last), with a progress bar; a failure is a non-terminating error and the local set stays as it is.
        /// </summary>
        protected void CopySetOffHost(global::DoltBackup.Manifest.BackupManifest manifest, string copyTo, global::DoltBackup.Storage.StorageContext context, System.Threading.CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(copyTo) || string.IsNullOrEmpty(manifest.BackupFolder))
            {
                return;
            }
            const int progressId = 42;
            string target = copyTo.TrimEnd('/') + "/" + manifest.Id;
            if (!ShouldProcess(target, $"Copy backup set {manifest.Id} from {manifest.BackupFolder}"))
            {
                return;
            }
            try
            {
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(copyTo, context))
                {
                    var result = global::DoltBackup.Storage.Sets.BackupSetTransfer.Publish(manifest.BackupFolder, location, manifest.Id,
                        p => WriteProgress(new ProgressRecord(progressId, "Uploading " + target, p.Key)
                        {
                            PercentComplete = p.BytesTotal > 0 ? (int)System.Math.Min(100, p.BytesDone * 100 / p.BytesTotal) : 0,
                        }), cancellationToken);
                    WriteVerbose($"Copied {manifest.Id} to {target}: {result.Transferred} objects ({result.Bytes} bytes) uploaded, {result.Unchanged} unchanged.");
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
            }
            finally
            {
                WriteProgress(new ProgressRecord(progressId, "Uploading " + target, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
