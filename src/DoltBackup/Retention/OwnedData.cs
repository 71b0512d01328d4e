using System.Collections.Generic;

namespace DoltBackup.Retention
{
    /// <summary>What removing a set would delete outside its folder, and what it leaves in place and why.</summary>
    public sealed class OwnedData
    {
        /// <summary>Local directories (file:// URLs inside the set's folder, or versioned ones outside it) that only this set uses: deleted with the set.</summary>
        public List<string> DataPaths { get; } = new List<string>();

        /// <summary>EBS snapshot ids to delete.</summary>
        public List<string> SnapshotIds { get; } = new List<string>();

        /// <summary>Database and backup name pairs to unregister (only with -Unregister).</summary>
        public List<KeyValuePair<string, string>> Registrations { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>Things that stay, each with the reason (shared with a kept set, not versioned, not file://).</summary>
        public List<string> LeftInPlace { get; } = new List<string>();
    }
}
