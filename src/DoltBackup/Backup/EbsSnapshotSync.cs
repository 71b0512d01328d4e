using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Sync-DoltBackup for method EbsSnapshot: under the set's lock, snapshots the volumes that hold the data directory
    /// (one CreateSnapshot, or CreateSnapshots for several volumes of one instance: crash-consistent, safe while the
    /// server runs), waits for them unless told not to, and gives every database of the set the outcome of the
    /// snapshots that hold it. A set is one point in time: a set whose snapshots exist is only waited for, never
    /// snapshotted again (New-DoltBackup makes the next set).
    /// </summary>
    public sealed class EbsSnapshotSync
    {
        private readonly Func<EbsConnectionOptions, EbsSnapshotBackup> _factory;

        /// <summary>Creates the service; <paramref name="factory"/> defaults to the AWS SDK (loaded only now).</summary>
        public EbsSnapshotSync(Func<EbsConnectionOptions, EbsSnapshotBackup> factory = null)
        {
            _factory = factory ?? EbsSnapshotBackup.Create;
        }

        /// <summary>Test-only: a shorter DescribeSnapshots interval for the in-process EC2 endpoint of the tests.</summary>
        internal static TimeSpan? PollIntervalOverride { get; set; }

        /// <summary>
        /// Runs (or, for a set whose snapshots are still pending, waits for) the snapshots and writes the manifest.
        /// Throws <see cref="EbsException"/> when nothing could be started (the manifest then records the failure too),
        /// and <see cref="InvalidOperationException"/> when another writer holds the set.
        /// </summary>
        public EbsSnapshotResult Sync(BackupManifest manifest, EbsSnapshotOptions options, Action<EbsProgress> progress, CancellationToken ct,
            DoltBackup.Capture.CaptureOptions capture = null, Action<string> warn = null)
        {
            if (PollIntervalOverride.HasValue)
            {
                options.PollInterval = PollIntervalOverride.Value;
            }
            using (var setLock = BackupSetLock.TryAcquire(manifest.BackupFolder))
            {
                if (setLock == null)
                {
                    throw new InvalidOperationException($"Another writer holds the backup set in '{manifest.BackupFolder}' ({BackupSetLock.FileName}).");
                }
                bool waitOnly = manifest.Snapshots.Count > 0;
                if (waitOnly && manifest.Snapshots.All(s => s.Status != ItemStatus.Running))
                {
                    throw new EbsException("EbsSetAlreadyTaken", ErrorCategory.InvalidOperation,
                        $"The EBS backup set {manifest.Id} already holds its snapshots ({string.Join(", ", manifest.Snapshots.Select(s => s.SnapshotId))}): a set is one point in time.",
                        "Create the next set with New-DoltBackup -Method EbsSnapshot, and pipe that to Sync-DoltBackup.");
                }
                DoltBackup.Manifest.UploadRecord.ClearErrorsKeepingUploads(manifest);
                foreach (var db in manifest.Databases)
                {
                    db.Status = ItemStatus.Running;
                    db.StartedUtc = db.StartedUtc ?? DateTime.UtcNow;
                    db.Error = null;
                }
                EbsSnapshotResult result = null;
                try
                {
                    using (var ebs = _factory(options))
                    {
                        result = waitOnly ? ebs.Wait(manifest, options, progress, ct) : ebs.Run(manifest, options, progress, ct);
                    }
                    return result;
                }
                catch (EbsException e)
                {
                    manifest.AddError(manifest.Id, "DoltBackup." + e.ErrorId, e.Message);
                    throw;
                }
                finally
                {
                    ApplyOutcome(manifest, ct.IsCancellationRequested);
                    if (capture != null && result != null && !ct.IsCancellationRequested)
                    {
                        // The YAML, the global config and the TLS files often live on other volumes than the data.
                        try
                        {
                            foreach (var w in new DoltBackup.Capture.ServerFileCapture().CaptureInto(manifest, capture).Warnings)
                            {
                                warn?.Invoke(w);
                            }
                        }
                        catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is DoltBackup.Common.DoltBackupException)
                        {
                            manifest.AddError(manifest.Id, "DoltBackup.CaptureFailed", "The configuration files were not captured: " + e.Message);
                            warn?.Invoke("The configuration files were not captured: " + e.Message);
                        }
                    }
                    ManifestStore.Write(manifest);
                }
            }
        }

        /// <summary>Every database shares the fate of the set's snapshots: it is only as safe as the volume that holds it.</summary>
        internal static void ApplyOutcome(BackupManifest manifest, bool stopped)
        {
            var snaps = manifest.Snapshots;
            ItemStatus status;
            string error = null;
            if (snaps.Count == 0)
            {
                status = ItemStatus.Failed;
                error = manifest.Errors.LastOrDefault()?.Message ?? "No snapshot was taken.";
            }
            else if (snaps.Any(s => s.Status == ItemStatus.Failed))
            {
                status = ItemStatus.Failed;
                error = "Snapshot failed: " + string.Join("; ", snaps.Where(s => s.Status == ItemStatus.Failed).Select(s => s.VolumeId + ": " + s.Error));
            }
            else if (snaps.Any(s => s.Status == ItemStatus.Running))
            {
                status = stopped ? ItemStatus.Failed : ItemStatus.Running;
                error = stopped ? "The sync was stopped while the snapshots were pending." : "The snapshots are still pending: a later Sync-DoltBackup waits for them.";
            }
            else
            {
                status = ItemStatus.Completed;
            }
            foreach (var db in manifest.Databases)
            {
                db.Status = status;
                db.Error = error;
                if (status != ItemStatus.Running)
                {
                    db.CompletedUtc = DateTime.UtcNow;
                    db.DurationMs = db.StartedUtc.HasValue ? (long)(db.CompletedUtc.Value - db.StartedUtc.Value).TotalMilliseconds : (long?)null;
                }
            }
            if (status != ItemStatus.Running)
            {
                manifest.CompletedUtc = DateTime.UtcNow;
            }
        }
    }
}
