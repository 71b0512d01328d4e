using DoltBackup.Manifest;

namespace DoltBackup.Ebs
{
    /// <summary>A volume created from a snapshot of a backup set (Restore-DoltBackup, method EbsSnapshot).</summary>
    public sealed class RestoredVolume
    {
        /// <summary>The snapshot it was created from.</summary>
        public string SnapshotId { get; set; }
        /// <summary>The volume the snapshot was taken of.</summary>
        public string SourceVolumeId { get; set; }
        /// <summary>The local device of the source volume when the backup was taken (for example /dev/nvme1n1).</summary>
        public string SourceDevice { get; set; }
        /// <summary>The new volume's id (null when it could not be created).</summary>
        public string VolumeId { get; set; }
        /// <summary>Its availability zone.</summary>
        public string AvailabilityZone { get; set; }
        /// <summary>The instance it was attached to, or null.</summary>
        public string InstanceId { get; set; }
        /// <summary>The device name it was attached at, or null.</summary>
        public string Device { get; set; }
        /// <summary>The volume's EC2 state (creating, available, in-use).</summary>
        public string State { get; set; }
        /// <summary>The attachment state (attaching, attached), or null when not attached.</summary>
        public string AttachmentState { get; set; }
        /// <summary>Completed (created, available and attached when asked), Failed, or Skipped (-WhatIf plans).</summary>
        public ItemStatus Status { get; set; } = ItemStatus.Pending;
        /// <summary>What went wrong, if anything.</summary>
        public string Error { get; set; }
        /// <summary>The error id of a failure, without the DoltBackup. prefix (for example EbsAccessDenied), else null.</summary>
        public string ErrorId { get; set; }
        /// <summary>The PowerShell error category of a failure.</summary>
        public System.Management.Automation.ErrorCategory ErrorCategory { get; set; }
        /// <summary>What the user should do about a failure.</summary>
        public string RecommendedAction { get; set; }
        /// <inheritdoc />
        public override string ToString() => (VolumeId ?? "(new volume)") + " from " + SnapshotId;
    }
}
