using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Takes the EBS snapshots of a backup set (method EbsSnapshot): finds the volumes (discovery, or -VolumeId),
    /// snapshots one volume with CreateSnapshot or several with CreateSnapshots for their instance (crash-consistent
    /// across them), tags them, records them in manifest.Snapshots, and waits for completion with progress.
    /// </summary>
    public sealed class EbsSnapshotBackup : IDisposable
    {
        private readonly IEc2Api _ec2;
        private readonly IVolumeDiscovery _discovery;
        private bool _ownsEc2;

        /// <summary>Uses this EC2 seam and this discovery (null: Linux discovery of this machine).</summary>
        public EbsSnapshotBackup(IEc2Api ec2, IVolumeDiscovery discovery = null)
        {
            _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
            _discovery = discovery;
        }

        /// <summary>The service on the AWS SDK (loaded now, not before) with the connection options.</summary>
        public static EbsSnapshotBackup Create(EbsConnectionOptions connection) => new EbsSnapshotBackup(Ec2ApiFactory.Create(connection)) { _ownsEc2 = true };

        /// <summary>Disposes the EC2 client when <see cref="Create(EbsConnectionOptions)"/> made it (a client passed in stays the caller's).</summary>
        public void Dispose()
        {
            if (_ownsEc2)
            {
                _ec2.Dispose();
            }
        }

        /// <summary>
        /// The volumes that <see cref="Run"/> would snapshot (for -WhatIf and messages): -VolumeId as given, or
        /// discovery of the paths (default the manifest's data dir). Makes no AWS call.
        /// </summary>
        public IReadOnlyList<DiscoveredVolume> ResolveVolumes(BackupManifest manifest, EbsSnapshotOptions options)
        {
            if (options.VolumeIds != null && options.VolumeIds.Count > 0)
            {
                var bad = options.VolumeIds.FirstOrDefault(v => v == null || !v.StartsWith("vol-", StringComparison.Ordinal));
                if (bad != null || options.VolumeIds.Any(string.IsNullOrWhiteSpace))
                {
                    throw new EbsException("EbsInvalidVolumeId", ErrorCategory.InvalidArgument, $"'{bad}' is not an EBS volume id (vol-...).", "Give volume ids such as vol-0123456789abcdef0.");
                }
                return options.VolumeIds.Distinct(StringComparer.Ordinal).Select(v => new DiscoveredVolume { VolumeId = v }).ToList();
            }
            var paths = options.Paths != null && options.Paths.Count > 0 ? options.Paths.ToList() : new List<string> { manifest.Source?.DataDir };
            paths = paths.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
            if (paths.Count == 0)
            {
                throw new EbsException("EbsNoPath", ErrorCategory.InvalidArgument, "The backup set names no data directory whose EBS volume could be found.", "Give -DataDir, or the volumes with -VolumeId.");
            }
            var discovery = _discovery;
            if (discovery == null)
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    throw new EbsException("EbsVolumeIdRequired", ErrorCategory.InvalidArgument,
                        "DoltBackup finds EBS volumes from paths only on Linux.", "Give the volume ids with -VolumeId (Get-EC2Volume, or the Disk Management / EC2 console view of the instance).");
                }
                discovery = new LinuxVolumeDiscovery();
            }
            return discovery.Discover(paths);
        }

        /// <summary>
        /// Snapshots the volumes and records them in <paramref name="manifest"/>.Snapshots (appended), then waits for
        /// them unless <see cref="EbsSnapshotOptions.NoWait"/>. Throws <see cref="EbsException"/> when nothing could be
        /// started (not on EBS, access denied, volumes on several instances...); once snapshots exist, failures are
        /// recorded per snapshot and in <see cref="EbsSnapshotResult.Errors"/>. <paramref name="progress"/> is called on
        /// the caller's thread, a last time with Completed = true.
        /// </summary>
        public EbsSnapshotResult Run(BackupManifest manifest, EbsSnapshotOptions options, Action<EbsProgress> progress, CancellationToken cancellationToken)
        {
            if (manifest == null) throw new ArgumentNullException(nameof(manifest));
            options = options ?? new EbsSnapshotOptions();
            string activity = "EBS snapshots of " + (manifest.Id ?? manifest.Name);
            var result = new EbsSnapshotResult();
            try
            {
                Report(progress, activity, "Finding the volumes", 0, false);
                var found = ResolveVolumes(manifest, options);
                result.DiscoveredVolumes.AddRange(found.Where(v => v.Device != null));
                var ids = found.Select(v => v.VolumeId).ToList();

                Report(progress, activity, "Describing " + string.Join(", ", ids), 0, false);
                var volumes = _ec2.DescribeVolumes(ids, cancellationToken);
                var missing = ids.Where(id => volumes.All(v => v.VolumeId != id)).ToList();
                if (missing.Count > 0)
                {
                    throw new EbsException("EbsVolumeNotFound", ErrorCategory.ObjectNotFound,
                        $"EC2 in {_ec2.Region} does not know volume {string.Join(", ", missing)}.", "Check -Region (the volume's region) and the volume id.");
                }

                var ownTags = new Dictionary<string, string>
                {
                    ["Name"] = "DoltBackup " + (manifest.Id ?? manifest.Name),
                    [EbsTags.BackupId] = manifest.Id,
                    [EbsTags.BackupName] = manifest.Name,
                    [EbsTags.Databases] = EbsTags.JoinDatabases(manifest.DatabaseNames),
                };
                var tags = EbsTags.Build(ownTags, options.Tags);
                string description = options.Description ?? BuildDescription(manifest);

                Report(progress, activity, "Starting the snapshots", 0, false);
                var created = Create(ids, volumes, found, options, description, tags, result, manifest, cancellationToken);
                foreach (var id in ids)
                {
                    var volume = volumes.First(v => v.VolumeId == id);
                    var local = found.FirstOrDefault(f => f.VolumeId == id);
                    var attachment = volume.Attachments.FirstOrDefault(a => options.InstanceId == null || a.InstanceId == options.InstanceId);
                    var snap = created.FirstOrDefault(s => s.VolumeId == id);
                    var item = new VolumeSnapshot
                    {
                        VolumeId = id,
                        Device = local?.Device ?? attachment?.Device,
                        Region = _ec2.Region,
                        InstanceId = attachment?.InstanceId,
                        AvailabilityZone = volume.AvailabilityZone,
                        VolumeSizeGiB = snap?.VolumeSizeGiB ?? volume.SizeGiB,
                    };
                    if (snap == null)
                    {
                        item.Status = ItemStatus.Failed;
                        item.Error = $"EC2 returned no snapshot of {id} from CreateSnapshots.";
                        Fail(manifest, result, item, "EbsSnapshotFailed", item.Error);
                    }
                    else
                    {
                        item.SnapshotId = snap.SnapshotId;
                        Apply(item, snap);
                        item.Status = snap.State == "completed" ? ItemStatus.Completed : ItemStatus.Running;
                    }
                    manifest.Snapshots.Add(item);
                    result.Snapshots.Add(item);
                }

                if (options.NoWait)
                {
                    manifest.AddWarning("The EBS snapshots were started and not waited for (-NoWait): they are recorded as Running until a later sync waits for them.");
                    result.AllCompleted = result.Snapshots.All(s => s.Status == ItemStatus.Completed);
                    return result;
                }
                WaitCore(manifest, result, options, progress, activity, cancellationToken);
                return result;
            }
            finally
            {
                Report(progress, activity, "Done", 100, true);
            }
        }

        /// <summary>
        /// Waits for the manifest's snapshots that are still Running (for example after -NoWait), updating them;
        /// the same rules as <see cref="Run"/>: fail fast on state error, stop at the timeout.
        /// </summary>
        public EbsSnapshotResult Wait(BackupManifest manifest, EbsSnapshotOptions options, Action<EbsProgress> progress, CancellationToken cancellationToken)
        {
            options = options ?? new EbsSnapshotOptions();
            string activity = "EBS snapshots of " + (manifest.Id ?? manifest.Name);
            var result = new EbsSnapshotResult();
            result.Snapshots.AddRange(manifest.Snapshots.Where(s => s.SnapshotId != null && s.Status == ItemStatus.Running));
            try
            {
                WaitCore(manifest, result, options, progress, activity, cancellationToken);
                return result;
            }
            finally
            {
                Report(progress, activity, "Done", 100, true);
            }
        }

        private IReadOnlyList<Ec2Snapshot> Create(List<string> ids, IReadOnlyList<Ec2Volume> volumes, IReadOnlyList<DiscoveredVolume> found,
            EbsSnapshotOptions options, string description, Dictionary<string, string> tags, EbsSnapshotResult result, BackupManifest manifest, CancellationToken ct)
        {
            if (ids.Count == 1)
            {
                var local = found[0];
                var one = new Dictionary<string, string>(tags);
                AddDeviceTags(one, local);
                return new[] { _ec2.CreateSnapshot(ids[0], description, one, ct) };
            }

            string instanceId = FindInstance(volumes, options.InstanceId);
            if (instanceId == null)
            {
                // No volume is attached: nothing writes to them, so one snapshot each is consistent.
                manifest.AddWarning("The volumes " + string.Join(", ", ids) + " are attached to no instance: each was snapshotted on its own.");
                return ids.Select(id =>
                {
                    var t = new Dictionary<string, string>(tags);
                    AddDeviceTags(t, found.FirstOrDefault(f => f.VolumeId == id));
                    return _ec2.CreateSnapshot(id, description, t, ct);
                }).ToList();
            }

            var instance = _ec2.DescribeInstance(instanceId, ct);
            string root = instance.RootVolumeId;
            bool excludeBoot = root == null || !ids.Contains(root);
            var excludeData = instance.BlockDevices.Select(b => b.VolumeId)
                .Where(v => v != null && v != root && !ids.Contains(v)).Distinct().ToList();
            var snapshots = _ec2.CreateSnapshots(instanceId, excludeBoot, excludeData, description, tags, ct);
            result.MultiVolume = true;

            var extra = snapshots.Where(s => !ids.Contains(s.VolumeId)).ToList();
            foreach (var s in extra)
            {
                // A volume attached between DescribeInstances and CreateSnapshots: not part of the set.
                try
                {
                    _ec2.DeleteSnapshot(s.SnapshotId, ct);
                    manifest.AddWarning($"CreateSnapshots also snapshotted {s.VolumeId} (attached meanwhile); that snapshot {s.SnapshotId} was deleted.");
                }
                catch (EbsException e)
                {
                    manifest.AddWarning($"CreateSnapshots also snapshotted {s.VolumeId} (attached meanwhile) as {s.SnapshotId}, which is not part of this backup and could not be deleted: {e.Message}");
                }
            }
            foreach (var s in snapshots.Where(s => ids.Contains(s.VolumeId)))
            {
                var perSnapshot = new Dictionary<string, string>();
                AddDeviceTags(perSnapshot, found.FirstOrDefault(f => f.VolumeId == s.VolumeId));
                if (perSnapshot.Count == 0)
                {
                    continue;
                }
                try
                {
                    _ec2.CreateTags(new[] { s.SnapshotId }, perSnapshot, ct);
                }
                catch (EbsException e)
                {
                    manifest.AddWarning($"The device tags of {s.SnapshotId} could not be set: {e.Message}");
                }
            }
            return snapshots.Where(s => ids.Contains(s.VolumeId)).ToList();
        }

        private static void AddDeviceTags(Dictionary<string, string> tags, DiscoveredVolume local)
        {
            if (local?.Device != null)
            {
                tags[EbsTags.Device] = local.Device;
            }
            if (local?.MountPoint != null)
            {
                tags[EbsTags.MountPoint] = local.MountPoint;
            }
        }

        /// <summary>The one instance every volume is attached to; null when none is attached; throws when ambiguous.</summary>
        private static string FindInstance(IReadOnlyList<Ec2Volume> volumes, string wanted)
        {
            var perVolume = volumes.Select(v => new HashSet<string>(v.Attachments.Where(a => a.State != "detached" && a.InstanceId != null).Select(a => a.InstanceId))).ToList();
            if (perVolume.All(s => s.Count == 0) && wanted == null)
            {
                return null;
            }
            if (wanted != null)
            {
                var notThere = volumes.Where((v, i) => !perVolume[i].Contains(wanted)).Select(v => v.VolumeId).ToList();
                if (notThere.Count > 0)
                {
                    throw new EbsException("EbsVolumesNotOnInstance", ErrorCategory.InvalidArgument,
                        $"{string.Join(", ", notThere)} is not attached to instance {wanted}, so CreateSnapshots cannot include it.", "Give the instance the volumes are attached to, or snapshot the volumes separately.");
                }
                return wanted;
            }
            var common = new HashSet<string>(perVolume[0]);
            foreach (var s in perVolume.Skip(1))
            {
                common.IntersectWith(s);
            }
            if (common.Count == 1)
            {
                return common.First();
            }
            if (common.Count > 1)
            {
                throw new EbsException("EbsAmbiguousInstance", ErrorCategory.InvalidArgument,
                    $"The volumes are attached to several instances ({string.Join(", ", common.OrderBy(x => x))}, Multi-Attach).", "Name the instance whose view of the volumes to snapshot with -InstanceId.");
            }
            throw new EbsException("EbsVolumesOnSeveralInstances", ErrorCategory.InvalidArgument,
                "The volumes " + string.Join(", ", volumes.Select(v => v.VolumeId)) + " are not all attached to one instance, so no crash-consistent snapshot of them together is possible.",
                "Snapshot volumes of one instance together; back up the others in their own backup set.");
        }

        private void WaitCore(BackupManifest manifest, EbsSnapshotResult result, EbsSnapshotOptions options, Action<EbsProgress> progress, string activity, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            TimeSpan interval = options.PollInterval < TimeSpan.Zero ? TimeSpan.Zero : options.PollInterval;
            while (true)
            {
                var running = result.Snapshots.Where(s => s.Status == ItemStatus.Running).ToList();
                Report(progress, activity, Describe(result.Snapshots), Percent(result.Snapshots), false);
                if (running.Count == 0)
                {
                    break;
                }
                var remaining = options.Timeout - watch.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    result.TimedOut = true;
                    string message = $"The EBS snapshots {string.Join(", ", running.Select(s => s.SnapshotId + " (" + (s.Progress ?? "?") + ")"))} did not complete within {options.Timeout}. " +
                                     "EC2 goes on taking them; they stay Running in the manifest.";
                    var e = new EbsException("EbsSnapshotTimeout", ErrorCategory.OperationTimeout, message,
                        "Wait for them later (Sync-DoltBackup on the same set), or give a longer -Timeout. Do not restore from them before they complete.");
                    result.Errors.Add(e);
                    manifest.AddError(string.Join(",", running.Select(s => s.SnapshotId)), "DoltBackup." + e.ErrorId, message);
                    break;
                }
                var sleep = interval < remaining ? interval : remaining;
                if (sleep > TimeSpan.Zero && ct.WaitHandle.WaitOne(sleep))
                {
                    ct.ThrowIfCancellationRequested();
                }
                ct.ThrowIfCancellationRequested();

                IReadOnlyList<Ec2Snapshot> described;
                try
                {
                    described = _ec2.DescribeSnapshots(running.Select(s => s.SnapshotId).ToList(), ct);
                }
                catch (EbsException e)
                {
                    // The snapshots exist and EC2 goes on taking them: record why waiting stopped, keep them Running.
                    result.Errors.Add(e);
                    manifest.AddError(string.Join(",", running.Select(s => s.SnapshotId)), "DoltBackup." + e.ErrorId,
                        "Waiting for the EBS snapshots stopped: " + e.Message);
                    break;
                }
                bool failed = false;
                foreach (var item in running)
                {
                    var d = described.FirstOrDefault(s => s.SnapshotId == item.SnapshotId);
                    if (d == null)
                    {
                        continue;
                    }
                    Apply(item, d);
                    if (d.State == "completed")
                    {
                        item.Status = ItemStatus.Completed;
                    }
                    else if (d.State == "error")
                    {
                        item.Status = ItemStatus.Failed;
                        item.Error = $"EC2 reports snapshot {item.SnapshotId} of {item.VolumeId} in state error" + (string.IsNullOrEmpty(d.StateMessage) ? "." : ": " + d.StateMessage);
                        Fail(manifest, result, item, "EbsSnapshotFailed", item.Error);
                        failed = true;
                    }
                }
                if (failed)
                {
                    // Fail fast: a crash-consistent set with one failed snapshot cannot be restored as a whole.
                    foreach (var other in result.Snapshots.Where(s => s.Status == ItemStatus.Running))
                    {
                        other.Status = ItemStatus.Failed;
                        other.Error = $"Not waited for: another snapshot of the same set failed, so this set cannot be restored as a whole (EC2 may still complete {other.SnapshotId}).";
                    }
                    break;
                }
            }
            result.AllCompleted = result.Snapshots.Count > 0 && result.Snapshots.All(s => s.Status == ItemStatus.Completed);
        }

        private static void Fail(BackupManifest manifest, EbsSnapshotResult result, VolumeSnapshot item, string errorId, string message)
        {
            result.Errors.Add(new EbsException(errorId, ErrorCategory.InvalidResult, message,
                "Look at the snapshot in the EC2 console (its state message), delete it, and run the backup again."));
            manifest.AddError(item.SnapshotId ?? item.VolumeId, "DoltBackup." + errorId, message);
        }

        private static void Apply(VolumeSnapshot item, Ec2Snapshot s)
        {
            item.State = s.State ?? item.State;
            item.Progress = s.Progress ?? item.Progress;
            item.StartTimeUtc = s.StartTimeUtc ?? item.StartTimeUtc;
            item.VolumeSizeGiB = s.VolumeSizeGiB ?? item.VolumeSizeGiB;
        }

        internal static int ParsePercent(string progress)
        {
            if (string.IsNullOrEmpty(progress))
            {
                return 0;
            }
            return int.TryParse(progress.TrimEnd('%', ' '), NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) ? Math.Max(0, Math.Min(100, p)) : 0;
        }

        private static int Percent(List<VolumeSnapshot> snapshots)
            => snapshots.Count == 0 ? 0 : snapshots.Min(s => s.Status == ItemStatus.Completed ? 100 : ParsePercent(s.Progress));

        private static string Describe(List<VolumeSnapshot> snapshots)
            => string.Join(", ", snapshots.Select(s => (s.SnapshotId ?? s.VolumeId) + ": " + (s.State ?? "?") + " " + (s.Progress ?? "")).Select(t => t.Trim()));

        private static string BuildDescription(BackupManifest manifest)
        {
            string text = "DoltBackup " + (manifest.Id ?? manifest.Name);
            if (!string.IsNullOrEmpty(manifest.Source?.DataDir))
            {
                text += " of " + manifest.Source.DataDir;
            }
            if (manifest.Databases.Count > 0)
            {
                text += " (" + string.Join(", ", manifest.DatabaseNames) + ")";
            }
            return text.Length <= 255 ? text : text.Substring(0, 252) + "...";
        }

        private static void Report(Action<EbsProgress> progress, string activity, string status, int percent, bool completed)
            => progress?.Invoke(new EbsProgress { Activity = activity, StatusDescription = string.IsNullOrEmpty(status) ? "…" : status, PercentComplete = percent, Completed = completed });
    }
}
