using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>An EC2 instance: where it runs and which EBS volumes it has.</summary>
    public sealed class Ec2Instance
    {
        /// <summary>Instance id.</summary>
        public string InstanceId { get; set; }
        /// <summary>Its availability zone.</summary>
        public string AvailabilityZone { get; set; }
        /// <summary>The root device name, for example /dev/xvda.</summary>
        public string RootDeviceName { get; set; }
        /// <summary>Its EBS block-device mappings (device and volume id).</summary>
        public List<Ec2VolumeAttachment> BlockDevices { get; set; } = new List<Ec2VolumeAttachment>();
        /// <summary>The volume id of the boot (root) volume, or null.</summary>
        public string RootVolumeId
        {
            get
            {
                foreach (var b in BlockDevices)
                {
                    if (b.Device == RootDeviceName)
                    {
                        return b.VolumeId;
                    }
                }
                return null;
            }
        }
        /// <inheritdoc />
        public override string ToString() => InstanceId;
    }
}
