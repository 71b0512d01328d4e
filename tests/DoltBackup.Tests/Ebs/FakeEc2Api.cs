using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Ebs;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>An in-memory <see cref="IEc2Api"/> for orchestration edge cases; records calls. Not AWS.</summary>
    internal sealed class FakeEc2Api : IEc2Api
    {
        public string Region => "eu-west-1";
        public List<string> Calls { get; } = new List<string>();
        public List<Ec2Volume> Volumes { get; } = new List<Ec2Volume>();
        public Dictionary<string, Ec2Instance> Instances { get; } = new Dictionary<string, Ec2Instance>();
        public Func<string, Ec2Snapshot> Describe { get; set; } = id => new Ec2Snapshot { SnapshotId = id, State = "completed", Progress = "100%" };
        public List<string> ExtraVolumesInCreateSnapshots { get; } = new List<string>();
        public Action OnDescribeSnapshots { get; set; }
        private int _n;

        public Ec2Volume AddVolume(string id, string az, params string[] instanceIds)
        {
            var v = new Ec2Volume { VolumeId = id, SizeGiB = 10, AvailabilityZone = az, State = instanceIds.Length > 0 ? "in-use" : "available" };
            v.Attachments.AddRange(instanceIds.Select(i => new Ec2VolumeAttachment { VolumeId = id, InstanceId = i, Device = "/dev/sdf", State = "attached" }));
            Volumes.Add(v);
            return v;
        }

        public IReadOnlyList<Ec2Volume> DescribeVolumes(IReadOnlyCollection<string> volumeIds, CancellationToken ct)
        {
            Calls.Add("DescribeVolumes " + string.Join(",", volumeIds));
            var found = Volumes.Where(v => volumeIds.Contains(v.VolumeId)).ToList();
            var answer = found.Select(v => new Ec2Volume { VolumeId = v.VolumeId, AvailabilityZone = v.AvailabilityZone, SizeGiB = v.SizeGiB, State = v.State, Attachments = v.Attachments.ToList() }).ToList();
            found.ForEach(v => v.State = NextVolumeState(v));
            return answer;
        }

        public Ec2Instance DescribeInstance(string instanceId, CancellationToken ct)
        {
            Calls.Add("DescribeInstances " + instanceId);
            return Instances[instanceId];
        }

        public Ec2Snapshot CreateSnapshot(string volumeId, string description, IDictionary<string, string> tags, CancellationToken ct)
        {
            Calls.Add("CreateSnapshot " + volumeId);
            return new Ec2Snapshot { SnapshotId = "snap-" + (++_n), VolumeId = volumeId, State = "pending", Progress = "0%" };
        }

        public IReadOnlyList<Ec2Snapshot> CreateSnapshots(string instanceId, bool excludeBootVolume, IReadOnlyCollection<string> excludeDataVolumeIds, string description, IDictionary<string, string> tags, CancellationToken ct)
        {
            Calls.Add($"CreateSnapshots {instanceId} excludeBoot={excludeBootVolume} exclude={string.Join(",", excludeDataVolumeIds)}");
            var instance = Instances[instanceId];
            return instance.BlockDevices
                .Where(b => !(excludeBootVolume && b.Device == instance.RootDeviceName) && !excludeDataVolumeIds.Contains(b.VolumeId))
                .Select(b => b.VolumeId).Concat(ExtraVolumesInCreateSnapshots)
                .Select(v => new Ec2Snapshot { SnapshotId = "snap-" + (++_n), VolumeId = v, State = "pending", Progress = "0%" }).ToList();
        }

        public IReadOnlyList<Ec2Snapshot> DescribeSnapshots(IReadOnlyCollection<string> snapshotIds, CancellationToken ct)
        {
            Calls.Add("DescribeSnapshots " + string.Join(",", snapshotIds));
            OnDescribeSnapshots?.Invoke();
            return snapshotIds.Select(Describe).ToList();
        }

        public void CreateTags(IReadOnlyCollection<string> resourceIds, IDictionary<string, string> tags, CancellationToken ct) => Calls.Add("CreateTags " + string.Join(",", resourceIds));

        /// <summary>The state a created volume moves to on each DescribeVolumes (default: creating, then available).</summary>
        public Func<Ec2Volume, string> NextVolumeState { get; set; } = v => v.State == "creating" ? "available" : v.State;

        public Ec2Volume CreateVolume(string snapshotId, string availabilityZone, string volumeType, IDictionary<string, string> tags, CancellationToken ct)
        {
            Calls.Add($"CreateVolume {snapshotId} {availabilityZone}");
            var v = new Ec2Volume { VolumeId = "vol-new" + (++_n), SnapshotId = snapshotId, AvailabilityZone = availabilityZone, VolumeType = volumeType, State = "creating" };
            Volumes.Add(v);
            return new Ec2Volume { VolumeId = v.VolumeId, AvailabilityZone = availabilityZone, State = v.State };
        }

        public Ec2VolumeAttachment AttachVolume(string volumeId, string instanceId, string device, CancellationToken ct)
        {
            Calls.Add($"AttachVolume {volumeId} {instanceId} {device}");
            var v = Volumes.Single(x => x.VolumeId == volumeId);
            var a = new Ec2VolumeAttachment { VolumeId = volumeId, InstanceId = instanceId, Device = device, State = "attached" };
            v.Attachments.Add(a);
            v.State = "in-use";
            return new Ec2VolumeAttachment { VolumeId = volumeId, InstanceId = instanceId, Device = device, State = "attaching" };
        }

        public void DeleteSnapshot(string snapshotId, CancellationToken ct) => Calls.Add("DeleteSnapshot " + snapshotId);

        public void Dispose()
        {
        }
    }
}
