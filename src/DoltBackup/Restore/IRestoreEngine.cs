using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Restore
{
    /// <summary>
    /// What a restore needs from Dolt: the databases that exist, the restore itself and the state of the result. The
    /// production implementation (<c>DoltEngineRestoreEngine</c>) delegates to the module's one Dolt seam,
    /// <c>DoltBackup.Engine.IDoltEngine</c> (a running server through <c>dolt_backup('restore', ...)</c>, or the dolt CLI on
    /// an offline data directory).
    /// </summary>
    public interface IRestoreEngine : IDisposable
    {
        /// <summary>What the engine talks to, for messages (never holds a secret).</summary>
        string Description { get; }

        /// <summary>The user databases that exist on the target.</summary>
        Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken);

        /// <summary>
        /// Creates <paramref name="database"/> from the backup at <paramref name="url"/>. Without <paramref name="force"/>
        /// Dolt refuses an existing name; with it, Dolt drops the existing database first.
        /// </summary>
        Task RestoreAsync(string url, string database, bool force, CancellationToken cancellationToken);

        /// <summary>Branch heads, tags and <c>dolt_hashof_db()</c> of a database.</summary>
        Task<RestoredDatabaseState> GetStateAsync(string database, CancellationToken cancellationToken);
    }
}
