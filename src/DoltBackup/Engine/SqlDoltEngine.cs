using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Manifest;

namespace DoltBackup.Engine
{
    /// <summary>
    /// <see cref="IDoltEngine"/> for a running Dolt sql-server. Connections are kept for the engine's lifetime, one per
    /// caller running at once (a sync worker keeps its own for the whole run): no pooled open, reset and <c>USE</c> per
    /// call. Each connection remembers its current database, so <c>USE `db`</c> (dolt_backup acts on the current
    /// database only, dolt-reference §2) is sent only when it changes, and in the same round trip as the statements that
    /// follow once the server is known to run several statements per text. A connection is used by one call at a time;
    /// after any error it is closed (a later call opens a fresh one), so a lost connection or a failed statement never
    /// affects the next database. Values go as real parameters; the procedure's operation word is fixed text.
    /// </summary>
    public sealed class SqlDoltEngine : IDoltEngine, IBulkBackupLister
    {
        /// <summary>Databases that are never backed up.</summary>
        internal static readonly string[] SystemDatabases = { "information_schema", "mysql", "performance_schema", "sys" };

        private static readonly SqlParameterValue[] NoParameters = Array.Empty<SqlParameterValue>();

        /// <summary>The statements of a database's state, run together (dolt-transcripts.md "state of a database").</summary>
        internal static readonly string[] StateStatements =
        {
            "SELECT name, hash FROM dolt_branches ORDER BY name",
            "SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name",
            "SELECT dolt_hashof_db()",
            "SELECT name, url FROM dolt_backups ORDER BY name",
        };

        private readonly ISqlSessionFactory _sessions;
        private readonly object _lock = new object();
        private readonly List<Connection> _idle = new List<Connection>();
        private readonly List<Connection> _busy = new List<Connection>();
        private int _multiStatements; // 0: not known yet, 1: the server runs several statements per text, -1: it does not
        private bool _disposed;

        /// <summary>Creates the engine over a session factory (<see cref="MySqlSessionFactory"/> in production).</summary>
        public SqlDoltEngine(ISqlSessionFactory sessions)
        {
            _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        }

        /// <inheritdoc />
        public string Description => "server " + _sessions.Endpoint;

