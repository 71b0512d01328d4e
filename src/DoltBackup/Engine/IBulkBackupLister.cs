using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// Optional capability of an <see cref="IDoltEngine"/>: the backups registered in many databases in one request
    /// (a server answers every database's <c>dolt_backups</c> in one round trip). Callers fall back to
    /// <see cref="IDoltEngine.ListBackupsAsync"/> per database when an engine does not offer it, returns null, or fails
    /// (which attributes each failure to its database).
    /// </summary>
    public interface IBulkBackupLister
    {
        /// <summary>Every database's registered backups, sorted by name; null when the engine cannot answer all at once.</summary>
        Task<IReadOnlyDictionary<string, IReadOnlyList<DoltRemoteEntry>>> ListBackupsAsync(IReadOnlyList<string> databases, CancellationToken cancellationToken);
    }
}
