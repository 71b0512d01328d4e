using System;
using System.IO;
using System.Management.Automation;
using DoltBackup.Capture;
using DoltBackup.Common;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Captures the Dolt server's configuration files into a backup set.</para>
    /// <para type="description">Copies the sql-server YAML and the files it names, the global Dolt directory, each
    /// database's config.json and repo_state.json, privileges.db and (when no server runs) branch_control.db into the
    /// backup folder of each manifest, records every file with its SHA-256, rewrites manifest.json and passes the
    /// manifest on. Secrets are left out unless -IncludeSecrets.</para>
    /// </summary>
    [Cmdlet(VerbsData.Backup, "DoltConfiguration", DefaultParameterSetName = ManifestSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupManifest))]
    public sealed class BackupDoltConfigurationCommand : DoltBackupCmdlet
    {
        private const string ManifestSet = "Manifest";
        private const string PathSet = "Path";

        /// <summary>The backup set to capture into (from Get-DoltBackup, New-DoltBackup or Sync-DoltBackup).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ManifestSet, HelpMessage = "The backup manifest to capture into.")]
        [ValidateNotNull]
        public BackupManifest InputObject { get; set; }

        /// <summary>The passphrase of an encrypted set whose recipients include one (a write needs it again).</summary>
        [Parameter(HelpMessage = "The passphrase of an encrypted backup set that was created with -EncryptionPassphrase (Read-Host -AsSecureString); needed again to write into it.")]
        public System.Security.SecureString EncryptionPassphrase { get; set; }

        /// <summary>A backup folder, or the path of a manifest.json.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true,
            HelpMessage = "A backup folder, or the path of a manifest.json.")]
        [Alias("FullName", "BackupFolder")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>The sql-server YAML config; default the manifest's Source.ConfigPath.</summary>
        [Parameter(HelpMessage = "The Dolt sql-server YAML config file.")]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        /// <summary>The directory the sql-server runs in, against which Dolt resolves relative paths of the YAML.</summary>
        [Parameter(HelpMessage = "The working directory of the sql-server process (default: the YAML file's folder).")]
        [ValidateNotNullOrEmpty]
        public string ServerWorkingDirectory { get; set; }

        /// <summary>The data directory; default data_dir of the YAML, else the manifest's Source.DataDir.</summary>
        [Parameter(HelpMessage = "The Dolt data directory (default: data_dir of the YAML, else the manifest's source).")]
        [ValidateNotNullOrEmpty]
        public string DataDir { get; set; }

        /// <summary>The global Dolt directory; default $DOLT_ROOT_PATH/.dolt, else $HOME/.dolt.</summary>
        [Parameter(HelpMessage = "The global Dolt directory (default: $DOLT_ROOT_PATH/.dolt, else $HOME/.dolt).")]
        [ValidateNotNullOrEmpty]
        public string GlobalConfigDir { get; set; }

        /// <summary>Only these databases' files; default every database of the data directory.</summary>
        [Parameter(HelpMessage = "Capture only these databases' config.json and repo_state.json (default: every database).")]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>Capture secrets too, owner-only and marked Secret.</summary>
        /// <summary>How to reach a set in an object store (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Connection options for a backup set in an object store (s3://, az://, https://account.blob.core.windows.net), from New-DoltBackupStorageContext. A piped manifest passes along the one it was read or made with (Get-DoltBackup, New-DoltBackup, Sync-DoltBackup -StorageContext); one given here wins.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        [Parameter(HelpMessage = "Also capture secrets (creds/*.jwk, the profile key, TLS private keys, sql-server.info), stored owner-only.")]
        public SwitchParameter IncludeSecrets { get; set; }

        private readonly ServerFileCapture _capture = new ServerFileCapture();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ManifestSet)
            {
                Capture(InputObject, InputObject.ToString());
                return;
            }
            foreach (var p in Path)
            {
                BackupManifest manifest;
                if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(p))
                {
                    // A set in an object store: its manifest is read (and written back) under the set's lock.
                    Capture(new BackupManifest { Id = p, Destination = { BackupFolder = global::DoltBackup.Storage.StorageLocation.Parse(p).DisplayName } }, p);
                    continue;
                }
                try
                {
                    manifest = ManifestStore.Read(ResolveUserPath(p));
                }
                catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
                {
                    WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p, "Give a backup folder that holds manifest.json, or the path of a manifest.json.");
                    continue;
                }
                catch (ManifestSchemaException e)
                {
                    WriteDoltError(e, "ManifestUnreadable", ErrorCategory.InvalidData, p, "Use a manifest written by DoltBackup, or update the module when the manifest is newer than it.");
                    continue;
                }
                catch (UnauthorizedAccessException e)
                {
                    WriteDoltError(e, "ManifestAccessDenied", ErrorCategory.PermissionDenied, p, "Run as a user that can read the backup folder.");
                    continue;
                }
                Capture(manifest, p);
            }
        }

        private void Capture(BackupManifest manifest, string target)
        {
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                WriteDoltError(new DoltBackupException($"The backup set '{manifest}' has no backup folder to capture files into."), "NoBackupFolder",
                    ErrorCategory.InvalidArgument, manifest, "Pass a manifest read from disk (Get-DoltBackup) or one made by New-DoltBackup.");
                return;
            }
            string action = IncludeSecrets
                ? "Capture the Dolt configuration files, secrets included, into config/ and rewrite manifest.json"
                : "Capture the Dolt configuration files (secrets left out) into config/ and rewrite manifest.json";
            if (!PrepareSetEncryption(manifest, EncryptionPassphrase))
            {
                return;
            }
            if (!ShouldProcess(manifest.BackupFolder, action))
            {
                return;
            }
            if (IsRemoteSet(manifest))
            {
                var uploaded = WriteIntoRemoteSet(manifest, StorageContext, m => PrepareSetEncryption(m, EncryptionPassphrase) && CaptureLocked(m, target));
                if (uploaded != null)
                {
                    WriteObject(uploaded);
                }
                return;
            }
            if (CaptureLocked(manifest, target))
            {
                WriteObject(manifest);
            }
        }

        /// <summary>Captures into the set's local folder under its lock and rewrites its manifest; false after an error (written).</summary>
        private bool CaptureLocked(BackupManifest manifest, string target)
        {
            var options = new CaptureOptions
            {
                ConfigPath = ConfigPath == null ? null : ResolveUserPath(ConfigPath),
                ServerWorkingDirectory = ServerWorkingDirectory == null ? null : ResolveUserPath(ServerWorkingDirectory),
                DataDir = DataDir == null ? null : ResolveUserPath(DataDir),
                GlobalConfigDir = GlobalConfigDir == null ? null : ResolveUserPath(GlobalConfigDir),
                Databases = Database,
                IncludeSecrets = IncludeSecrets,
                OnFile = f => WriteVerbose("Capturing " + f),
            };
            var progress = new ProgressRecord(1, "Backup-DoltConfiguration", "Capturing configuration files into " + manifest.BackupFolder);
            WriteProgress(progress);
            try
            {
                using (var setLock = BackupSetLock.TryAcquire(manifest.BackupFolder))
                {
                    if (setLock == null)
                    {
                        WriteDoltError(new DoltBackupException($"Another DoltBackup command is writing the backup set in '{manifest.BackupFolder}'."), "BackupSetBusy",
                            ErrorCategory.ResourceBusy, target, "Wait for the running Sync-DoltBackup (or other writer) to finish, then run the command again.");
                        return false;
                    }
                    var result = _capture.CaptureInto(manifest, options);
                    if (result.ServerConfig != null)
                    {
                        if (result.ServerConfig.UnknownKeys.Count > 0)
                        {
                            WriteWarning($"The sql-server config '{result.ServerConfig.ConfigPath}' has keys DoltBackup does not know: {string.Join(", ", result.ServerConfig.UnknownKeys)}. They were ignored.");
                        }
                        foreach (var w in result.ServerConfig.Warnings)
                        {
                            WriteWarning(w);
                        }
                    }
                    foreach (var w in result.Warnings)
                    {
                        WriteWarning(w);
                    }
                    foreach (var error in result.Errors)
                    {
                        WriteDoltError(new DoltBackupException(error.Message), "CaptureFailed", ErrorCategory.ReadError, error.Target,
                            "Check that the file is a readable regular file for this user, then run Backup-DoltConfiguration again; the other files were captured.");
                    }
                    ManifestStore.Write(manifest);
                    WriteVerbose($"Captured {result.Artifacts.Count} file(s) into {System.IO.Path.Combine(manifest.BackupFolder, ServerFileCapture.StoreFolder)}; {result.Omitted.Count} left out.");
                }
                return true;
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                WriteDoltError(e, "ConfigurationNotFound", ErrorCategory.ObjectNotFound, target, "Check -ConfigPath, -DataDir and -ServerWorkingDirectory.");
                return false;
            }
            catch (DoltBackupException e)
            {
                WriteDoltError(e, "ConfigurationInvalid", ErrorCategory.InvalidData, target, "Fix the sql-server config (Dolt would refuse it too), or set the environment variables it uses.");
                return false;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "CaptureFailed", ErrorCategory.WriteError, target, "Check that the backup folder is writable by this user.");
                return false;
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }
}
