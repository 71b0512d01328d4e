using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Engine
{
    /// <summary>What a database looked like at one moment: every branch head, every tag, and the working-set root hash.</summary>
    public sealed class DatabaseState
    {
        /// <summary>Branch names and head commits, from <c>dolt_branches</c>, sorted by name.</summary>
        public List<RefHead> Branches { get; set; } = new List<RefHead>();

        /// <summary>Tag names and commits, from <c>dolt_tags</c>, sorted by name.</summary>
        public List<RefHead> Tags { get; set; } = new List<RefHead>();

        /// <summary><c>dolt_hashof_db()</c>: the root-value hash of the working set (a change detector).</summary>
        public string WorkingSetHash { get; set; }

        /// <summary>
        /// The backups registered in the database (<c>dolt_backups</c>), when the engine read them with the state at no
        /// extra cost (the server engine does, in the same round trip); null when not read: ask
        /// <see cref="IDoltEngine.ListBackupsAsync"/>.
        /// </summary>
        public List<DoltRemoteEntry> Backups { get; set; }
    }
}
