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
    /// <see cref="IDoltEngine"/> for a running Dolt sql-server. Each call opens its own pooled connection and runs
    /// <c>USE `db`</c> first (dolt_backup acts on the current database only, dolt-reference §2). Values go as real
    /// parameters; the procedure's operation word is fixed text.
    /// </summary>
    public sealed class SqlDoltEngine : IDoltEngine
    {
        /// <summary>Databases that are never backed up.</summary>
        internal static readonly string[] SystemDatabases = { "information_schema", "mysql", "performance_schema", "sys" };

        private readonly ISqlSessionFactory _sessions;

        /// <summary>Creates the engine over a session factory (<see cref="MySqlSessionFactory"/> in production).</summary>
        public SqlDoltEngine(ISqlSessionFactory sessions)
        {
            _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        }

        /// <inheritdoc />
        public string Description => "server " + _sessions.Endpoint;

        private static SqlParameterValue P(string name, object value) => new SqlParameterValue(name, value);

        private async Task<T> RunAsync<T>(string database, string operation, Func<ISqlSession, Task<T>> body, CancellationToken ct)
        {
            try
            {
                using (var session = await _sessions.OpenAsync(database, ct).ConfigureAwait(false))
                {
                    return await body(session).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!(e is DoltEngineException))
            {
                throw _sessions.Translate(e, operation);
            }
        }

        private Task ExecuteAsync(string database, string operation, string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken ct)
            => RunAsync<bool>(database, operation, async s =>
            {
                await s.ExecuteAsync(sql, parameters, ct).ConfigureAwait(false);
                return true;
            }, ct);

        /// <inheritdoc />
        public Task<string> GetDoltVersionAsync(CancellationToken cancellationToken)
            => RunAsync(null, "Reading the Dolt version", async s =>
            {
                var rows = await s.QueryAsync("SELECT dolt_version()", Array.Empty<SqlParameterValue>(), cancellationToken).ConfigureAwait(false);
                return rows.Count == 0 ? null : Text(rows[0][0]);
            }, cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken)
            => RunAsync<IReadOnlyList<string>>(null, "Listing databases", async s =>
            {
                var rows = await s.QueryAsync("SHOW DATABASES", Array.Empty<SqlParameterValue>(), cancellationToken).ConfigureAwait(false);
                return rows.Select(r => Text(r[0]))
                    .Where(n => !string.IsNullOrEmpty(n) && !SystemDatabases.Contains(n, StringComparer.OrdinalIgnoreCase))
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .ToList();
            }, cancellationToken);

        /// <inheritdoc />
        public Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken cancellationToken)
            => RunAsync(database, $"Reading the state of '{database}'", async s =>
            {
                var none = Array.Empty<SqlParameterValue>();
                var state = new DatabaseState();
                foreach (var r in await s.QueryAsync("SELECT name, hash FROM dolt_branches ORDER BY name", none, cancellationToken).ConfigureAwait(false))
                {
                    state.Branches.Add(new RefHead { Name = Text(r[0]), Hash = Text(r[1]) });
                }
                foreach (var r in await s.QueryAsync("SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name", none, cancellationToken).ConfigureAwait(false))
                {
                    state.Tags.Add(new RefHead { Name = Text(r[0]), Hash = Text(r[1]) });
                }
                var h = await s.QueryAsync("SELECT dolt_hashof_db()", none, cancellationToken).ConfigureAwait(false);
                state.WorkingSetHash = h.Count == 0 ? null : Text(h[0][0]);
                return state;
            }, cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken cancellationToken)
            => ListNamedUrls(database, "SELECT name, url FROM dolt_backups ORDER BY name", $"Listing the backups of '{database}'", cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken cancellationToken)
            => ListNamedUrls(database, "SELECT name, url FROM dolt_remotes ORDER BY name", $"Listing the remotes of '{database}'", cancellationToken);

        private Task<IReadOnlyList<DoltRemoteEntry>> ListNamedUrls(string database, string sql, string operation, CancellationToken ct)
            => RunAsync<IReadOnlyList<DoltRemoteEntry>>(database, operation, async s =>
                (await s.QueryAsync(sql, Array.Empty<SqlParameterValue>(), ct).ConfigureAwait(false))
                    .Select(r => new DoltRemoteEntry(Text(r[0]), Text(r[1]))).ToList(), ct);

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
                new[] { P("@name", name) }, cancellationToken), database, name);

        /// <inheritdoc />
        public Task RestoreBackupAsync(string url, string database, bool force, CancellationToken cancellationToken)
            => ExecuteAsync(null, $"Restoring '{database}' from {url}",
                force ? "CALL dolt_backup('restore', '--force', @url, @name)" : "CALL dolt_backup('restore', @url, @name)",
                new[] { P("@url", url), P("@name", database) }, cancellationToken);

        /// <inheritdoc />
        public Task DropDatabaseAsync(string database, CancellationToken cancellationToken)
            => ExecuteAsync(null, $"Dropping database '{database}'", "DROP DATABASE " + QuoteIdentifier(database), Array.Empty<SqlParameterValue>(), cancellationToken);

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
                new[] { P("@remote", remote), P("@branch", branch) }, cancellationToken);

        /// <summary>The query of <see cref="GetBranchLogAsync"/> (the revision is a parameter; the flag is fixed text).</summary>
        internal const string BranchLogSql = "SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', @branch)";

        /// <inheritdoc />
        public Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken cancellationToken)
            => RunAsync<IReadOnlyList<DoltCommit>>(database, $"Reading the history of branch '{branch}' of '{database}'", async s =>
                (await s.QueryAsync(BranchLogSql, new[] { P("@branch", branch) }, cancellationToken).ConfigureAwait(false))
                    .Select(r => new DoltCommit(Text(r[0]), DoltCommit.ParseParents(Text(r[4])), Date(r[2]), Text(r[1]), Text(r[3]))).ToList(), cancellationToken);

        /// <inheritdoc />
        public Task<string> GetCheckedOutBranchAsync(string database, CancellationToken cancellationToken)
            => RunAsync(database, $"Reading the checked-out branch of '{database}'", s => ActiveBranch(s, cancellationToken), cancellationToken);

        private static async Task<string> ActiveBranch(ISqlSession s, CancellationToken ct)
        {
            var rows = await s.QueryAsync("SELECT active_branch()", Array.Empty<SqlParameterValue>(), ct).ConfigureAwait(false);
            return rows.Count == 0 ? null : Text(rows[0][0]);
        }

        /// <inheritdoc />
        public Task MoveBranchAsync(string database, string branch, string commit, CancellationToken cancellationToken)
            => RunAsync(database, $"Moving branch '{branch}' of '{database}' to {commit}", async s =>
            {
                // The session's own branch is reset in place; any other branch is re-pointed (its working set follows).
                bool current = string.Equals(await ActiveBranch(s, cancellationToken).ConfigureAwait(false), branch, StringComparison.Ordinal);
                await s.ExecuteAsync(current ? "CALL dolt_reset('--hard', @commit)" : "CALL dolt_branch('-f', @branch, @commit)",
                    current ? new[] { P("@commit", commit) } : new[] { P("@branch", branch), P("@commit", commit) }, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken);

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

        /// <inheritdoc />
        public void Dispose()
        {
        }
    }
}
