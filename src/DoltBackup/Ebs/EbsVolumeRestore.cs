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

        /// <summary>
        /// Creates (and attaches) the volumes. Throws <see cref="EbsException"/> before creating anything when the
        /// set cannot be restored (no snapshots, one not completed, devices not matching, no zone); afterwards each
        /// volume's failure is recorded on its entry and the others go on.
        /// </summary>
        public IReadOnlyList<RestoredVolume> Run(BackupManifest manifest, EbsRestoreOptions options, Action<EbsProgress> progress, CancellationToken cancellationToken)
        {
            string activity = "Restoring EBS volumes of " + (manifest?.Id ?? manifest?.Name);
            try
            {
                progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = "Checking the snapshots", PercentComplete = 0 });
                if (manifest == null) throw new ArgumentNullException(nameof(manifest));
                options = options ?? new EbsRestoreOptions();
                var baseTags = new Dictionary<string, string>
                {
                    ["Name"] = "DoltBackup restore " + (manifest.Id ?? manifest.Name),
                    [EbsTags.BackupId] = manifest.Id,
                    [EbsTags.BackupName] = manifest.Name,
                };
                // A bad -Tag is refused before anything else (the per-volume tags are counted too).
                EbsTags.Build(new Dictionary<string, string>(baseTags) { [EbsTags.RestoredFrom] = "", [EbsTags.SourceVolume] = "", [EbsTags.Device] = "" }, options.Tags);
                var plan = BuildPlan(manifest, options, cancellationToken);
                for (int i = 0; i < plan.Count; i++)
                {
                    var item = plan[i];
                    progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = $"Creating a volume from {item.SnapshotId}", PercentComplete = 100 * i / plan.Count });
                    try
                    {
                        var own = new Dictionary<string, string>(baseTags)
                        {
                            [EbsTags.RestoredFrom] = item.SnapshotId,
                            [EbsTags.SourceVolume] = item.SourceVolumeId,
                            [EbsTags.Device] = item.SourceDevice,
                        };
                        var volume = _ec2.CreateVolume(item.SnapshotId, item.AvailabilityZone, options.VolumeType, EbsTags.Build(own, options.Tags), cancellationToken);
                        item.VolumeId = volume.VolumeId;
                        item.State = volume.State;
                        if (options.InstanceId != null)
                        {
                            WaitForVolume(item, options, v => v.State == "available", "available", cancellationToken);
                            progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = $"Attaching {item.VolumeId} to {options.InstanceId} as {item.Device}", PercentComplete = 100 * i / plan.Count });
                            var attachment = _ec2.AttachVolume(item.VolumeId, options.InstanceId, item.Device, cancellationToken);
                            item.AttachmentState = attachment.State;
                            WaitForVolume(item, options, v => v.Attachments.Any(a => a.InstanceId == options.InstanceId && a.State == "attached"), "attached", cancellationToken);
                        }
                        item.Status = ItemStatus.Completed;
                    }
                    catch (EbsException e)
                    {
                        item.Status = ItemStatus.Failed;
                        item.Error = e.Message;
                    }
                }
                return plan;
            }
            finally
            {
                progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = "Done", PercentComplete = 100, Completed = true });
            }
        }

        private List<RestoredVolume> BuildPlan(BackupManifest manifest, EbsRestoreOptions options, CancellationToken ct)
        {
            if (manifest == null) throw new ArgumentNullException(nameof(manifest));
            options = options ?? new EbsRestoreOptions();
            var snapshots = manifest.Snapshots.Where(s => !string.IsNullOrEmpty(s.SnapshotId)).ToList();
            if (snapshots.Count == 0)
            {
                throw new EbsException("EbsNoSnapshots", ErrorCategory.InvalidData, $"The backup set {manifest.Id} records no EBS snapshot.", "Restore a backup set made with -Method EbsSnapshot.");
            }
            var devices = options.Devices?.Where(d => !string.IsNullOrWhiteSpace(d)).ToList() ?? new List<string>();
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

        private void WaitForVolume(RestoredVolume item, EbsRestoreOptions options, Func<Ec2Volume, bool> done, string what, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var v = _ec2.DescribeVolumes(new[] { item.VolumeId }, ct).FirstOrDefault();
                if (v != null)
                {
                    item.State = v.State;
                    item.AttachmentState = v.Attachments.FirstOrDefault(a => a.InstanceId == options.InstanceId)?.State ?? item.AttachmentState;
                    if (done(v))
                    {
                        return;
                    }
                    if (v.State == "error")
                    {
                        throw new EbsException("EbsVolumeFailed", ErrorCategory.InvalidResult, $"Volume {item.VolumeId} went into state error.", "Delete it and try again, or in another zone.");
                    }
                }
                if (watch.Elapsed >= options.Timeout)
                {
                    throw new EbsException("EbsVolumeTimeout", ErrorCategory.OperationTimeout,
                        $"Volume {item.VolumeId} was not {what} within {options.Timeout} (state {item.State}, attachment {item.AttachmentState ?? "none"}).",
                        "Check it in the EC2 console; attach it yourself with Add-EC2Volume or aws ec2 attach-volume once it is available.");
                }
                var sleep = options.PollInterval < TimeSpan.Zero ? TimeSpan.Zero : options.PollInterval;
                if (sleep > TimeSpan.Zero && ct.WaitHandle.WaitOne(sleep))
                {
                    ct.ThrowIfCancellationRequested();
                }
                ct.ThrowIfCancellationRequested();
            }
        }
    }
}
