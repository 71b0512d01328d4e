using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>What a restored database looks like: every branch head, every tag, and <c>dolt_hashof_db()</c>.</summary>
    public sealed class RestoredDatabaseState
    {
        /// <summary>Branch names and head commits (<c>dolt_branches</c>).</summary>
        public List<RefHead> Branches { get; set; } = new List<RefHead>();

        /// <summary>Tag names and commits (<c>dolt_tags</c>).</summary>
        public List<RefHead> Tags { get; set; } = new List<RefHead>();

        /// <summary><c>dolt_hashof_db()</c>: the root-value hash of the working set.</summary>
        public string WorkingSetHash { get; set; }
    }
}
