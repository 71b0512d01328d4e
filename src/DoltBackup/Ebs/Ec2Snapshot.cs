using System;

namespace DoltBackup.Ebs
{
    /// <summary>An EBS snapshot as EC2 reports it (no AWS SDK types, so cmdlets and tests can use it freely).</summary>
    public sealed class Ec2Snapshot
    {
        /// <summary>Snapshot id, for example snap-0123456789abcdef0.</summary>
        public string SnapshotId { get; set; }
        /// <summary>The volume it was taken from.</summary>
        public string VolumeId { get; set; }
        /// <summary>pending, completed, error (or recoverable, recovering).</summary>
        public string State { get; set; }
        /// <summary>Why a snapshot is in state error, when EC2 says.</summary>
        public string StateMessage { get; set; }
        /// <summary>Progress text, for example 42%.</summary>
        public string Progress { get; set; }
        /// <summary>Size of the source volume in GiB.</summary>
        public int? VolumeSizeGiB { get; set; }
        /// <summary>When the snapshot was started (UTC): its point in time.</summary>
        public DateTime? StartTimeUtc { get; set; }
        /// <inheritdoc />
        public override string ToString() => SnapshotId + " (" + State + " " + Progress + ")";
    }
}
