using System.Collections.Generic;

namespace DoltBackup.Backup
{
    /// <summary>How Sync-DoltBackup runs.</summary>
    public sealed class SyncOptions
    {
        /// <summary>How many databases at once (one connection or dolt process each).</summary>
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>
        /// The databases to sync (null: every database of the manifest). The others are marked Skipped with
        /// <see cref="SkipReason"/>: never counted as success.
        /// </summary>
        public ISet<string> Databases { get; set; }

        /// <summary>Why databases outside <see cref="Databases"/> were skipped.</summary>
        public string SkipReason { get; set; } = "not selected for this sync";
    }
}
