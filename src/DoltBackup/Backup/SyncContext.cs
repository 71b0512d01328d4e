using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Everything a method runner needs: the engine, the manifest and the lock (gate) that guards its items, the
    /// items to sync, the throttle, the observer and the checkpointer. <see cref="RunItemsAsync"/> runs a per-database
    /// function over the items, at most <see cref="ThrottleLimit"/> at once, recording status, timing and errors.
    /// </summary>
    public sealed class SyncContext
    {
        private int _finished;

        /// <summary>Creates a context.</summary>
        public SyncContext(IDoltEngine engine, BackupManifest manifest, IReadOnlyList<DatabaseBackupItem> items, int throttleLimit,
            ISyncObserver observer, ManifestCheckpointer checkpointer, object gate)
        {
            Engine = engine;
            Manifest = manifest;
            Items = items;
            ThrottleLimit = Math.Max(1, throttleLimit);
            Observer = observer ?? new NullObserver();
            Checkpointer = checkpointer;
            Gate = gate ?? new object();
        }

        /// <summary>The Dolt engine.</summary>
        public IDoltEngine Engine { get; }
        /// <summary>The manifest being synced.</summary>
        public BackupManifest Manifest { get; }
        /// <summary>The items to sync (the others are left as they are).</summary>
        public IReadOnlyList<DatabaseBackupItem> Items { get; }
        /// <summary>How many databases at once.</summary>
        public int ThrottleLimit { get; }
        /// <summary>Receives progress.</summary>
        public ISyncObserver Observer { get; }
        /// <summary>Writes the manifest after each database (may be null: no writes).</summary>
        public ManifestCheckpointer Checkpointer { get; }
        /// <summary>The lock every change to the manifest takes.</summary>
        public object Gate { get; }

        /// <summary>Reports a verbose line.</summary>
        public void Verbose(string text) => Observer.OnEvent(new SyncEvent { Kind = SyncEventKind.Verbose, Message = text });

        /// <summary>Reports a warning, and records it in the manifest once.</summary>
        public void Warning(string text)
        {
            lock (Gate)
            {
                Manifest.AddWarning(text);
            }
            Observer.OnEvent(new SyncEvent { Kind = SyncEventKind.Warning, Message = text });
        }

        /// <summary>
        /// Runs <paramref name="work"/> for every item with at most <see cref="ThrottleLimit"/> running at once. Once
        /// <paramref name="ct"/> fires no new item starts (those stay Pending); running ones see the token.
        /// </summary>
        public async Task RunItemsAsync(Func<DatabaseBackupItem, CancellationToken, Task<ItemOutcome>> work, CancellationToken ct)
        {
            int next = -1;
            var workers = new List<Task>();
            for (int w = 0; w < Math.Min(ThrottleLimit, Items.Count); w++)
            {
                workers.Add(Task.Run(async () =>
                {
                    while (!ct.IsCancellationRequested)
                    {
                        int i = Interlocked.Increment(ref next);
                        if (i >= Items.Count)
                        {
                            return;
                        }
                        await RunOneAsync(Items[i], work, ct).ConfigureAwait(false);
                    }
                }));
            }
            await Task.WhenAll(workers).ConfigureAwait(false);
        }

        private async Task RunOneAsync(DatabaseBackupItem item, Func<DatabaseBackupItem, CancellationToken, Task<ItemOutcome>> work, CancellationToken ct)
        {
            lock (Gate)
            {
                item.Status = ItemStatus.Running;
                item.Error = null;
                item.StartedUtc = DateTime.UtcNow;
                item.CompletedUtc = null;
                item.DurationMs = null;
            }
            Observer.OnEvent(new SyncEvent { Kind = SyncEventKind.DatabaseStarted, Database = item.Name, Url = item.Url, Status = ItemStatus.Running, Total = Items.Count, Finished = Volatile.Read(ref _finished) });
            var sw = Stopwatch.StartNew();
            DoltEngineException error = null;
            ItemOutcome outcome = null;
            try
            {
                outcome = await work(item, ct).ConfigureAwait(false);
            }
            catch (DoltEngineException e)
            {
                error = e;
            }
            catch (OperationCanceledException e)
            {
                error = new DoltEngineException(DoltErrorKind.Cancelled, $"The sync of '{item.Name}' was stopped before it finished.", "Cancelled",
                    System.Management.Automation.ErrorCategory.OperationStopped, "Run Sync-DoltBackup again to finish the set.", null, e);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                error = new DoltEngineException(DoltErrorKind.Other, $"The sync of '{item.Name}' failed: {e.Message}", "SyncFailed",
                    System.Management.Automation.ErrorCategory.NotSpecified, "Run again with -Verbose; report the error if it persists.", null, e);
            }
            sw.Stop();
            if (error != null && error.Kind != DoltErrorKind.Cancelled && ct.IsCancellationRequested)
            {
                // A driver error caused by the cancellation (for example a killed query) is reported as a stop.
                error = new DoltEngineException(DoltErrorKind.Cancelled, $"The sync of '{item.Name}' was stopped before it finished ({error.Message}).", "Cancelled",
                    System.Management.Automation.ErrorCategory.OperationStopped, "Run Sync-DoltBackup again to finish the set.", null, error);
            }
            int finished = Interlocked.Increment(ref _finished);
            lock (Gate)
            {
                item.DurationMs = sw.ElapsedMilliseconds;
                item.CompletedUtc = DateTime.UtcNow;
                if (error == null)
                {
                    item.Status = ItemStatus.Completed;
                    item.Error = null;
                    if (outcome?.State != null)
                    {
                        item.Branches = outcome.State.Branches;
                        item.Tags = outcome.State.Tags;
                        item.WorkingSetHash = outcome.State.WorkingSetHash;
                    }
                    item.Bytes = outcome?.Bytes ?? item.Bytes;
                    item.NewBytes = outcome?.NewBytes ?? item.NewBytes;
                    item.Seed = outcome?.Seed ?? item.Seed;
                    item.Url = outcome?.Url ?? item.Url;
                }
                else
                {
                    item.Status = ItemStatus.Failed;
                    item.Error = error.Message;
                    Manifest.AddError(item.Name, "DoltBackup." + error.ErrorId, error.Message);
                }
            }
            Checkpointer?.Request();
            Observer.OnEvent(new SyncEvent
            {
                Kind = SyncEventKind.DatabaseFinished, Database = item.Name, Url = item.Url, Status = error == null ? ItemStatus.Completed : ItemStatus.Failed,
                Error = error, Total = Items.Count, Finished = finished, DurationMs = sw.ElapsedMilliseconds,
            });
        }

        private sealed class NullObserver : ISyncObserver
        {
            public void OnEvent(SyncEvent e)
            {
            }
        }
    }
}
