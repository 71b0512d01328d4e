using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Deletes the EBS snapshots of an EbsSnapshot set (the EC2 service implements it). Remove-DoltBackup calls it
    /// before it deletes the set's folder; without an implementation, EbsSnapshot sets are not deleted.
    /// </summary>
    public interface ISnapshotDeleter
    {
        /// <summary>
        /// Deletes one snapshot (its <see cref="VolumeSnapshot.SnapshotId"/>, in its <see cref="VolumeSnapshot.Region"/>).
        /// Returns normally when the snapshot is deleted or no longer exists; throws with a message fit for the user
        /// otherwise (the set is then kept, and reported as Failed).
        /// </summary>
        void DeleteSnapshot(VolumeSnapshot snapshot);
    }
}
