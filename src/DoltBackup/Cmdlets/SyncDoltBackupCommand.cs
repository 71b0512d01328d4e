using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using DoltBackup.Backup;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Syncs every database of a backup set: dolt_backup('sync') (or dolt_push), several at once.</para>
    /// <para type="description">Takes backup manifests from the pipeline (New-DoltBackup, Get-DoltBackup), from -Path,
    /// or from the server's registrations with -Name. For each database it records every branch head, tag and
    /// dolt_hashof_db(), syncs, and records timing and result; the manifest is written atomically after each database
    /// and at the end, and emitted.</para>
    /// </summary>
    [Cmdlet(VerbsData.Sync, "DoltBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(BackupManifest))]
    public sealed class SyncDoltBackupCommand : DoltEngineCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string ServerSet = "Server";

        /// <summary>A backup manifest (from New-DoltBackup or Get-DoltBackup).</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true, Position = 0, HelpMessage = "A backup manifest from New-DoltBackup or Get-DoltBackup.")]
        [ValidateNotNull]
        public BackupManifest InputObject { get; set; }

        /// <summary>Backup folders (or manifest.json paths); with -Name, the folder for the manifest.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "Backup folders (or manifest.json paths) to sync.")]
        [Parameter(ParameterSetName = ServerSet, HelpMessage = "With -Name: the backup folder for manifest.json (default: the folder holding the file:// stores).")]
        [Alias("FullName", "BackupFolder")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Sync the backup registered under this name in every selected database of the server.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ServerSet, HelpMessage = "Sync the backup registered under this name in every selected database of the server.")]
        [ValidatePattern("^[A-Za-z0-9_-]{1,64}$")]
        public string Name { get; set; }

        /// <summary>Only these databases (wildcards); the others are recorded as skipped.</summary>
        [Parameter(HelpMessage = "Only these databases (wildcards); the others are recorded as Skipped.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Database { get; set; }

        /// <summary>Leave these databases out (wildcards); they are recorded as skipped.</summary>
        [Parameter(HelpMessage = "Leave these databases out (wildcards); they are recorded as Skipped.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] ExcludeDatabase { get; set; }

        /// <summary>How many databases to sync at once (one connection each).</summary>
        [Parameter(HelpMessage = "How many databases to sync at once, one connection (or dolt process) each. Default 4.")]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>Also capture secrets (TLS keys, creds/*.jwk, the profile key, sql-server.info), stored owner-only.</summary>
        [Parameter(HelpMessage = "Also capture secret files (TLS private keys, creds/*.jwk, the profile key, sql-server.info); stored owner-only and marked secret.")]
        public SwitchParameter IncludeSecrets { get; set; }

        /// <summary>Do not capture the configuration files.</summary>
        [Parameter(HelpMessage = "Do not capture the configuration files (YAML, TLS, global config, per-database config, privileges) into the backup folder.")]
        public SwitchParameter SkipConfiguration { get; set; }

        /// <summary>The global Dolt directory to capture (default $DOLT_ROOT_PATH/.dolt, else $HOME/.dolt).</summary>
        [Parameter(HelpMessage = "The global Dolt directory to capture (default: $DOLT_ROOT_PATH/.dolt, else $HOME/.dolt).")]
        [ValidateNotNullOrEmpty]
        public string GlobalConfigDir { get; set; }

        /// <summary>AWS region of the volumes (-Method EbsSnapshot); default: the SDK's region chain.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: the AWS region of the volumes (default: AWS_REGION, the profile's region, or the instance's).")]
        [ValidateNotNullOrEmpty]
        public string Region { get; set; }

        /// <summary>AWS shared-credentials profile (-Method EbsSnapshot).</summary>
        [Parameter(HelpMessage = "EbsSnapshot: the AWS profile (shared credentials/config files) to use; default: the SDK's credential chain.")]
        [ValidateNotNullOrEmpty]
        public string ProfileName { get; set; }

        /// <summary>An object-store backup root (s3://, az://) each synced set is copied to, as &lt;CopyTo&gt;/&lt;set id&gt;.</summary>
        [Parameter(HelpMessage = "Also copy each synced backup set off the host: s3://bucket/prefix, az://account/container/prefix or https://account.blob.core.windows.net/container/prefix; the set goes to <CopyTo>/<set id>, manifest.json last.")]
        [ValidateNotNullOrEmpty]
        public string CopyTo { get; set; }

        /// <summary>How to reach -CopyTo, or a staged set's s3:// or az:// destination (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Connection options for -CopyTo, or for the s3://, az:// or Azure Blob https:// destination of a set New-DoltBackup staged (default: the one the piped manifest carries, from New-DoltBackup or Get-DoltBackup), from New-DoltBackupStorageContext.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>EC2 endpoint URL (-Method EbsSnapshot), for VPC endpoints and tests.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: the EC2 endpoint URL (a VPC endpoint, for example); default: the region's.")]
        [ValidateNotNullOrEmpty]
        public string EndpointUrl { get; set; }

        /// <summary>Snapshot these volumes instead of discovering them from the data directory.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: snapshot these volume ids instead of finding the volumes of the data directory (Windows, non-Nitro instances).")]
        [ValidatePattern("^vol-[0-9a-f]{8,17}$")]
        public string[] VolumeId { get; set; }

        /// <summary>The instance the volumes are attached to (for Multi-Attach volumes).</summary>
        [Parameter(HelpMessage = "EbsSnapshot: the instance whose volumes are snapshotted together (needed only for Multi-Attach volumes).")]
        [ValidatePattern("^i-[0-9a-f]{8,17}$")]
        public string InstanceId { get; set; }

        /// <summary>Extra tags for the snapshots.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: extra tags for the snapshots, as a hashtable (@{ Team = 'dba' }); Name, the backup id and the databases are always set.")]
        public System.Collections.Hashtable Tag { get; set; }

        /// <summary>How long to wait for the snapshots to complete.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: how long to wait for the snapshots to complete (default 1 hour), for example (New-TimeSpan -Minutes 30) or '00:30:00'.")]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Start the snapshots and return without waiting.</summary>
        [Parameter(HelpMessage = "EbsSnapshot: start the snapshots and return; the set stays Running until a later Sync-DoltBackup of it waits for them.")]
        public SwitchParameter NoWait { get; set; }

        /// <summary>The passphrase of an encrypted set whose recipients include one (a write needs it again).</summary>
        [Parameter(HelpMessage = "The passphrase of an encrypted backup set that was created with -EncryptionPassphrase (Read-Host -AsSecureString); needed again to write into it.")]
        public System.Security.SecureString EncryptionPassphrase { get; set; }

        /// <summary>FileCopy: the form of the copy.</summary>
        [Parameter(HelpMessage = "FileCopy sets: TarGzip (default: one compressed archive), Tar, or Tree (a plain copy of the folder).")]
        public DoltBackup.FileCopy.FileCopyFormat Format { get; set; } = DoltBackup.FileCopy.FileCopyFormat.TarGzip;

        /// <summary>FileCopy: stops the server before the copy.</summary>
        [Parameter(HelpMessage = "FileCopy sets: a script block that stops the Dolt server before the copy, for example { systemctl stop dolt }.")]
        public ScriptBlock StopCommand { get; set; }

        /// <summary>FileCopy: starts the server after the copy, always (even when the copy failed).</summary>
        [Parameter(HelpMessage = "FileCopy sets: a script block that starts the Dolt server again after the copy; it always runs, even when the copy fails.")]
        public ScriptBlock StartCommand { get; set; }

        private int _nextActivityId = 1;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    SyncManifest(InputObject);
                    break;
                case PathSet:
                    foreach (var p in Path)
                    {
                        BackupManifest m;
                        try
                        {
                            m = ManifestStore.Read(ResolveUserPath(p));
                        }
                        catch (Exception e) when (e is IOException || e is ManifestSchemaException || e is UnauthorizedAccessException)
                        {
                            WriteDoltError(e, "ManifestNotFound", ErrorCategory.ObjectNotFound, p, "Give a backup folder that holds manifest.json (New-DoltBackup writes it).");
                            continue;
                        }
                        SyncManifest(m);
                    }
                    break;
                default:
                    var built = BuildFromServer();
                    if (built != null)
                    {
                        SyncManifest(built);
                    }
                    break;
            }
        }

        /// <summary>
        /// Where to sync a manifest from: this cmdlet's -Server/-ConfigPath/-DataDir when given; else where the manifest
        /// came from (<see cref="DoltServerCmdlet.RequestForRecordedSource"/>).
        /// </summary>
        private DoltEngineRequest RequestFor(BackupManifest manifest)
        {
            if (HasServerParameters || IsOfflineRequested || manifest == null)
            {
                return BuildEngineRequest();
            }
            return RequestForRecordedSource(manifest, TimeSpan.FromSeconds(OperationTimeout), ResolveDoltPath(DoltPath));
        }

        private BackupManifest BuildFromServer()
        {
            DoltEngineRequest request = null;
            try
            {
                request = BuildEngineRequest();
                EnsureOfflineAllowed(request);
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, Name, "Correct the parameters; see Get-Help Sync-DoltBackup -Full.");
            }
            catch (IOException e)
            {
                ThrowDoltError(e, "ConfigUnreadable", ErrorCategory.ReadError, ConfigPath, "Check -ConfigPath.");
            }
            catch (DoltBackupException e)
            {
                ThrowDoltError(e, "ConfigInvalid", ErrorCategory.InvalidData, ConfigPath, "Fix the sql-server config (Dolt would refuse it too), or connect with -Server and -Port.");
            }
            catch (DoltEngineException e)
            {
                ThrowTerminatingError(EngineError(e, DataDir));
            }
            using (var engine = DoltEngineFactory.Create(request))
            {
                try
                {
                    string folder = Path != null && Path.Length > 0 ? ResolveUserPath(Path[0]) : null;
                    var manifest = RegisteredSetReader.ReadAsync(engine, Name, Database, ExcludeDatabase, folder, DescribeSource(request), StopToken).GetAwaiter().GetResult();
                    foreach (var w in manifest.Warnings)
                    {
                        WriteWarning(w);
                    }
                    manifest.SessionConnection = request.Server?.Clone();
                    manifest.SessionDoltPath = request.DoltPath;
                    return manifest;
                }
                catch (DoltEngineException e)
                {
                    WriteError(EngineError(e, Name));
                    return null;
                }
            }
        }

        private void SyncManifest(BackupManifest manifest)
        {
            if (!PrepareSetEncryption(manifest, EncryptionPassphrase))
            {
                return;
            }
            if (manifest.Method == BackupMethod.EbsSnapshot)
            {
                SyncEbs(manifest);
                return;
            }
            if (manifest.Method == BackupMethod.FileCopy)
            {
                SyncFileCopy(manifest);
                return;
            }
            DoltEngineRequest request = null;
            try
            {
                request = RequestFor(manifest);
                EnsureOfflineAllowed(request);
            }
            catch (ArgumentException e)
            {
                WriteDoltError(e, "InvalidArgument", ErrorCategory.InvalidArgument, manifest, "Correct the parameters; see Get-Help Sync-DoltBackup -Full.");
                return;
            }
            catch (IOException e)
            {
                WriteDoltError(e, "ConfigUnreadable", ErrorCategory.ReadError, manifest, "Check -ConfigPath.");
                return;
            }
            catch (DoltBackupException e)
            {
                WriteDoltError(e, "ConfigInvalid", ErrorCategory.InvalidData, manifest, "Fix the sql-server config (Dolt would refuse it too), or connect with -Server and -Port.");
                return;
            }
            catch (DoltEngineException e)
            {
                WriteError(EngineError(e, manifest));
                return;
            }

            var selected = DatabaseSelector.Select(manifest.DatabaseNames, Database, ExcludeDatabase, out var missing);
            foreach (var m in missing)
            {
                WriteError(DoltBackupErrors.Create($"The backup set '{manifest}' has no database named '{m}'.", "DatabaseNotFound", ErrorCategory.ObjectNotFound, m,
                    "Check -Database against the set's databases: (Get-DoltBackup <folder>).Databases."));
            }
            var approved = new HashSet<string>(StringComparer.Ordinal);
            bool declined = false;
            foreach (var item in manifest.Databases.Where(d => selected.Contains(d.Name)))
            {
                string target = $"database '{item.Name}' -> {item.Url}";
                string action = manifest.Method == BackupMethod.Push ? $"Push every branch to remote '{item.BackupName}'" : $"Sync backup '{item.BackupName}' (overwrites the backup's root)";
                if (ShouldProcess(target, action))
                {
                    approved.Add(item.Name);
                }
                else
                {
                    declined = true;
                }
            }
            if (approved.Count == 0)
            {
                if (selected.Count == 0 && !declined)
                {
                    WriteError(DoltBackupErrors.Create($"No database of the backup set '{manifest}' was selected: nothing to sync.", "NoDatabases", ErrorCategory.ObjectNotFound, manifest,
                        "Check -Database and -ExcludeDatabase against the set's databases."));
                }
                return; // -WhatIf or all declined: nothing changes, the manifest included.
            }

            MarkUploadsPending(manifest);
            using (var engine = DoltEngineFactory.Create(request))
            {
                RunSync(engine, manifest, approved, declined, request);
            }
        }

        private void RunSync(IDoltEngine engine, BackupManifest manifest, HashSet<string> approved, bool declined, DoltEngineRequest request)
        {
            WriteVerbose($"Sync-DoltBackup: {manifest.Id} ({manifest.Method}, {approved.Count} of {manifest.Databases.Count} databases) on {engine.Description}, {ThrottleLimit} at once.");
            var events = new BlockingCollection<SyncEvent>();
            var observer = new QueueObserver(events);
            var service = new BackupSyncService(engine);
            var options = new SyncOptions
            {
                ThrottleLimit = ThrottleLimit,
                Databases = approved,
                SkipReason = declined ? "not confirmed, or not selected by -Database/-ExcludeDatabase" : "not selected by -Database/-ExcludeDatabase",
                Capture = CaptureOptionsFor(manifest, request),
            };
            var task = Task.Run(() => service.SyncAsync(manifest, options, observer, StopToken));
            task.ContinueWith(_ => events.CompleteAdding(), TaskScheduler.Default);

            int overallId = _nextActivityId++;
            var overall = new ProgressRecord(overallId, $"Sync-DoltBackup {manifest.Id}", $"0 of {approved.Count} databases");
            var children = new Dictionary<string, ProgressRecord>(StringComparer.Ordinal);
            try
            {
                WriteProgress(overall);
                foreach (var e in events.GetConsumingEnumerable())
                {
                    Report(e, overall, children);
                }
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: let the service record what completed before the pipeline goes away.
                task.Wait(TimeSpan.FromSeconds(60));
                throw;
            }
            finally
            {
                if (!Stopping)
                {
                    foreach (var child in children.Values)
                    {
                        child.RecordType = ProgressRecordType.Completed;
                        WriteProgress(child);
                    }
                    overall.RecordType = ProgressRecordType.Completed;
                    overall.PercentComplete = 100;
                    WriteProgress(overall);
                }
            }

            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (DoltEngineException e)
            {
                WriteError(EngineError(e, manifest));
                return;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "ManifestWriteFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Make the backup folder writable.");
                return;
            }
            if (manifest.Status != BackupStatus.Completed)
            {
                int failed = manifest.Databases.Count(d => d.Status == ItemStatus.Failed);
                int skipped = manifest.Databases.Count(d => d.Status == ItemStatus.Skipped);
                WriteWarning($"Backup set {manifest.Id} is {manifest.Status}: {manifest.Databases.Count(d => d.Status == ItemStatus.Completed)} completed, {failed} failed, {skipped} skipped.");
            }
            manifest.SessionConnection = request.Server?.Clone();
            manifest.SessionDoltPath = request.DoltPath;
            PublishStagedSet(manifest, StorageContext, StopToken);
            CopySetOffHost(manifest, CopyTo, StorageContext, StopToken);
            WriteObject(Carrying(manifest, StorageContext));
        }

        private void SyncFileCopy(BackupManifest manifest)
        {
            string dataDir = !string.IsNullOrEmpty(DataDir) ? ResolveUserPath(DataDir) : manifest.Source?.DataDir;
            string offHost = manifest.Destination?.ObjectStoreUrl;
            if (!ShouldProcess($"backup set {manifest.Id}", $"Copy the data directory {dataDir} ({Format}), holding every database's lock"
                + (StopCommand != null ? ", after running -StopCommand" : "") + (offHost != null ? ", streaming it to " + offHost : "")))
            {
                return;
            }
            if (!string.IsNullOrEmpty(CopyTo) && FileCopySync.HoldsItsCopy(manifest))
            {
                // The set holds its copy (a set is one point in time): copy it off the host as it is (again, after a failed upload).
                WriteVerbose($"Backup set {manifest.Id} holds its copy already: it is only copied to {CopyTo}.");
                CopySetOffHost(manifest, CopyTo, StorageContext, StopToken);
                WriteObject(Carrying(manifest, StorageContext));
                return;
            }
            MarkUploadsPending(manifest);
            int activity = _nextActivityId++;
            var progress = new ProgressRecord(activity, "FileCopy " + manifest.Id, "Locking the databases");
            var options = new DoltBackup.FileCopy.FileCopyOptions
            {
                DataDir = dataDir,
                Format = Format,
                StopCommand = StopCommand == null ? (Action)null : () => StopCommand.Invoke(),
                StartCommand = StartCommand == null ? (Action)null : () => StartCommand.Invoke(),
                CancellationToken = StopToken,
                Progress = p =>
                {
                    progress.StatusDescription = $"{p.FilesDone} of {p.FilesTotal} files";
                    progress.CurrentOperation = p.CurrentFile;
                    progress.PercentComplete = p.Percent;
                    WriteProgress(progress);
                },
            };
            var warnings = new List<string>();
            try
            {
                var capture = CaptureOptionsFor(manifest, new DoltEngineRequest { DataDir = dataDir });
                DoltBackup.FileCopy.FileCopyResult result;
                if (offHost == null)
                {
                    result = FileCopySync.Sync(manifest, options, capture, warnings.Add);
                }
                else
                {
                    var context = StorageContext ?? manifest.SessionStorageContext;
                    manifest.SessionStorageContext = context;
                    const int uploadProgressId = 43;
                    using (var location = global::DoltBackup.Storage.BackupLocations.Open(offHost, context))
                    {
                        result = FileCopySync.SyncOffHost(manifest, options, capture, warnings.Add, location,
                            TransferProgressBar(uploadProgressId, "Uploading " + offHost), out var published);
                        if (published != null)
                        {
                            WriteVerbose($"Uploaded {manifest.Id} to {offHost}: the data dir streamed as it was read, then {published.Transferred} small objects ({published.Bytes} bytes), manifest.json last.");
                        }
                    }
                }
                WriteVerbose($"Copied {result.Files} files ({result.Bytes} bytes) of {string.Join(", ", result.Databases)} to {result.OutputPath} in {result.Duration.TotalSeconds:0.0} s.");
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                // The upload failed: the object store holds no manifest.json of this set (it is visibly incomplete).
                WriteError(e.ToErrorRecord());
            }
            catch (DoltBackup.FileCopy.FileCopyRefusedException e)
            {
                string action = e.Reason == DoltBackup.FileCopy.FileCopyRefusal.ServerRunning
                    ? "Stop the Dolt server first (systemctl stop dolt, Stop-Service dolt), or pass -StopCommand and -StartCommand; or back up through the server with -Method DoltBackup."
                    : e.Reason == DoltBackup.FileCopy.FileCopyRefusal.DatabaseLocked
                        ? "A Dolt process holds that database (its noms/LOCK): stop it first (nothing overrides a held lock), then run Sync-DoltBackup again."
                        : e.Reason == DoltBackup.FileCopy.FileCopyRefusal.TooLargeToEncrypt
                            ? "Run Sync-DoltBackup again with -Format TarGzip (the default) or -Format Tar: an encrypted archive is written in parts. Nothing was copied."
                            : "Create a new set with New-DoltBackup -Method FileCopy.";
                WriteDoltError(e, "FileCopyRefused", e.Reason == DoltBackup.FileCopy.FileCopyRefusal.InvalidDataDir ? ErrorCategory.InvalidOperation
                    : e.Reason == DoltBackup.FileCopy.FileCopyRefusal.TooLargeToEncrypt ? ErrorCategory.LimitsExceeded : ErrorCategory.ResourceBusy,
                    (object)e.Database ?? dataDir, action);
            }
            catch (InvalidOperationException e)
            {
                WriteDoltError(e, "BackupSetBusy", ErrorCategory.ResourceBusy, manifest.BackupFolder, "Wait for the other writer of the set to finish, then run again.");
                return;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "FileCopyFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Check free space and permissions of the backup folder and the data directory; partial output was removed.");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
            warnings.ForEach(WriteWarning);
            if (manifest.Status != BackupStatus.Completed)
            {
                WriteWarning($"Backup set {manifest.Id} is {manifest.Status}.");
            }
            CopySetOffHost(manifest, CopyTo, StorageContext, StopToken);
            WriteObject(Carrying(manifest, StorageContext));
        }

        private void SyncEbs(BackupManifest manifest)
        {
            var options = new DoltBackup.Ebs.EbsSnapshotOptions
            {
                Region = Region,
                ProfileName = ProfileName,
                EndpointUrl = EndpointUrl,
                InstanceId = InstanceId,
                NoWait = NoWait.IsPresent,
                Timeout = Timeout,
            };
            foreach (var v in VolumeId ?? Array.Empty<string>())
            {
                options.VolumeIds.Add(v);
            }
            if (Tag != null)
            {
                options.Tags = DoltBackup.Ebs.EbsTags.FromHashtable(Tag);
            }
            string what = manifest.Snapshots.Count > 0 ? "Wait for the pending EBS snapshots" : "Create EBS snapshots of the volumes that hold " + (options.VolumeIds.Count > 0 ? string.Join(", ", options.VolumeIds) : manifest.Source?.DataDir);
            if (!ShouldProcess($"backup set {manifest.Id}", what))
            {
                return;
            }
            MarkUploadsPending(manifest);
            int activity = _nextActivityId++;
            try
            {
                var capture = CaptureOptionsFor(manifest, new DoltEngineRequest { DataDir = manifest.Source?.DataDir });
                var warnings = new List<string>();
                var result = new EbsSnapshotSync().Sync(manifest, options, p => WriteProgress(p.ToProgressRecord(activity)), StopToken, capture, warnings.Add);
                warnings.ForEach(WriteWarning);
                foreach (var e in result.Errors)
                {
                    WriteError(e.ToErrorRecord(manifest.Id));
                }
            }
            catch (DoltBackup.Ebs.EbsException e)
            {
                WriteError(e.ToErrorRecord(manifest.Id));
            }
            catch (InvalidOperationException e)
            {
                WriteDoltError(e, "BackupSetBusy", ErrorCategory.ResourceBusy, manifest.BackupFolder, "Wait for the other writer of the set to finish, then run again.");
                return;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "ManifestWriteFailed", ErrorCategory.WriteError, manifest.BackupFolder, "Make the backup folder writable.");
                return;
            }
            foreach (var w in manifest.Warnings)
            {
                WriteVerbose(w);
            }
            if (manifest.Status != BackupStatus.Completed)
            {
                WriteWarning($"Backup set {manifest.Id} is {manifest.Status}: " + string.Join("; ", manifest.Snapshots.Select(x => $"{x.VolumeId} {x.SnapshotId} {x.State} {x.Progress}")));
            }
            CopySetOffHost(manifest, CopyTo, StorageContext, StopToken);
            WriteObject(Carrying(manifest, StorageContext));
        }

        /// <summary>
        /// Before a sync changes the set: the uploads this run makes after it are recorded as under way, so the local
        /// manifest never says Completed while a copy off the host is older (<see cref="UploadRecord"/>).
        /// </summary>
        private void MarkUploadsPending(BackupManifest manifest)
        {
            if (!string.IsNullOrEmpty(manifest.Destination?.ObjectStoreUrl))
            {
                UploadRecord.Pending(manifest, manifest.Destination.ObjectStoreUrl);
            }
            if (!string.IsNullOrEmpty(CopyTo))
            {
                UploadRecord.Pending(manifest, CopyTarget(manifest, CopyTo));
            }
        }

        /// <summary>
        /// What to capture after the databases: the files are local, so only when this machine has them: a -ConfigPath
        /// or data dir is known (the manifest's source or this cmdlet's parameters). A server reached only by host name
        /// gets one warning that says how to capture its files.
        /// </summary>
        private DoltBackup.Capture.CaptureOptions CaptureOptionsFor(BackupManifest manifest, DoltEngineRequest request)
        {
            if (SkipConfiguration || manifest.Method == BackupMethod.Push)
            {
                return null;
            }
            string configPath = !string.IsNullOrEmpty(ConfigPath) ? ResolveUserPath(ConfigPath) : manifest.Source?.ConfigPath;
            string dataDir = request.DataDir ?? manifest.Source?.DataDir;
            if (string.IsNullOrEmpty(configPath) && string.IsNullOrEmpty(dataDir))
            {
                WriteWarning($"Backup set {manifest.Id}: the server's configuration files (config.yaml, privileges, per-database config and remotes) were not captured: " +
                    "DoltBackup knows neither its -ConfigPath nor its data directory. Run on the server's machine with -ConfigPath (or -DataDir), or use Backup-DoltConfiguration there. -SkipConfiguration silences this.");
                return null;
            }
            return new DoltBackup.Capture.CaptureOptions
            {
                ConfigPath = configPath,
                DataDir = dataDir,
                GlobalConfigDir = string.IsNullOrEmpty(GlobalConfigDir) ? null : ResolveUserPath(GlobalConfigDir),
                Databases = manifest.DatabaseNames,
                IncludeSecrets = IncludeSecrets.IsPresent,
                ServerRunning = request.Server != null ? true : (bool?)null,
                OnFile = null,
            };
        }

        private void Report(SyncEvent e, ProgressRecord overall, Dictionary<string, ProgressRecord> children)
        {
            switch (e.Kind)
            {
                case SyncEventKind.Verbose:
                    WriteVerbose(e.Message);
                    break;
                case SyncEventKind.Warning:
                    WriteWarning(e.Message);
                    break;
                case SyncEventKind.DatabaseStarted:
                    var child = new ProgressRecord(_nextActivityId++, e.Database, "Syncing to " + e.Url) { ParentActivityId = overall.ActivityId };
                    children[e.Database] = child;
                    WriteProgress(child);
                    break;
                case SyncEventKind.DatabaseFinished:
                    if (children.TryGetValue(e.Database, out var done))
                    {
                        done.StatusDescription = e.Status.ToString();
                        done.RecordType = ProgressRecordType.Completed;
                        WriteProgress(done);
                        children.Remove(e.Database);
                    }
                    overall.StatusDescription = $"{e.Finished} of {e.Total} databases";
                    overall.PercentComplete = e.Total == 0 ? 100 : Math.Min(100, e.Finished * 100 / e.Total);
                    WriteProgress(overall);
                    if (e.Error != null)
                    {
                        if (e.Error.Kind == DoltErrorKind.Cancelled && Stopping)
                        {
                            break;
                        }
                        WriteError(EngineError(e.Error, e.Database));
                    }
                    else
                    {
                        WriteVerbose($"{e.Database}: synced in {e.DurationMs / 1000.0:0.0} s.");
                    }
                    break;
            }
        }

        private sealed class QueueObserver : ISyncObserver
        {
            private readonly BlockingCollection<SyncEvent> _events;

            public QueueObserver(BlockingCollection<SyncEvent> events) => _events = events;

            public void OnEvent(SyncEvent e)
            {
                try
                {
                    _events.Add(e);
                }
                catch (InvalidOperationException)
                {
                    // Completed: the cmdlet stopped listening.
                }
            }
        }
    }
}
