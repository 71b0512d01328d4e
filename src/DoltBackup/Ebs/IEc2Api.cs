using System;
using System.Collections.Generic;
using System.Threading;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// The EC2 calls DoltBackup makes, with plain types: the one seam between the EBS services and AWS. The AWS SDK
    /// implementation is made by <see cref="Ec2ApiFactory"/>; tests use fakes. Calls are synchronous so the caller's
    /// progress callbacks run on the caller's (pipeline) thread. Failures are <see cref="EbsException"/>s whose
    /// <see cref="EbsException.AwsErrorCode"/> carries EC2's code; an access-denied names the missing ec2: action.
    /// </summary>
    public interface IEc2Api : IDisposable
    {
        /// <summary>The region the calls go to (for the manifest), for example eu-west-1.</summary>
        string Region { get; }

        /// <summary>ec2:DescribeVolumes for these ids.</summary>
        IReadOnlyList<Ec2Volume> DescribeVolumes(IReadOnlyCollection<string> volumeIds, CancellationToken cancellationToken);

        /// <summary>ec2:DescribeInstances for one instance.</summary>
        Ec2Instance DescribeInstance(string instanceId, CancellationToken cancellationToken);

        /// <summary>ec2:CreateSnapshot of one volume, tagged on creation.</summary>
        Ec2Snapshot CreateSnapshot(string volumeId, string description, IDictionary<string, string> tags, CancellationToken cancellationToken);

        /// <summary>
        /// ec2:CreateSnapshots: crash-consistent snapshots of an instance's volumes at one point in time, leaving out
        /// the boot volume when <paramref name="excludeBootVolume"/> and the data volumes listed.
        /// </summary>
        IReadOnlyList<Ec2Snapshot> CreateSnapshots(string instanceId, bool excludeBootVolume, IReadOnlyCollection<string> excludeDataVolumeIds,
            string description, IDictionary<string, string> tags, CancellationToken cancellationToken);

        /// <summary>ec2:DescribeSnapshots for these ids.</summary>
        IReadOnlyList<Ec2Snapshot> DescribeSnapshots(IReadOnlyCollection<string> snapshotIds, CancellationToken cancellationToken);

        /// <summary>ec2:CreateTags: adds or replaces tags on resources.</summary>
        void CreateTags(IReadOnlyCollection<string> resourceIds, IDictionary<string, string> tags, CancellationToken cancellationToken);

        /// <summary>ec2:CreateVolume from a snapshot in an availability zone (volume type null: EC2's default), tagged on creation.</summary>
        Ec2Volume CreateVolume(string snapshotId, string availabilityZone, string volumeType, IDictionary<string, string> tags, CancellationToken cancellationToken);

        /// <summary>ec2:AttachVolume to an instance at a device name.</summary>
        Ec2VolumeAttachment AttachVolume(string volumeId, string instanceId, string device, CancellationToken cancellationToken);

        /// <summary>ec2:DeleteSnapshot.</summary>
        void DeleteSnapshot(string snapshotId, CancellationToken cancellationToken);
    }
}
