using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Manifest;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Restore of an EbsSnapshot set of four volumes against a simulated EC2 (in memory, not AWS) where a new volume
    /// becomes available 300 to 600 ms after CreateVolume and an attachment completes after 100 ms: wall time of
    /// EbsVolumeRestore.Run (every volume created first, all waited for together) against a one-at-a-time restore
    /// (create, wait, attach, wait, next) over the same simulator. Goal: at most 0.5 of the one-at-a-time time.
    /// </summary>
    public sealed class EbsRestoreBenchmark : IBenchmark
    {
        private const double Goal = 0.5;

        public string Name => "ebs-restore";

        public string Description => "EBS restore of 4 volumes on a simulated EC2: parallel create-then-wait vs one at a time (goal <= 0.5x)";

        public int Run(IReadOnlyList<string> args)
        {
            int samples = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 3;
            var manifest = new BackupManifest { Id = "bench", Name = "bench", Method = BackupMethod.EbsSnapshot };
            for (int i = 0; i < 4; i++)
            {
                manifest.Snapshots.Add(new VolumeSnapshot { SnapshotId = "snap-" + i, VolumeId = "vol-src" + i, AvailabilityZone = "eu-west-1a", Status = ItemStatus.Completed });
            }
            var options = new EbsRestoreOptions
            {
                InstanceId = "i-0bench", Devices = new[] { "/dev/sdf", "/dev/sdg", "/dev/sdh", "/dev/sdi" },
                PollInterval = TimeSpan.FromMilliseconds(25), Timeout = TimeSpan.FromMinutes(1),
            };
            var parallel = new List<double>();
            var sequential = new List<double>();
            int describeParallel = 0, describeSequential = 0;
            for (int s = 0; s < samples; s++)
            {
                var ec2 = new SimulatedEc2();
                var watch = Stopwatch.StartNew();
                var results = new EbsVolumeRestore(ec2).Run(manifest, options, null, CancellationToken.None);
                parallel.Add(watch.Elapsed.TotalMilliseconds);
                describeParallel = ec2.DescribeVolumeCalls;
                if (results.Any(r => r.Status != ItemStatus.Completed))
                {
                    throw new InvalidOperationException("the simulated restore failed: " + string.Join("; ", results.Select(r => r.Error)));
                }

                ec2 = new SimulatedEc2();
                watch.Restart();
                OneAtATime(ec2, manifest, options);
                sequential.Add(watch.Elapsed.TotalMilliseconds);
                describeSequential = ec2.DescribeVolumeCalls;
            }
            double p = Median(parallel), q = Median(sequential), ratio = p / q;
            Console.WriteLine($"samples: {samples}; 4 volumes, available 300-600 ms after CreateVolume, attached 100 ms after AttachVolume, poll 25 ms");
            Console.WriteLine($"EbsVolumeRestore.Run (create all, wait together): median {p:F0} ms, {describeParallel} DescribeVolumes calls");
            Console.WriteLine($"one volume at a time:                           median {q:F0} ms, {describeSequential} DescribeVolumes calls");
            Console.WriteLine($"ratio: {ratio:F2} (goal: <= {Goal:F2})");
            return ratio <= Goal ? 0 : 1;
        }

        private static void OneAtATime(IEc2Api ec2, BackupManifest manifest, EbsRestoreOptions options)
        {
            for (int i = 0; i < manifest.Snapshots.Count; i++)
            {
                var v = ec2.CreateVolume(manifest.Snapshots[i].SnapshotId, "eu-west-1a", null, new Dictionary<string, string>(), CancellationToken.None);
                while (ec2.DescribeVolumes(new[] { v.VolumeId }, CancellationToken.None)[0].State != "available")
                {
                    Thread.Sleep(options.PollInterval);
                }
                ec2.AttachVolume(v.VolumeId, options.InstanceId, options.Devices[i], CancellationToken.None);
                while (ec2.DescribeVolumes(new[] { v.VolumeId }, CancellationToken.None)[0].Attachments.All(a => a.State != "attached"))
                {
                    Thread.Sleep(options.PollInterval);
                }
            }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }

        /// <summary>EC2 with time: volumes and attachments complete after fixed delays. Not AWS.</summary>
        private sealed class SimulatedEc2 : IEc2Api
        {
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly Dictionary<string, (TimeSpan Ready, TimeSpan? Attached, string Instance, string Device)> _volumes = new Dictionary<string, (TimeSpan, TimeSpan?, string, string)>();
            private int _n;

            public int DescribeVolumeCalls { get; private set; }

            public string Region => "eu-west-1";

            public IReadOnlyList<Ec2Volume> DescribeVolumes(IReadOnlyCollection<string> volumeIds, CancellationToken ct)
            {
                DescribeVolumeCalls++;
                var now = _clock.Elapsed;
                return volumeIds.Select(id =>
                {
                    var v = _volumes[id];
                    var volume = new Ec2Volume { VolumeId = id, AvailabilityZone = "eu-west-1a", State = now >= v.Ready ? (v.Attached.HasValue ? "in-use" : "available") : "creating" };
                    if (v.Attached.HasValue)
                    {
                        volume.Attachments.Add(new Ec2VolumeAttachment { VolumeId = id, InstanceId = v.Instance, Device = v.Device, State = now >= v.Attached.Value ? "attached" : "attaching" });
                    }
                    return volume;
                }).ToList();
            }

            public Ec2Instance DescribeInstance(string instanceId, CancellationToken ct) => new Ec2Instance { InstanceId = instanceId, AvailabilityZone = "eu-west-1a", RootDeviceName = "/dev/xvda" };

            public IReadOnlyList<Ec2Snapshot> DescribeSnapshots(IReadOnlyCollection<string> snapshotIds, CancellationToken ct)
                => snapshotIds.Select(id => new Ec2Snapshot { SnapshotId = id, State = "completed", Progress = "100%" }).ToList();

            public Ec2Volume CreateVolume(string snapshotId, string availabilityZone, string volumeType, IDictionary<string, string> tags, CancellationToken ct)
            {
                int i = _n++;
                string id = "vol-sim" + i;
                _volumes[id] = (_clock.Elapsed + TimeSpan.FromMilliseconds(300 + 100 * (i % 4)), null, null, null);
                return new Ec2Volume { VolumeId = id, AvailabilityZone = availabilityZone, State = "creating" };
            }

            public Ec2VolumeAttachment AttachVolume(string volumeId, string instanceId, string device, CancellationToken ct)
            {
                var v = _volumes[volumeId];
                _volumes[volumeId] = (v.Ready, _clock.Elapsed + TimeSpan.FromMilliseconds(100), instanceId, device);
                return new Ec2VolumeAttachment { VolumeId = volumeId, InstanceId = instanceId, Device = device, State = "attaching" };
            }

            public Ec2Snapshot CreateSnapshot(string volumeId, string description, IDictionary<string, string> tags, CancellationToken ct) => throw new NotSupportedException();

            public IReadOnlyList<Ec2Snapshot> CreateSnapshots(string instanceId, bool excludeBootVolume, IReadOnlyCollection<string> excludeDataVolumeIds, string description, IDictionary<string, string> tags, CancellationToken ct)
                => throw new NotSupportedException();

            public void CreateTags(IReadOnlyCollection<string> resourceIds, IDictionary<string, string> tags, CancellationToken ct) => throw new NotSupportedException();

            public void DeleteSnapshot(string snapshotId, CancellationToken ct) => throw new NotSupportedException();

            public void Dispose()
            {
            }
        }
    }
}