        /// <summary>
        /// How long a kept connection must have been idle before a procedure call that fails on it as a lost connection
        /// is run again on a new one (queries are always run again). A connection that was just in use and drops during
        /// a sync means the server went away in the middle of it: that is reported, not run twice.
        /// </summary>
        internal TimeSpan RetryProceduresAfterIdle { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>When a call that failed on a kept, lost connection runs again on a new one.</summary>
        private enum Retry
        {
            /// <summary>Never (add, remove, restore, drop: running them twice could do harm or report a false error).</summary>
            Never,
            /// <summary>When the connection had been idle for <see cref="RetryProceduresAfterIdle"/> (sync, push: safe to repeat, slow to repeat).</summary>
            WhenIdle,
            /// <summary>Always (queries).</summary>
            Always,
        }

        /// <summary>Whether the server was seen to run several statements per text (null: not known yet).</summary>
        internal bool? MultiStatements => Volatile.Read(ref _multiStatements) == 0 ? (bool?)null : _multiStatements > 0;

        private static SqlParameterValue P(string name, object value) => new SqlParameterValue(name, value);

        /// <summary>One open connection: its session, its current database, and every database it has touched.</summary>
        private sealed class Connection
        {
            public Connection(ISqlSession session) => Session = session;

            public ISqlSession Session { get; }

            /// <summary>The current database, or null when none was set by this engine or it is not known.</summary>
            public string Database { get; set; }

            /// <summary>Databases this connection's server session has read (Dolt keeps per-database state in the session).</summary>
            public HashSet<string> Touched { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

            /// <summary>Set when a database it touched was dropped or replaced: the connection is closed instead of reused.</summary>
            public bool Stale { get; set; }

            /// <summary>How many calls have used it.</summary>
            public int Uses { get; set; }

            /// <summary>Since the end of its last call.</summary>
            public System.Diagnostics.Stopwatch Idle { get; } = new System.Diagnostics.Stopwatch();
        }

        private async Task<Connection> AcquireAsync(string database, string avoid, bool fresh, CancellationToken ct)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(SqlDoltEngine));
                }
                if (fresh)
                {
                    // After a lost connection the kept ones are likely lost too (a restarted server): close them.
                    foreach (var c in _idle)
                    {
                        c.Session.Dispose();
                    }
                    _idle.Clear();
                }
                Connection best = null;
                foreach (var c in _idle)
                {
                    if (avoid != null && c.Touched.Contains(avoid))
                    {
                        continue;
                    }
                    if (best == null || (database != null && c.Database == database && best.Database != database))
                    {
                        best = c;
                    }
                }
                if (best != null)
                {
                    _idle.Remove(best);
                    _busy.Add(best);
                    return best;
                }
            }
            var opened = new Connection(await _sessions.OpenAsync(null, ct).ConfigureAwait(false));
            lock (_lock)
            {
                _busy.Add(opened);
            }
            return opened;
        }

        private void Release(Connection c, bool keep)
        {
            bool close;
            lock (_lock)
            {
                _busy.Remove(c);
                close = !keep || c.Stale || _disposed;
                if (!close)
                {
                    c.Idle.Restart();
                    _idle.Add(c);
                }
            }
            if (close)
            {
                c.Session.Dispose();
            }
        }

        /// <summary>
        /// Before a database is dropped or replaced: no connection that has read it is used again (Dolt's session would
        /// keep the old database's state), and the call itself runs on one that has not.
        /// </summary>
        private void Forget(string database)
        {
            List<Connection> close;
            lock (_lock)
            {
                foreach (var c in _busy.Where(c => c.Touched.Contains(database)))
                {
                    c.Stale = true;
                }
                close = _idle.Where(c => c.Touched.Contains(database)).ToList();
                _idle.RemoveAll(close.Contains);
            }
            foreach (var c in close)
            {
                c.Session.Dispose();
            }
        }

        /// <summary>
        /// Runs <paramref name="body"/> on a connection. A connection that fails is closed. When a kept connection turns
        /// out to be lost (the server restarted or closed it while it was idle), the call runs once more on a new one as
        /// <paramref name="retry"/> allows.
        /// </summary>
        private async Task<T> RunAsync<T>(string operation, Func<Connection, Task<T>> body, CancellationToken ct, string database = null, string avoid = null, Retry retry = Retry.Always)
        {
            for (int attempt = 0; ; attempt++)
            {
                Connection c = null;
                bool retryable = false;
                try
                {
                    c = await AcquireAsync(database, avoid, attempt > 0, ct).ConfigureAwait(false);
                    retryable = c.Uses > 0 && (retry == Retry.Always || (retry == Retry.WhenIdle && c.Idle.Elapsed >= RetryProceduresAfterIdle));
                    c.Uses++;
                    var result = await body(c).ConfigureAwait(false);
                    Release(c, keep: true);
                    return result;
                }
                catch (Exception e)
                {
                    bool lost = c != null && c.Session.IsBroken;
                    if (c != null)
                    {
                        Release(c, keep: false);
                    }
                    var error = e as DoltEngineException ?? _sessions.Translate(e, operation);
                    if (retryable && attempt == 0 && (lost || error.IsConnectionLevel) && error.Kind != DoltErrorKind.Cancelled && !ct.IsCancellationRequested)
                    {
                        continue;
                    }
                    if (error == e)
                    {
                        throw;
                    }
                    throw error;
                }
            }
        }

        /// <summary>Records that the connection's session reads <paramref name="database"/> (under the lock: <see cref="Forget"/> reads the set from other threads).</summary>
        private void Touch(Connection c, string database)
        {
            lock (_lock)
            {
                c.Touched.Add(database);
            }
        }

        private static string Use(string database) => "USE " + QuoteIdentifier(database);

        private async Task UseAsync(Connection c, string database, CancellationToken ct)
        {
            if (database != null && c.Database != database)
            {
                Touch(c, database);
                c.Database = null;
                await c.Session.ExecuteAsync(Use(database), NoParameters, ct).ConfigureAwait(false);
                c.Database = database;
            }
        }

        /// <summary>
        /// Runs SELECTs (in <paramref name="database"/>, when given) and returns one result per statement: in one round
        /// trip with the USE when the server runs several statements per text. The first such batch also finds out whether
        /// it does: a batch that fails or answers with the wrong number of results is retried one statement at a time, and
        /// when that works, batching is off for this engine (a server with <c>disable_client_multi_statements</c>).
        /// </summary>
        private async Task<IReadOnlyList<IReadOnlyList<object[]>>> SelectAsync(Connection c, string database, IReadOnlyList<string> selects, CancellationToken ct)
        {
            bool use = database != null && c.Database != database;
            int mode = Volatile.Read(ref _multiStatements);
            if (mode >= 0 && selects.Count + (use ? 1 : 0) > 1)
            {
                string text = string.Join(";\n", (use ? new[] { Use(database) } : Array.Empty<string>()).Concat(selects));
                if (use)
                {
                    Touch(c, database);
                    c.Database = null; // not known until the batch answers
                }
                IReadOnlyList<IReadOnlyList<object[]>> sets = null;
                try
                {
                    sets = await c.Session.QueryResultSetsAsync(text, NoParameters, ct).ConfigureAwait(false);
                }
                catch (Exception) when (mode == 0 && !ct.IsCancellationRequested)
                {
                    // Not known yet whether the server runs several statements: one at a time below tells.
                }
                if (sets != null && sets.Count == selects.Count)
                {
                    Interlocked.CompareExchange(ref _multiStatements, 1, 0);
                    c.Database = database ?? c.Database;
                    return sets;
                }
                if (sets != null && mode > 0)
                {
                    throw new InvalidOperationException($"The server answered {sets.Count} results to {selects.Count} queries.");
                }
                var single = await SelectOneByOneAsync(c, database, selects, ct).ConfigureAwait(false);
                Interlocked.CompareExchange(ref _multiStatements, -1, 0);
                return single;
            }
            return await SelectOneByOneAsync(c, database, selects, ct).ConfigureAwait(false);
        }

        private async Task<IReadOnlyList<IReadOnlyList<object[]>>> SelectOneByOneAsync(Connection c, string database, IReadOnlyList<string> selects, CancellationToken ct)
        {
            await UseAsync(c, database, ct).ConfigureAwait(false);
            var sets = new List<IReadOnlyList<object[]>>();
            foreach (var sql in selects)
            {
                sets.Add(await c.Session.QueryAsync(sql, NoParameters, ct).ConfigureAwait(false));
            }
            return sets;
        }

        /// <summary>Runs a statement in <paramref name="database"/> (or none): with its USE in one round trip once batching is known to work.</summary>
        private Task ExecuteAsync(string database, string operation, string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken ct, string avoid = null, Retry retry = Retry.Never)
            => RunAsync(operation, async c =>
            {
                if (database != null && c.Database != database && Volatile.Read(ref _multiStatements) > 0)
                {
                    Touch(c, database);
                    c.Database = null;
                    await c.Session.ExecuteAsync(Use(database) + ";\n" + sql, parameters, ct).ConfigureAwait(false);
                    c.Database = database;
                    return true;
                }
                await UseAsync(c, database, ct).ConfigureAwait(false);
                await c.Session.ExecuteAsync(sql, parameters, ct).ConfigureAwait(false);
                return true;
            }, ct, database, avoid, retry);

        /// <inheritdoc />
        public Task<string> GetDoltVersionAsync(CancellationToken cancellationToken)
            => RunAsync("Reading the Dolt version", async c =>
            {
                var rows = await c.Session.QueryAsync("SELECT dolt_version()", NoParameters, cancellationToken).ConfigureAwait(false);
                return rows.Count == 0 ? null : Text(rows[0][0]);
            }, cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken)
            => RunAsync<IReadOnlyList<string>>("Listing databases", async c =>
            {
                var rows = await c.Session.QueryAsync("SHOW DATABASES", NoParameters, cancellationToken).ConfigureAwait(false);
                return rows.Select(r => Text(r[0]))
                    .Where(n => !string.IsNullOrEmpty(n) && !SystemDatabases.Contains(n, StringComparer.OrdinalIgnoreCase))
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .ToList();
            }, cancellationToken);

        /// <inheritdoc />
        /// <remarks>
        /// Branches, tags, <c>dolt_hashof_db()</c> and the registered backups (<see cref="DatabaseState.Backups"/>) in one
        /// round trip, the USE included, on a server that runs several statements per text.
        /// </remarks>
        public Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken cancellationToken)
            => RunAsync($"Reading the state of '{database}'", async c =>
            {
                var sets = await SelectAsync(c, database, StateStatements, cancellationToken).ConfigureAwait(false);
                var state = new DatabaseState();
                state.Branches.AddRange(sets[0].Select(r => new RefHead { Name = Text(r[0]), Hash = Text(r[1]) }));
                state.Tags.AddRange(sets[1].Select(r => new RefHead { Name = Text(r[0]), Hash = Text(r[1]) }));
                state.WorkingSetHash = sets[2].Count == 0 ? null : Text(sets[2][0][0]);
                state.Backups = Entries(sets[3]);
                return state;
            }, cancellationToken, database);

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken cancellationToken)
            => ListNamedUrls(database, "SELECT name, url FROM dolt_backups ORDER BY name", $"Listing the backups of '{database}'", cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken cancellationToken)
            => ListNamedUrls(database, "SELECT name, url FROM dolt_remotes ORDER BY name", $"Listing the remotes of '{database}'", cancellationToken);

        private Task<IReadOnlyList<DoltRemoteEntry>> ListNamedUrls(string database, string sql, string operation, CancellationToken ct)
            => RunAsync<IReadOnlyList<DoltRemoteEntry>>(operation, async c => Entries((await SelectAsync(c, database, new[] { sql }, ct).ConfigureAwait(false))[0]), ct, database);

        /// <inheritdoc />
        /// <remarks>
        /// One text of qualified queries (<c>SELECT name, url FROM `db`.dolt_backups</c>, no USE: dolt-transcripts.md
        /// "qualified system tables without USE"); null on a server that does not run several statements per text.
        /// </remarks>
        public Task<IReadOnlyDictionary<string, IReadOnlyList<DoltRemoteEntry>>> ListBackupsAsync(IReadOnlyList<string> databases, CancellationToken cancellationToken)
            => RunAsync<IReadOnlyDictionary<string, IReadOnlyList<DoltRemoteEntry>>>("Listing the backups of every database", async c =>
            {
                var result = new Dictionary<string, IReadOnlyList<DoltRemoteEntry>>(StringComparer.Ordinal);
                if (databases.Count == 0)
                {
                    return result;
                }
                if (databases.Count == 1 || Volatile.Read(ref _multiStatements) < 0)
                {
                    return null;
                }
                foreach (var db in databases)
                {
                    Touch(c, db);
                }
                string text = string.Join(";\n", databases.Select(db => "SELECT name, url FROM " + QuoteIdentifier(db) + ".dolt_backups ORDER BY name"));
                var sets = await c.Session.QueryResultSetsAsync(text, NoParameters, cancellationToken).ConfigureAwait(false);
                if (sets.Count != databases.Count)
                {
                    Interlocked.CompareExchange(ref _multiStatements, -1, 0);
                    return null;
                }
                Interlocked.CompareExchange(ref _multiStatements, 1, 0);
                for (int i = 0; i < databases.Count; i++)
                {
                    result[databases[i]] = Entries(sets[i]);
                }
                return result;
            }, cancellationToken);

        private static List<DoltRemoteEntry> Entries(IReadOnlyList<object[]> rows) => rows.Select(r => new DoltRemoteEntry(Text(r[0]), Text(r[1]))).ToList();

        /// <inheritdoc />
        public Task AddBackupAsync(string database, string name, string url, CancellationToken cancellationToken)
            => ExecuteAsync(database, $"Registering backup '{name}' of '{database}'", "CALL dolt_backup('add', @name, @url)",
                new[] { P("@name", name), P("@url", url) }, cancellationToken);

        /// <inheritdoc />
        public Task RemoveBackupAsync(string database, string name, CancellationToken cancellationToken)
            => ExecuteAsync(database, $"Removing backup '{name}' of '{database}'", "CALL dolt_backup('remove', @name)",
                new[] { P("@name", name) }, cancellationToken);

        /// <inheritdoc />
        public Task SyncBackupAsync(string database, string name, CancellationToken cancellationToken)
            => DoltErrorParser.WordSyncInterruption(ExecuteAsync(database, $"Syncing backup '{name}' of '{database}'", "CALL dolt_backup('sync', @name)",
                new[] { P("@name", name) }, cancellationToken, retry: Retry.WhenIdle), database, name);

        /// <inheritdoc />
        public Task RestoreBackupAsync(string url, string database, bool force, CancellationToken cancellationToken)
        {
            Forget(database);
            return ExecuteAsync(null, $"Restoring '{database}' from {url}",
                force ? "CALL dolt_backup('restore', '--force', @url, @name)" : "CALL dolt_backup('restore', @url, @name)",
                new[] { P("@url", url), P("@name", database) }, cancellationToken, avoid: database);
        }

        /// <inheritdoc />
        public Task DropDatabaseAsync(string database, CancellationToken cancellationToken)
        {
            Forget(database);
            return ExecuteAsync(null, $"Dropping database '{database}'", "DROP DATABASE " + QuoteIdentifier(database), NoParameters, cancellationToken, avoid: database);
        }

        /// <summary>A MySQL identifier in backticks, embedded backticks doubled (identifiers cannot be bound as parameters).</summary>
        internal static string QuoteIdentifier(string name)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A database name is required.", nameof(name));
            }
            return "`" + name.Replace("`", "``") + "`";
        }

        /// <inheritdoc />
        public Task PushBranchAsync(string database, string remote, string branch, CancellationToken cancellationToken)
            => ExecuteAsync(database, $"Pushing branch '{branch}' of '{database}' to '{remote}'", "CALL dolt_push(@remote, @branch)",
                new[] { P("@remote", remote), P("@branch", branch) }, cancellationToken, retry: Retry.WhenIdle);

        /// <summary>The query of <see cref="GetBranchLogAsync"/> (the revision is a parameter; the flag is fixed text).</summary>
        internal const string BranchLogSql = "SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', @branch)";

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken cancellationToken)
            => InDatabaseAsync<IReadOnlyList<DoltCommit>>(database, $"Reading the history of branch '{branch}' of '{database}'", async s =>
                (await s.QueryAsync(BranchLogSql, new[] { P("@branch", branch) }, cancellationToken).ConfigureAwait(false))
                    .Select(r => new DoltCommit(Text(r[0]), DoltCommit.ParseParents(Text(r[4])), Date(r[2]), Text(r[1]), Text(r[3]))).ToList(), cancellationToken, Retry.Always);

        /// <inheritdoc />
        public Task<string> GetCheckedOutBranchAsync(string database, CancellationToken cancellationToken)
            => InDatabaseAsync(database, $"Reading the checked-out branch of '{database}'", s => ActiveBranch(s, cancellationToken), cancellationToken, Retry.Always);

        /// <summary>Runs <paramref name="body"/> on a kept connection whose current database is <paramref name="database"/>.</summary>
        private Task<T> InDatabaseAsync<T>(string database, string operation, Func<ISqlSession, Task<T>> body, CancellationToken ct, Retry retry)
            => RunAsync(operation, async c =>
            {
                await UseAsync(c, database, ct).ConfigureAwait(false);
                return await body(c.Session).ConfigureAwait(false);
            }, ct, database, retry: retry);

        private static async Task<string> ActiveBranch(ISqlSession s, CancellationToken ct)
        {
            var rows = await s.QueryAsync("SELECT active_branch()", Array.Empty<SqlParameterValue>(), ct).ConfigureAwait(false);
            return rows.Count == 0 ? null : Text(rows[0][0]);
        }

        /// <inheritdoc />
        public Task MoveBranchAsync(string database, string branch, string commit, CancellationToken cancellationToken)
            => InDatabaseAsync(database, $"Moving branch '{branch}' of '{database}' to {commit}", async s =>
            {
                // The session's own branch is reset in place; any other branch is re-pointed (its working set follows).
                bool current = string.Equals(await ActiveBranch(s, cancellationToken).ConfigureAwait(false), branch, StringComparison.Ordinal);
                await s.ExecuteAsync(current ? "CALL dolt_reset('--hard', @commit)" : "CALL dolt_branch('-f', @branch, @commit)",
                    current ? new[] { P("@commit", commit) } : new[] { P("@branch", branch), P("@commit", commit) }, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken, Retry.Never);

        /// <inheritdoc />
        public Task DeleteBranchAsync(string database, string branch, CancellationToken cancellationToken)
            => ExecuteAsync(database, $"Deleting branch '{branch}' of '{database}'", "CALL dolt_branch('-D', @branch)", new[] { P("@branch", branch) }, cancellationToken);

        /// <inheritdoc />
        public Task DeleteTagAsync(string database, string tag, CancellationToken cancellationToken)
            => ExecuteAsync(database, $"Deleting tag '{tag}' of '{database}'", "CALL dolt_tag('-d', @tag)", new[] { P("@tag", tag) }, cancellationToken);

        /// <summary>A DATETIME from the driver (no time zone: Dolt reports dolt_log dates in UTC) or its text.</summary>
        internal static DateTime Date(object value)
        {
            switch (value)
            {
                case DateTime d: return DateTime.SpecifyKind(d, DateTimeKind.Utc);
                case DateTimeOffset o: return o.UtcDateTime;
                default: return ParseUtc(Text(value));
            }
        }

        /// <summary>"2026-11-23 14:00:00.123" (as dolt_log prints it) read as UTC.</summary>
        internal static DateTime ParseUtc(string text)
            => DateTime.Parse(text ?? throw new FormatException("The commit has no date."), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        private static string Text(object value)
        {
            switch (value)
            {
                case null: return null;
                case byte[] bytes: return System.Text.Encoding.UTF8.GetString(bytes);
                default: return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        /// <summary>Closes the idle connections; those in use close when their call ends.</summary>
        public void Dispose()
        {
            List<Connection> idle;
            lock (_lock)
            {
                _disposed = true;
                idle = _idle.ToList();
                _idle.Clear();
            }
            foreach (var c in idle)
            {
                c.Session.Dispose();
            }
        }
    }
}
