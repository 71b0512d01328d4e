using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Restores a backup set of method EbsSnapshot: a new, tagged volume from each snapshot, in the zone asked for
    /// (default: the zone of -InstanceId, else the zone the backup was taken in), optionally attached to an instance.
    /// Mounting is left to the user (docs/ebs.md). Original volumes are never touched.
    /// </summary>
    public sealed class EbsVolumeRestore : IDisposable
    {
        private readonly IEc2Api _ec2;
        private bool _ownsEc2;

        /// <summary>Uses this EC2 seam.</summary>
        public EbsVolumeRestore(IEc2Api ec2) => _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));

        /// <summary>The service on the AWS SDK (loaded now, not before).</summary>
        public static EbsVolumeRestore Create(EbsConnectionOptions connection) => new EbsVolumeRestore(Ec2ApiFactory.Create(connection)) { _ownsEc2 = true };

        /// <summary>Disposes the EC2 client when <see cref="Create"/> made it (a client passed in stays the caller's).</summary>
        public void Dispose()
        {
            if (_ownsEc2)
            {
                _ec2.Dispose();
            }
        }

        /// <summary>
        /// What <see cref="Run"/> would create (for -WhatIf): one entry per snapshot with zone and device, VolumeId
        /// null, Status Skipped. Validates the options; may call DescribeInstances and DescribeSnapshots (reads only).
        /// </summary>
        public IReadOnlyList<RestoredVolume> Plan(BackupManifest manifest, EbsRestoreOptions options, CancellationToken cancellationToken)
        {
            var plan = BuildPlan(manifest, options, cancellationToken);
            foreach (var p in plan)
            {
                p.Status = ItemStatus.Skipped;
            }
            return plan;
        }

        /// <summary>Test-only: a shorter DescribeVolumes interval for the in-process EC2 endpoint of the tests.</summary>
        internal static TimeSpan? PollIntervalOverride { get; set; }

        /// <summary>
        /// Creates every volume, waits until they are available (one DescribeVolumes per poll for all of them, with
        /// progress), then, with -InstanceId, attaches each one and waits until it is attached. Throws
        /// <see cref="EbsException"/> before creating anything when the set cannot be restored (no snapshots, one not
        /// completed, devices not matching, no zone, a bad tag); afterwards each volume's failure is recorded on its
        /// entry (Status Failed, Error, ErrorId, RecommendedAction) and the others go on.
        /// </summary>
        public IReadOnlyList<RestoredVolume> Run(BackupManifest manifest, EbsRestoreOptions options, Action<EbsProgress> progress, CancellationToken cancellationToken)
        {
            string activity = "Restoring EBS volumes of " + (manifest?.Id ?? manifest?.Name);
            try
            {
                progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = "Checking the snapshots", PercentComplete = 0 });
                if (manifest == null) throw new ArgumentNullException(nameof(manifest));
                options = options ?? new EbsRestoreOptions();
                var baseTags = BaseTags(manifest);
                var plan = BuildPlan(manifest, options, cancellationToken);
                var poll = PollIntervalOverride ?? options.PollInterval;

                // 1. Create every volume first, so EC2 restores them in parallel.
                for (int i = 0; i < plan.Count; i++)
                {
                    var item = plan[i];
                    progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = $"Creating a volume from {item.SnapshotId} in {item.AvailabilityZone}", PercentComplete = 25 * i / plan.Count });
                    var own = new Dictionary<string, string>(baseTags)
                    {
                        [EbsTags.RestoredFrom] = item.SnapshotId,
                        [EbsTags.SourceVolume] = item.SourceVolumeId,
                        [EbsTags.Device] = item.SourceDevice,
                    };
                    Attempt(item, () =>
                    {
                        var volume = _ec2.CreateVolume(item.SnapshotId, item.AvailabilityZone, options.VolumeType, EbsTags.Build(own, options.Tags), cancellationToken);
                        item.VolumeId = volume.VolumeId;
                        item.State = volume.State;
                    });
                }

                // 2. Wait until they are available.
                WaitForAll(plan, options, poll, v => v.State == "available" || v.State == "in-use", "available", activity, 25, 50, progress, cancellationToken);

                // 3. Attach them, then wait until they are attached.
                if (options.InstanceId != null)
                {
                    var ready = plan.Where(p => p.Status == ItemStatus.Pending).ToList();
                    for (int i = 0; i < ready.Count; i++)
                    {
                        var item = ready[i];
                        progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = $"Attaching {item.VolumeId} to {options.InstanceId} as {item.Device}", PercentComplete = 75 + 10 * i / ready.Count });
                        Attempt(item, () => item.AttachmentState = _ec2.AttachVolume(item.VolumeId, options.InstanceId, item.Device, cancellationToken).State);
                    }
                    WaitForAll(plan, options, poll, v => v.Attachments.Any(a => a.InstanceId == options.InstanceId && a.State == "attached"), "attached", activity, 85, 15, progress, cancellationToken);
                }
                foreach (var item in plan.Where(p => p.Status == ItemStatus.Pending))
                {
                    item.Status = ItemStatus.Completed;
                }
                return plan;
            }
            finally
            {
                progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = "Done", PercentComplete = 100, Completed = true });
            }
        }

        private static void Attempt(RestoredVolume item, Action action)
        {
            try
            {
                action();
            }
            catch (EbsException e)
            {
                Fail(item, e);
            }
        }

        private static void Fail(RestoredVolume item, EbsException e)
        {
            item.Status = ItemStatus.Failed;
            item.Error = item.VolumeId == null ? e.Message : $"Volume {item.VolumeId} was created from {item.SnapshotId}, but: {e.Message}";
            item.ErrorId = e.ErrorId;
            item.ErrorCategory = e.Category;
            item.RecommendedAction = e.RecommendedAction;
        }

        /// <summary>
        /// The checks that need no EC2 call: the set has snapshots, -Device only with -InstanceId, one distinct device per
        /// snapshot. Throws <see cref="EbsException"/>.
        /// </summary>
        public static void CheckDevices(BackupManifest manifest, EbsRestoreOptions options)
        {
            if (manifest == null) throw new ArgumentNullException(nameof(manifest));
            options = options ?? new EbsRestoreOptions();
            var snapshots = Snapshots(manifest);
            if (snapshots.Count == 0)
            {
                throw new EbsException("EbsNoSnapshots", ErrorCategory.InvalidData, $"The backup set {manifest.Id} records no EBS snapshot.", "Restore a backup set made with -Method EbsSnapshot.");
            }
            var devices = Devices(options);
            if (options.InstanceId == null && devices.Count > 0)
            {
                throw new EbsException("EbsDeviceWithoutInstance", ErrorCategory.InvalidArgument, "-Device was given without -InstanceId.", "Give -InstanceId to attach the volumes, or leave -Device out to only create them.");
            }
            if (options.InstanceId != null && devices.Count != snapshots.Count)
            {
                throw new EbsException("EbsDeviceCount", ErrorCategory.InvalidArgument,
                    $"The set has {snapshots.Count} snapshot(s) ({string.Join(", ", snapshots.Select(s => s.SnapshotId))}) but {devices.Count} device name(s) were given.",
                    "Give one -Device per snapshot, in the order of the manifest's Snapshots, for example -Device /dev/sdf,/dev/sdg.");
            }
            if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Count)
            {
                throw new EbsException("EbsDeviceCount", ErrorCategory.InvalidArgument, "The same -Device was given twice.", "Give a different device name per snapshot.");
            }
        }

        private static List<VolumeSnapshot> Snapshots(BackupManifest manifest) => manifest.Snapshots.Where(s => !string.IsNullOrEmpty(s.SnapshotId)).ToList();

        private static List<string> Devices(EbsRestoreOptions options) => options.Devices?.Where(d => !string.IsNullOrWhiteSpace(d)).ToList() ?? new List<string>();

        private static Dictionary<string, string> BaseTags(BackupManifest manifest) => new Dictionary<string, string>
        {
            ["Name"] = "DoltBackup restore " + (manifest.Id ?? manifest.Name),
            [EbsTags.BackupId] = manifest.Id,
            [EbsTags.BackupName] = manifest.Name,
        };

        private List<RestoredVolume> BuildPlan(BackupManifest manifest, EbsRestoreOptions options, CancellationToken ct)
        {
            if (manifest == null) throw new ArgumentNullException(nameof(manifest));
            options = options ?? new EbsRestoreOptions();
            // A bad -Tag is refused before anything else (the per-volume tags are counted too).
            EbsTags.Build(new Dictionary<string, string>(BaseTags(manifest)) { [EbsTags.RestoredFrom] = "", [EbsTags.SourceVolume] = "", [EbsTags.Device] = "" }, options.Tags);
            CheckDevices(manifest, options);
            var snapshots = Snapshots(manifest);
            var devices = Devices(options);

            string zone = options.AvailabilityZone;
            if (options.InstanceId != null)
            {
                var instance = _ec2.DescribeInstance(options.InstanceId, ct);
                if (zone != null && instance.AvailabilityZone != null && !string.Equals(zone, instance.AvailabilityZone, StringComparison.Ordinal))
                {
                    throw new EbsException("EbsZoneMismatch", ErrorCategory.InvalidArgument,
                        $"Instance {options.InstanceId} runs in {instance.AvailabilityZone}, so a volume in {zone} cannot be attached to it.", "Leave -AvailabilityZone out, or give the instance's zone.");
                }
                zone = zone ?? instance.AvailabilityZone;
                var busy = devices.Where(d => instance.BlockDevices.Any(b => b.Device == d)).ToList();
                if (busy.Count > 0)
                {
                    throw new EbsException("EbsDeviceInUse", ErrorCategory.ResourceExists,
                        $"Instance {options.InstanceId} already has a volume at {string.Join(", ", busy)}.", "Give free device names (for example /dev/sdf to /dev/sdp).");
                }
            }
            if (zone == null)
            {
                var zones = snapshots.Select(s => s.AvailabilityZone).Where(z => z != null).Distinct().ToList();
                if (zones.Count == 1)
                {
                    zone = zones[0];
                }
            }
            if (zone == null)
            {
                throw new EbsException("EbsNoAvailabilityZone", ErrorCategory.InvalidArgument, "The manifest does not say which availability zone the backup was taken in.", "Give -AvailabilityZone or -InstanceId.");
            }

            var live = _ec2.DescribeSnapshots(snapshots.Select(s => s.SnapshotId).ToList(), ct);
            var notReady = snapshots.Where(s => live.FirstOrDefault(l => l.SnapshotId == s.SnapshotId)?.State != "completed").ToList();
            if (notReady.Count > 0)
            {
                throw new EbsException("EbsSnapshotNotCompleted", ErrorCategory.InvalidOperation,
                    "Snapshot " + string.Join(", ", notReady.Select(s => s.SnapshotId + " (" + (live.FirstOrDefault(l => l.SnapshotId == s.SnapshotId)?.State ?? "not found") + ")")) + " is not completed, so the set cannot be restored as a whole.",
                    "Wait until every snapshot is completed (Sync-DoltBackup waits), or restore another backup set.");
            }

            return snapshots.Select((s, i) => new RestoredVolume
            {
                SnapshotId = s.SnapshotId,
                SourceVolumeId = s.VolumeId,
                SourceDevice = s.Device,
                AvailabilityZone = zone,
                InstanceId = options.InstanceId,
                Device = options.InstanceId != null ? devices[i] : null,
            }).ToList();
        }

        private void WaitForAll(List<RestoredVolume> plan, EbsRestoreOptions options, TimeSpan poll, Func<Ec2Volume, bool> done, string what, string activity,
            int percentFrom, int percentSpan, Action<EbsProgress> progress, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var waiting = plan.Where(p => p.Status == ItemStatus.Pending && p.VolumeId != null).ToList();
                if (waiting.Count == 0)
                {
                    return;
                }
                IReadOnlyList<Ec2Volume> described;
                try
                {
                    described = _ec2.DescribeVolumes(waiting.Select(w => w.VolumeId).ToList(), ct);
                }
                catch (EbsException e)
                {
                    waiting.ForEach(w => Fail(w, e));
                    return;
                }
                int finished = plan.Count(p => p.Status != ItemStatus.Pending);
                foreach (var item in waiting)
                {
                    var v = described.FirstOrDefault(d => d.VolumeId == item.VolumeId);
                    if (v == null)
                    {
                        continue;
                    }
                    item.State = v.State;
                    item.AttachmentState = v.Attachments.FirstOrDefault(a => a.InstanceId == options.InstanceId)?.State ?? item.AttachmentState;
                    if (done(v))
                    {
                        finished++;
                    }
                    else if (v.State == "error")
                    {
                        Fail(item, new EbsException("EbsVolumeFailed", ErrorCategory.InvalidResult, $"Volume {item.VolumeId} went into state error.",
                            "Delete the volume (Remove-EC2Volume or aws ec2 delete-volume) and restore again, or in another zone."));
                        finished++;
                    }
                }
                var still = waiting.Where(w => w.Status == ItemStatus.Pending && !(described.FirstOrDefault(d => d.VolumeId == w.VolumeId) is Ec2Volume v && done(v))).ToList();
                progress?.Invoke(new EbsProgress
                {
                    Activity = activity,
                    StatusDescription = $"Waiting until the volumes are {what}: " + string.Join(", ", waiting.Select(w => $"{w.VolumeId} {w.State}{(w.AttachmentState != null ? "/" + w.AttachmentState : "")}")),
                    PercentComplete = percentFrom + percentSpan * finished / Math.Max(1, plan.Count),
                });
                if (still.Count == 0)
                {
                    return;
                }
                if (watch.Elapsed >= options.Timeout)
                {
                    foreach (var item in still)
                    {
                        Fail(item, new EbsException("EbsVolumeTimeout", ErrorCategory.OperationTimeout,
                            $"it was not {what} within {options.Timeout} (state {item.State}, attachment {item.AttachmentState ?? "none"}).",
                            what == "attached"
                                ? "Check the volume in the EC2 console; it exists and is tagged with the backup id."
                                : "Check the volume in the EC2 console; once it is available, attach it with Add-EC2Volume or aws ec2 attach-volume."));
                    }
                    return;
                }
                var sleep = poll < TimeSpan.Zero ? TimeSpan.Zero : poll;
                if (sleep > TimeSpan.Zero && ct.WaitHandle.WaitOne(sleep))
                {
                    ct.ThrowIfCancellationRequested();
                }
                ct.ThrowIfCancellationRequested();
            }
        }
    }
}
