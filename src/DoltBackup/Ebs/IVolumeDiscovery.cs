using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>Finds the EBS volumes that hold local paths.</summary>
    public interface IVolumeDiscovery
    {
        /// <summary>
        /// The distinct EBS volumes under the paths (every disk of an LVM or MD RAID device). Throws
        /// <see cref="EbsException"/> when any path is not on EBS or its volume id cannot be read.
        /// </summary>
        IReadOnlyList<DiscoveredVolume> Discover(IEnumerable<string> paths);
    }
}
