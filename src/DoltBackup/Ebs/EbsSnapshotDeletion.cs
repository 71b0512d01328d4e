namespace DoltBackup.Ebs
{
    /// <summary>The outcome of deleting one snapshot of a backup set.</summary>
    public sealed class EbsSnapshotDeletion
    {
        /// <summary>The snapshot.</summary>
        public string SnapshotId { get; set; }
        /// <summary>True when DeleteSnapshot succeeded.</summary>
        public bool Deleted { get; set; }
        /// <summary>True when EC2 no longer knew it (already deleted): not an error, but not "Deleted" either.</summary>
        public bool AlreadyGone { get; set; }
        /// <summary>The failure (for example access denied, or the snapshot in use by an AMI), or null.</summary>
        public EbsException Error { get; set; }
        /// <inheritdoc />
        public override string ToString() => SnapshotId + (Deleted ? " deleted" : AlreadyGone ? " already gone" : " not deleted");
    }
}
