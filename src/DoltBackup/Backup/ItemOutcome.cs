using DoltBackup.Engine;

namespace DoltBackup.Backup
{
    /// <summary>What a successful per-database sync recorded.</summary>
    public sealed class ItemOutcome
    {
        /// <summary>The database's state read before the sync.</summary>
        public DatabaseState State { get; set; }
        /// <summary>Size of the destination, when known (file://).</summary>
        public long? Bytes { get; set; }
        /// <summary>Of <see cref="Bytes"/>, what this version added to the disk (-Versioned file:// only).</summary>
        public long? NewBytes { get; set; }
        /// <summary>How a -Versioned file:// store was seeded (null otherwise).</summary>
        public Manifest.StoreSeed Seed { get; set; }
        /// <summary>The URL, when the runner learnt it (Push: the remote's URL).</summary>
        public string Url { get; set; }
    }
}
