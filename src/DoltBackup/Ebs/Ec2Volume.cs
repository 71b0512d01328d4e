using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>An EBS volume as EC2 reports it.</summary>
    public sealed class Ec2Volume
    {
        /// <summary>Volume id.</summary>
        public string VolumeId { get; set; }
        /// <summary>Size in GiB.</summary>
        public int? SizeGiB { get; set; }
        /// <summary>Availability zone, for example eu-west-1a.</summary>
        public string AvailabilityZone { get; set; }
        /// <summary>creating, available, in-use, deleting, deleted, error.</summary>
        public string State { get; set; }
        /// <summary>The snapshot the volume was created from, if any.</summary>
        public string SnapshotId { get; set; }
        /// <summary>Volume type, for example gp3.</summary>
        public string VolumeType { get; set; }
        /// <summary>The instances it is attached to.</summary>
        public List<Ec2VolumeAttachment> Attachments { get; set; } = new List<Ec2VolumeAttachment>();
        /// <inheritdoc />
        public override string ToString() => VolumeId;
    }
}
