using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>An EBS volume found under one or more local paths.</summary>
    public sealed class DiscoveredVolume
    {
        /// <summary>The EBS volume id, for example vol-0123456789abcdef0.</summary>
        public string VolumeId { get; set; }

        /// <summary>The local disk, for example /dev/nvme1n1.</summary>
        public string Device { get; set; }

        /// <summary>The mount point that holds the paths, for example /data.</summary>
        public string MountPoint { get; set; }

        /// <summary>The mount's source device as the kernel reports it, for example /dev/mapper/vg-dolt.</summary>
        public string MountSource { get; set; }

        /// <summary>The file system type, for example ext4 or xfs.</summary>
        public string FileSystemType { get; set; }

        /// <summary>How the disk was reached, for example "/data/dolt → /data → dm-0 → nvme1n1".</summary>
        public string Chain { get; set; }

        /// <summary>The input paths that live on this volume.</summary>
        public List<string> Paths { get; set; } = new List<string>();

        /// <inheritdoc />
        public override string ToString() => VolumeId + " (" + Device + ")";
    }
}
