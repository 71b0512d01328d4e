using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>The one place that uses <see cref="IBulkBackupLister"/>: every database's registrations at once when the engine can.</summary>
    public static class BulkBackupListing
    {
        /// <summary>
        /// Every database's registrations in one request when <paramref name="engine"/> offers it; null when it does not,
        /// cannot, or the request fails for a reason other than the connection or a stop (then listing one database at a
        /// time says which database failed).
        /// </summary>
        public static async Task<Dictionary<string, IReadOnlyList<DoltRemoteEntry>>> TryListAsync(IDoltEngine engine, IReadOnlyList<string> databases, CancellationToken ct)
        {
            if (!(engine is IBulkBackupLister bulk) || databases.Count < 2)
            {
                return null;
            }
            try
            {
                var listed = await bulk.ListBackupsAsync(databases, ct).ConfigureAwait(false);
                return listed == null ? null : listed.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled && !e.IsConnectionLevel)
            {
                return null;
            }
        }
    }
}
