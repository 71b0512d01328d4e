using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Ebs
{
    /// <summary>What one <see cref="EbsSnapshotBackup.Run"/> or <see cref="EbsSnapshotBackup.Wait"/> did.</summary>
    public sealed class EbsSnapshotResult
    {
        /// <summary>The snapshots of this run, as recorded in the manifest.</summary>
        public List<VolumeSnapshot> Snapshots { get; } = new List<VolumeSnapshot>();

        /// <summary>The volumes found by discovery (empty when -VolumeId was given).</summary>
        public List<DiscoveredVolume> DiscoveredVolumes { get; } = new List<DiscoveredVolume>();

        /// <summary>
        /// Errors to report as non-terminating ErrorRecords (one per failed snapshot, or the timeout); each is also
        /// recorded in the manifest.
        /// </summary>
        public List<EbsException> Errors { get; } = new List<EbsException>();

        /// <summary>True when every snapshot reached state completed.</summary>
        public bool AllCompleted { get; set; }

        /// <summary>True when waiting stopped at the timeout with snapshots still pending.</summary>
        public bool TimedOut { get; set; }

        /// <summary>True when CreateSnapshots made them crash-consistent across several volumes.</summary>
        public bool MultiVolume { get; set; }
    }
}
