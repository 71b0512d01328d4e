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
        /// <summary>The URL, when the runner learnt it (Push: the remote's URL).</summary>
        public string Url { get; set; }
    }
}
