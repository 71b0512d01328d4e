using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Engine;

namespace DoltBackup.Catalog
{
    /// <summary>
    /// Lists the backups registered on a server's databases (<c>dolt_backups</c> through <see cref="IDoltEngine"/>),
    /// filtered by database and registration name. A database that cannot be read is reported and the others are still
    /// listed; a failure to list the databases at all (the server cannot be reached) is thrown.
    /// </summary>
    public sealed class RegistrationLister
    {
        private readonly IDoltEngine _engine;
        private readonly string _server;

        /// <summary>A lister over <paramref name="engine"/>; <paramref name="server"/> is what results name as their server.</summary>
        public RegistrationLister(IDoltEngine engine, string server)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _server = server;
        }

        /// <summary>
        /// Emits every matching registration, database by database (sorted by database, then name). <paramref name="databaseFailed"/>
        /// gets each database that could not be read; <paramref name="databaseMissing"/> each -Database name that does not exist.
        /// </summary>
        public void List(RegistrationFilter filter, Action<DoltBackupRegistration> emit, Action<string, DoltEngineException> databaseFailed, Action<string> databaseMissing, CancellationToken cancellationToken)
        {
            filter = filter ?? new RegistrationFilter();
            var databases = _engine.ListDatabasesAsync(cancellationToken).GetAwaiter().GetResult();
            foreach (string missing in filter.MissingDatabases(databases))
            {
                databaseMissing?.Invoke(missing);
            }
            foreach (string database in databases.Where(filter.IncludesDatabase))
            {
                cancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<DoltRemoteEntry> backups;
                try
                {
                    backups = _engine.ListBackupsAsync(database, cancellationToken).GetAwaiter().GetResult();
                }
                catch (DoltEngineException e) when (!e.IsConnectionLevel && e.Kind != DoltErrorKind.Cancelled)
                {
                    databaseFailed?.Invoke(database, e);
                    continue;
                }
                foreach (var b in backups.Where(b => filter.IncludesName(b.Name)).OrderBy(b => b.Name, StringComparer.Ordinal))
                {
                    emit(new DoltBackupRegistration { Server = _server, Database = database, Name = b.Name, Url = b.Url });
                }
            }
        }
    }
}
