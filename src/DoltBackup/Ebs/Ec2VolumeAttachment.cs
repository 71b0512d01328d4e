namespace DoltBackup.Ebs
{
    /// <summary>A volume attached to an instance at a device name (also an instance's block-device mapping).</summary>
    public sealed class Ec2VolumeAttachment
    {
        /// <summary>Volume id.</summary>
        public string VolumeId { get; set; }
        /// <summary>Instance id.</summary>
        public string InstanceId { get; set; }
        /// <summary>The device name EC2 uses, for example /dev/sdf (Nitro shows it as /dev/nvmeXn1 inside).</summary>
        public string Device { get; set; }
        /// <summary>attaching, attached, detaching, detached.</summary>
        public string State { get; set; }
        /// <inheritdoc />
        public override string ToString() => VolumeId + " on " + InstanceId + " as " + Device;
    }
}
