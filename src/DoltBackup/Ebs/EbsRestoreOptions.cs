using System;
using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>Where <see cref="EbsVolumeRestore"/> creates the volumes and whether it attaches them.</summary>
    public sealed class EbsRestoreOptions : EbsConnectionOptions
    {
        /// <summary>-AvailabilityZone; null: the zone of -InstanceId, else the zone the backup was taken in.</summary>
        public string AvailabilityZone { get; set; }

        /// <summary>-InstanceId: attach the new volumes to this instance (requires <see cref="Devices"/>).</summary>
        public string InstanceId { get; set; }

        /// <summary>-Device: one device name per snapshot, in manifest order (for example /dev/sdf, /dev/sdg).</summary>
        public IList<string> Devices { get; set; } = new List<string>();

        /// <summary>The volume type (gp3, io2, ...); null: EC2's default.</summary>
        public string VolumeType { get; set; }

        /// <summary>-Tag: extra tags for the new volumes.</summary>
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

        /// <summary>-Timeout: how long to wait for a volume to become available and attached.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>Time between two DescribeVolumes calls.</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    }
}
