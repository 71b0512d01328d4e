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
        /// Where to sync a manifest from: this cmdlet's -Server/-ConfigPath/-DataDir when given; else the connection of
        /// the session that made the manifest (New-DoltBackup | Sync-DoltBackup), unless -Credential replaces it; else the
        /// manifest's recorded source with this cmdlet's -Credential and TLS parameters.
        /// </summary>
        private DoltEngineRequest RequestFor(BackupManifest manifest)
        {
            var timeout = TimeSpan.FromSeconds(OperationTimeout);
            if (HasServerParameters || IsOfflineRequested || manifest == null)
            {
                return BuildEngineRequest();
            }
            bool credentialGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Credential));
            if (manifest.SessionConnection != null && !credentialGiven)
            {
                var s = manifest.SessionConnection.Clone();
                if (MyInvocation.BoundParameters.ContainsKey(nameof(ConnectTimeout)))
                {
                    s.ConnectTimeoutSeconds = ConnectTimeout;
                }
                return new DoltEngineRequest { Server = s, OperationTimeout = timeout };
            }
            var source = manifest.Source ?? new BackupSource();
            if (string.IsNullOrEmpty(source.Server) && string.IsNullOrEmpty(source.ConfigPath) && !string.IsNullOrEmpty(source.DataDir))
            {
                return new DoltEngineRequest { DataDir = source.DataDir, DoltPath = ResolveDoltPath(DoltPath) ?? manifest.SessionDoltPath, OperationTimeout = timeout };
            }
            var settings = BuildConnectionSettings();
            if (manifest.SessionConnection != null)
            {
                settings.Host = manifest.SessionConnection.Host;
                settings.Port = manifest.SessionConnection.Port;
                settings.Socket = manifest.SessionConnection.Socket;
            }
            else
            {
                if (!string.IsNullOrEmpty(source.ConfigPath) && File.Exists(source.ConfigPath))
                {
                    var config = LoadServerConfig(source.ConfigPath);
                    settings.Host = config.ClientHost;
                    settings.Port = config.ListenerPort;
                    if (config.RequireSecureTransport && !MyInvocation.BoundParameters.ContainsKey(nameof(TlsMode)))
                    {
                        settings.Tls = TlsMode.Required;
                    }
                }
                if (!string.IsNullOrEmpty(source.Server))
                {
                    settings.Host = source.Server;
                    if (source.Port.HasValue)
                    {
                        settings.Port = source.Port.Value;
                    }
                }
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
            {
                settings.Port = Port;
            }
            return new DoltEngineRequest { Server = settings, OperationTimeout = timeout };
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
            WriteObject(manifest);
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
