using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Sync-DoltBackup's work for one manifest: takes the backup set's lock (<see cref="BackupSetLock"/>) for the whole
    /// sync, dispatches to the runner of the manifest's method, writes the manifest atomically at the start, in throttled
    /// checkpoints (<see cref="ManifestCheckpointer"/>) and at the end, and leaves a truthful status: a stopped sync marks
    /// what did not run as Skipped and never says Completed.
    /// </summary>
    public sealed class BackupSyncService
    {
        private readonly IDoltEngine _engine;
        private readonly Dictionary<BackupMethod, IBackupMethodRunner> _runners;

        /// <summary>Creates the service with the built-in runners (DoltBackup and Push) plus any given.</summary>
        public BackupSyncService(IDoltEngine engine, IEnumerable<IBackupMethodRunner> extraRunners = null)
        {
            _engine = engine;
            _runners = new IBackupMethodRunner[] { new DoltBackupMethodRunner(), new PushMethodRunner() }
                .Concat(extraRunners ?? Enumerable.Empty<IBackupMethodRunner>())
                .GroupBy(r => r.Method).ToDictionary(g => g.Key, g => g.Last());
        }

        /// <summary>The methods this service can sync.</summary>
        public IEnumerable<BackupMethod> Methods => _runners.Keys;

        /// <summary>How many times the manifest was written by the last <see cref="SyncAsync"/>.</summary>
        public int ManifestWrites { get; private set; }

        /// <summary>
        /// Syncs the manifest's databases. Per-database failures are recorded on the items and reported to the
        /// observer; set-level failures (the set is locked, the server is unreachable, the method is unknown) are thrown
        /// as <see cref="DoltEngineException"/>. Cancellation returns normally with the manifest saying what happened.
        /// </summary>
        public async Task<BackupManifest> SyncAsync(BackupManifest manifest, SyncOptions options, ISyncObserver observer, CancellationToken ct)
        {
            options = options ?? new SyncOptions();
            if (string.IsNullOrEmpty(manifest.BackupFolder))
            {
                throw new DoltEngineException(DoltErrorKind.Other, $"The backup set '{manifest}' has no backup folder to keep its manifest in.", "NoBackupFolder",
                    ErrorCategory.InvalidArgument, "Give -Path, the folder that holds (or will hold) manifest.json.");
            }
            if (!_runners.TryGetValue(manifest.Method, out var runner))
            {
                throw new DoltEngineException(DoltErrorKind.Other, $"The backup set '{manifest}' uses method {manifest.Method}, which this version of Sync-DoltBackup cannot sync.",
                    "MethodNotAvailable", ErrorCategory.NotImplemented, "Use a DoltBackup version that supports the method, or create the set with -Method DoltBackup or Push.");
            }
            using (var setLock = BackupSetLock.TryAcquire(manifest.BackupFolder))
            {
                if (setLock == null)
                {
                    throw new DoltEngineException(DoltErrorKind.Locked, $"Another sync of the backup set in '{manifest.BackupFolder}' is running (it holds {BackupSetLock.FileName}).",
                        "BackupSetBusy", ErrorCategory.ResourceBusy, "Wait for the other Sync-DoltBackup to finish, then run again.");
                }
                return await SyncLockedAsync(manifest, runner, options, observer, ct).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Captures the configuration files into the backup folder. Bad input (a config or data dir that does not exist)
        /// is a set-level error; a file that cannot be read is a failed artifact; either way the databases stay synced.
        /// </summary>
        private static void CaptureConfiguration(BackupManifest manifest, DoltBackup.Capture.CaptureOptions options, ISyncObserver observer, object gate)
        {
            lock (gate)
            {
                try
                {
                    var result = new DoltBackup.Capture.ServerFileCapture().CaptureInto(manifest, options);
                    observer?.OnEvent(new SyncEvent { Kind = SyncEventKind.Verbose, Message = $"Captured {result.Artifacts.Count} configuration files ({result.Omitted.Count} left out)." });
                    foreach (var w in result.Warnings)
                    {
                        observer?.OnEvent(new SyncEvent { Kind = SyncEventKind.Warning, Message = w });
                    }
                }
                catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is DoltBackup.Common.DoltBackupException)
                {
                    manifest.AddError(manifest.Id ?? manifest.Name, "DoltBackup.CaptureFailed", "The configuration files were not captured: " + e.Message);
                    observer?.OnEvent(new SyncEvent { Kind = SyncEventKind.Warning, Message = "The configuration files were not captured: " + e.Message });
                }
            }
        }

        private async Task<BackupManifest> SyncLockedAsync(BackupManifest manifest, IBackupMethodRunner runner, SyncOptions options, ISyncObserver observer, CancellationToken ct)
        {
            var gate = new object();
            var checkpointer = new ManifestCheckpointer(manifest, gate);
            var chosen = manifest.Databases.Where(d => options.Databases == null || options.Databases.Contains(d.Name)).ToList();
            lock (gate)
            {
                DoltBackup.Manifest.UploadRecord.ClearErrorsKeepingUploads(manifest);
                manifest.CompletedUtc = null;
                foreach (var item in manifest.Databases)
                {
                    if (chosen.Contains(item))
                    {
                        item.Status = ItemStatus.Pending;
                        item.Error = null;
                    }
                    else
                    {
                        item.Status = ItemStatus.Skipped;
                        item.Error = "Skipped: " + options.SkipReason + ".";
                    }
                }
            }

            try
            {
                string version = await _engine.GetDoltVersionAsync(ct).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(version))
                {
                    manifest.Source.DoltVersion = version;
                }
            }
            catch (DoltEngineException e) when (e.IsConnectionLevel || e.Kind == DoltErrorKind.DoltNotFound)
            {
                lock (gate)
                {
                    foreach (var item in chosen)
                    {
                        item.Status = ItemStatus.Failed;
                        item.Error = e.Message;
                    }
                    manifest.AddError(manifest.Id ?? manifest.Name, "DoltBackup." + e.ErrorId, e.Message);
                    manifest.CompletedUtc = DateTime.UtcNow;
                }
                checkpointer.Flush();
                throw;
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
            {
                observer?.OnEvent(new SyncEvent { Kind = SyncEventKind.Verbose, Message = "The Dolt version could not be read: " + e.Message });
            }

            // The starting state on disk before the first store is touched (the previous run's Completed items no longer hold).
            checkpointer.WriteNow();
            var context = new SyncContext(_engine, manifest, chosen, options.ThrottleLimit, observer, checkpointer, gate);
            try
            {
                await runner.RunAsync(context, ct).ConfigureAwait(false);
                if (options.Capture != null && !ct.IsCancellationRequested)
                {
                    CaptureConfiguration(manifest, options.Capture, observer, gate);
                }
            }
            finally
            {
                lock (gate)
                {
                    bool stopped = ct.IsCancellationRequested;
                    foreach (var item in chosen)
                    {
                        if (item.Status == ItemStatus.Pending || item.Status == ItemStatus.Running)
                        {
                            item.Status = item.Status == ItemStatus.Running ? ItemStatus.Failed : ItemStatus.Skipped;
                            item.Error = stopped ? "Not synced: the sync was stopped before this database finished." : "Not synced.";
                        }
                    }
                    if (stopped)
                    {
                        manifest.AddError(manifest.Id ?? manifest.Name, "DoltBackup.SyncStopped",
                            $"The sync was stopped: {chosen.Count(i => i.Status == ItemStatus.Completed)} of {chosen.Count} databases completed.");
                    }
                    manifest.CompletedUtc = DateTime.UtcNow;
                }
                checkpointer.Flush();
                ManifestWrites = checkpointer.Writes;
            }
            return manifest;
        }
    }
}
