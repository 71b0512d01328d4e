using System;

namespace DoltBackup.Backup
{
    /// <summary>
    /// The claim DoltBackup keeps beside a file:// backup store: which database (and which backup name) syncs into
    /// it. Dolt has no lock of its own and silently overwrites a store with another database's root
    /// (dolt-reference §1), so this marker is what refuses a second database at the same URL.
    /// </summary>
    public sealed class OwnershipMarker
    {
        /// <summary>Marker format version.</summary>
        public int SchemaVersion { get; set; } = 1;
        /// <summary>Always "DoltBackup".</summary>
        public string Tool { get; set; } = "DoltBackup";
        /// <summary>The database whose backup the store holds.</summary>
        public string Database { get; set; }
        /// <summary>The backup name registered for it.</summary>
        public string BackupName { get; set; }
        /// <summary>Where the database lives (server endpoint or data directory); informational.</summary>
        public string Source { get; set; }
        /// <summary>The backup set that claimed the store.</summary>
        public string SetId { get; set; }
        /// <summary>When the store was claimed (UTC).</summary>
        public DateTime ClaimedUtc { get; set; }

        /// <summary>True when this marker names the same database and backup name (database names compare case-insensitively, as Dolt's do).</summary>
        public bool SameOwner(OwnershipMarker other)
            => other != null && string.Equals(Database, other.Database, StringComparison.OrdinalIgnoreCase) && string.Equals(BackupName, other.BackupName, StringComparison.Ordinal);

        /// <inheritdoc />
        public override string ToString() => $"database '{Database}' (backup '{BackupName}', from {Source ?? "?"})";
    }
}
