using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Engine
{
    /// <summary>
    /// <see cref="IDoltEngine"/> for an offline data directory: runs the dolt CLI (dolt-reference §1) with argument
    /// arrays, in the data directory, picking the database with the global <c>--use-db</c>; stderr goes into the
    /// error. The caller must first make sure no sql-server uses the directory (<see cref="OfflineDataDirGuard"/>):
    /// since Dolt 1.78.5 the CLI would otherwise forward the call to that server.
    /// </summary>
    public sealed class CliDoltEngine : IDoltEngine, ICommitIdentityEngine
    {
        private readonly IProcessRunner _runner;
        private readonly object _identityLock = new object();
        private Task<DoltCommitIdentity> _identity;

        /// <summary>Creates the engine.</summary>
        /// <param name="dataDir">The data directory (absolute).</param>
        /// <param name="doltPath">The dolt binary; null or empty means "dolt" from PATH.</param>
        /// <param name="runner">Runs the processes (<see cref="SystemProcessRunner"/> in production).</param>
        /// <param name="timeout">How long one dolt command may run (zero or less: no limit).</param>
        public CliDoltEngine(string dataDir, string doltPath, IProcessRunner runner, TimeSpan timeout)
        {
            DataDir = dataDir ?? throw new ArgumentNullException(nameof(dataDir));
            DoltPath = string.IsNullOrEmpty(doltPath) ? "dolt" : doltPath;
            _runner = runner ?? new SystemProcessRunner();
            Timeout = timeout;
        }

        /// <summary>The data directory.</summary>
        public string DataDir { get; }

        /// <summary>The dolt binary run.</summary>
        public string DoltPath { get; }

        /// <summary>The timeout of one command.</summary>
        public TimeSpan Timeout { get; }

        /// <inheritdoc />
        public string Description => "data directory " + DataDir + " (dolt CLI)";

        /// <summary>Runs dolt with the arguments; returns stdout, or throws a classified <see cref="DoltEngineException"/>.</summary>
        internal async Task<string> RunAsync(string operation, IReadOnlyList<string> args, CancellationToken ct)
        {
            var result = await RunProcessAsync(operation, args, ct).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                string text = string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError;
                throw DoltErrorParser.ToException(operation, FirstMeaningfulLines(text), null, result.ExitCode);
            }
            return result.StandardOutput ?? "";
        }

        /// <summary>Runs dolt; start failures, cancellation and timeouts become <see cref="DoltEngineException"/>s, the exit code is the caller's.</summary>
        private async Task<ProcessResult> RunProcessAsync(string operation, IReadOnlyList<string> args, CancellationToken ct)
        {
            ProcessResult result;
            try
            {
                result = await _runner.RunAsync(DoltPath, args, DataDir, Timeout, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException e)
            {
                throw new DoltEngineException(DoltErrorKind.Cancelled, operation + ": cancelled.", "Cancelled", ErrorCategory.OperationStopped,
                    "The operation was stopped; run it again.", null, e);
            }
            catch (Win32Exception e)
            {
                throw new DoltEngineException(DoltErrorKind.DoltNotFound, $"{operation}: could not run '{DoltPath}': {e.Message}", "DoltNotFound",
                    ErrorCategory.ObjectNotFound, "Install dolt and put it on PATH, or give its full path with -DoltPath.", null, e);
            }
            catch (System.IO.FileNotFoundException e)
            {
                throw new DoltEngineException(DoltErrorKind.DoltNotFound, $"{operation}: could not run '{DoltPath}': {e.Message}", "DoltNotFound",
                    ErrorCategory.ObjectNotFound, "Install dolt and put it on PATH, or give its full path with -DoltPath.", null, e);
            }
            if (result.TimedOut)
            {
                throw new DoltEngineException(DoltErrorKind.Timeout, $"{operation}: dolt did not finish within {Timeout.TotalSeconds:0} s and was stopped.",
                    "OperationTimeout", ErrorCategory.OperationTimeout, "Raise -OperationTimeout (0 = no limit) for big databases.", result.StandardError?.Trim());
            }
            return result;
        }

        /// <summary>The error part of CLI output: usage text after a blank line is dropped.</summary>
        private static string FirstMeaningfulLines(string text)
        {
            var lines = (text ?? "").Replace("\r", "").Split('\n').Select(l => l.TrimEnd()).ToList();
            while (lines.Count > 0 && lines[0].Length == 0)
            {
                lines.RemoveAt(0);
            }
            int blank = lines.IndexOf("");
            if (blank > 0)
            {
                lines = lines.Take(blank).ToList();
            }
            return string.Join(" ", lines).Trim();
        }

        private static string[] UseDb(string database, params string[] rest) => new[] { "--use-db", database }.Concat(rest).ToArray();

        /// <summary>The arguments of a query in one database, JSON output.</summary>
        internal static string[] QueryArguments(string database, string sql) => UseDb(database, "sql", "-r", "json", "-q", sql);

        /// <inheritdoc />
        public async Task<string> GetDoltVersionAsync(CancellationToken cancellationToken)
            => ParseVersion(await RunAsync("Reading the Dolt version", new[] { "version" }, cancellationToken).ConfigureAwait(false));

        /// <summary>The version from `dolt version` output ("dolt version 1.43.0", maybe followed by other lines).</summary>
        internal static string ParseVersion(string output)
        {
            var m = Regex.Match(output ?? "", @"dolt version\s+v?(\S+)", RegexOptions.IgnoreCase);
            return m.Success ? m.Groups[1].Value : null;
        }

        /// <inheritdoc />
        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<string> names = DataDirUsage.DatabaseLockFiles(DataDir).Select(d => d.Name)
                .Where(n => !SqlDoltEngine.SystemDatabases.Contains(n, StringComparer.OrdinalIgnoreCase))
                .OrderBy(n => n, StringComparer.Ordinal).ToList();
            return Task.FromResult(names);
        }

        /// <inheritdoc />
        public async Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken cancellationToken)
        {
            string op = $"Reading the state of '{database}'";
            var state = new DatabaseState();
            foreach (var row in ParseJsonRows(await RunAsync(op, QueryArguments(database, "SELECT name, hash FROM dolt_branches ORDER BY name"), cancellationToken).ConfigureAwait(false)))
            {
                state.Branches.Add(new RefHead { Name = Get(row, "name"), Hash = Get(row, "hash") });
            }
            foreach (var row in ParseJsonRows(await RunAsync(op, QueryArguments(database, "SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name"), cancellationToken).ConfigureAwait(false)))
            {
                state.Tags.Add(new RefHead { Name = Get(row, "tag_name"), Hash = Get(row, "tag_hash") });
            }
            var hash = ParseJsonRows(await RunAsync(op, QueryArguments(database, "SELECT dolt_hashof_db() AS h"), cancellationToken).ConfigureAwait(false));
            state.WorkingSetHash = hash.Count == 0 ? null : Get(hash[0], "h");
            return state;
        }

        /// <summary>Rows of `dolt sql -r json` output: {"rows": [{"col": value, ...}]}; empty output means no rows.</summary>
        internal static List<Dictionary<string, string>> ParseJsonRows(string output)
        {
            var rows = new List<Dictionary<string, string>>();
            int start = (output ?? "").IndexOf('{');
            if (start < 0)
            {
                return rows;
            }
            JsonDocument parsed;
            try
            {
                parsed = JsonDocument.Parse(output.Substring(start));
            }
            catch (JsonException e)
            {
                throw new DoltEngineException(DoltErrorKind.Other, "The output of `dolt sql -r json` could not be read: " + e.Message, "DoltOutputUnreadable",
                    ErrorCategory.InvalidResult, "Check the dolt version (-DoltPath); run the query by hand to see its output.", output.Trim(), e);
            }
            using (var doc = parsed)
            {
                if (!doc.RootElement.TryGetProperty("rows", out var array) || array.ValueKind != JsonValueKind.Array)
                {
                    return rows;
                }
                foreach (var r in array.EnumerateArray())
                {
                    var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var p in r.EnumerateObject())
                    {
                        row[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()
                            : p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetRawText();
                    }
                    rows.Add(row);
                }
            }
            return rows;
        }

        private static string Get(Dictionary<string, string> row, string key) => row.TryGetValue(key, out var v) ? v : null;

        /// <inheritdoc />
        public async Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken cancellationToken)
            => ParseBackupList(await RunAsync($"Listing the backups of '{database}'", UseDb(database, "backup", "-v"), cancellationToken).ConfigureAwait(false));

        /// <summary>
        /// `dolt backup -v` output: one line per backup, "name url params" (params empty for {}, leaving a trailing
        /// space), sorted by name, no header (dolt-reference §1).
        /// </summary>
        internal static IReadOnlyList<DoltRemoteEntry> ParseBackupList(string output)
        {
            var list = new List<DoltRemoteEntry>();
            foreach (var raw in (output ?? "").Replace("\r", "").Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }
                var parts = line.Split(new[] { ' ' }, 3);
                list.Add(new DoltRemoteEntry(parts[0], parts.Length > 1 ? parts[1] : null));
            }
            return list;
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken cancellationToken)
        {
            var rows = ParseJsonRows(await RunAsync($"Listing the remotes of '{database}'", QueryArguments(database, "SELECT name, url FROM dolt_remotes ORDER BY name"), cancellationToken).ConfigureAwait(false));
            return rows.Select(r => new DoltRemoteEntry(Get(r, "name"), Get(r, "url"))).ToList();
        }

        /// <inheritdoc />
        public Task AddBackupAsync(string database, string name, string url, CancellationToken cancellationToken)
            => RunAsync($"Registering backup '{name}' of '{database}'", UseDb(database, "backup", "add", name, url), cancellationToken);

        /// <inheritdoc />
        public Task RemoveBackupAsync(string database, string name, CancellationToken cancellationToken)
            => RunAsync($"Removing backup '{name}' of '{database}'", UseDb(database, "backup", "remove", name), cancellationToken);

        /// <inheritdoc />
        public Task SyncBackupAsync(string database, string name, CancellationToken cancellationToken)
            => RunAsync($"Syncing backup '{name}' of '{database}'", UseDb(database, "backup", "sync", name), cancellationToken);

        /// <summary>
        /// Restores with `dolt backup restore` when the CLI has a commit identity. Without one that command fails
        /// ("Aborting commit due to empty author name"), so the same procedure runs through `dolt sql -q`, which lets
        /// Dolt fill in its default identity for that process only (dolt's sql command sets env.DefaultFailsafeConfig; the
        /// user's config is read as usual and never changed).
        /// </summary>
        public async Task RestoreBackupAsync(string url, string database, bool force, CancellationToken cancellationToken)
        {
            DoltCommitIdentity identity;
            try
            {
                identity = await GetCommitIdentityAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
            {
                identity = null; // unknown (no dolt, unreadable config): the plain command runs and reports Dolt's own error
            }
            string op = $"Restoring '{database}' from {url}";
            if (identity == null || identity.IsComplete)
            {
                await RunAsync(op, force ? new[] { "backup", "restore", "--force", url, database } : new[] { "backup", "restore", url, database }, cancellationToken).ConfigureAwait(false);
                return;
            }
            await RunAsync(op, new[] { "sql", "-q", RestoreCall(url, database, force) }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The CALL that `dolt backup restore` runs, with the URL and name as SQL string literals.</summary>
        internal static string RestoreCall(string url, string database, bool force)
            => "CALL dolt_backup('restore', " + (force ? "'--force', " : "") + Grants.SqlText.Literal(url) + ", " + Grants.SqlText.Literal(database) + ")";

        /// <summary>
        /// user.name and user.email as the dolt CLI sees them in the data directory (`dolt config --get`, which reads the
        /// local and the global config: $DOLT_ROOT_PATH/.dolt or $HOME/.dolt). Asked once per engine.
        /// </summary>
        public Task<DoltCommitIdentity> GetCommitIdentityAsync(CancellationToken cancellationToken)
        {
            lock (_identityLock)
            {
                if (_identity == null || _identity.IsCanceled || _identity.IsFaulted)
                {
                    _identity = ReadCommitIdentityAsync(cancellationToken);
                }
                return _identity;
            }
        }

        private async Task<DoltCommitIdentity> ReadCommitIdentityAsync(CancellationToken ct)
            => new DoltCommitIdentity(await ConfigValueAsync("user.name", ct).ConfigureAwait(false), await ConfigValueAsync("user.email", ct).ConfigureAwait(false));

        /// <summary>`dolt config --get key`: the value; null when it is not set (exit 1 without a message).</summary>
        private async Task<string> ConfigValueAsync(string key, CancellationToken ct)
        {
            const string op = "Reading the dolt config";
            var result = await RunProcessAsync(op, new[] { "config", "--get", key }, ct).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return (result.StandardOutput ?? "").Replace("\r", "").Split('\n')[0].Trim();
            }
            if (string.IsNullOrWhiteSpace(result.StandardError))
            {
                return null;
            }
            throw DoltErrorParser.ToException(op, FirstMeaningfulLines(result.StandardError), null, result.ExitCode);
        }

        /// <inheritdoc />
        public Task DropDatabaseAsync(string database, CancellationToken cancellationToken)
            => RunAsync($"Dropping database '{database}'", new[] { "sql", "-q", "DROP DATABASE " + SqlDoltEngine.QuoteIdentifier(database) }, cancellationToken);

        /// <inheritdoc />
        public Task PushBranchAsync(string database, string remote, string branch, CancellationToken cancellationToken)
            => RunAsync($"Pushing branch '{branch}' of '{database}' to '{remote}'", UseDb(database, "push", remote, branch), cancellationToken);

        /// <summary>A SQL string literal for `dolt sql -q` (the CLI takes no parameters): quotes doubled, backslashes escaped.</summary>
        internal static string SqlLiteral(string value) => "'" + (value ?? "").Replace("\\", "\\\\").Replace("'", "''") + "'";

        /// <inheritdoc />
        public async Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken cancellationToken)
        {
            string sql = "SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', " + SqlLiteral(branch) + ")";
            var rows = ParseJsonRows(await RunAsync($"Reading the history of branch '{branch}' of '{database}'", QueryArguments(database, sql), cancellationToken).ConfigureAwait(false));
            return rows.Select(r => new DoltCommit(Get(r, "commit_hash"), DoltCommit.ParseParents(Get(r, "parents")), SqlDoltEngine.ParseUtc(Get(r, "date")), Get(r, "committer"), Get(r, "message"))).ToList();
        }

        /// <inheritdoc />
        public async Task<string> GetCheckedOutBranchAsync(string database, CancellationToken cancellationToken)
        {
            var rows = ParseJsonRows(await RunAsync($"Reading the checked-out branch of '{database}'", QueryArguments(database, "SELECT active_branch() AS b"), cancellationToken).ConfigureAwait(false));
            return rows.Count == 0 ? null : Get(rows[0], "b");
        }

        /// <inheritdoc />
        public async Task MoveBranchAsync(string database, string branch, string commit, CancellationToken cancellationToken)
        {
            // Offline, the checked-out branch is the one in repo_state.json: reset it in place, re-point any other.
            bool current = string.Equals(await GetCheckedOutBranchAsync(database, cancellationToken).ConfigureAwait(false), branch, StringComparison.Ordinal);
            string sql = current ? "CALL dolt_reset('--hard', " + SqlLiteral(commit) + ")" : "CALL dolt_branch('-f', " + SqlLiteral(branch) + ", " + SqlLiteral(commit) + ")";
            await RunAsync($"Moving branch '{branch}' of '{database}' to {commit}", UseDb(database, "sql", "-q", sql), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public Task DeleteBranchAsync(string database, string branch, CancellationToken cancellationToken)
            => RunAsync($"Deleting branch '{branch}' of '{database}'", UseDb(database, "sql", "-q", "CALL dolt_branch('-D', " + SqlLiteral(branch) + ")"), cancellationToken);

        /// <inheritdoc />
        public Task DeleteTagAsync(string database, string tag, CancellationToken cancellationToken)
            => RunAsync($"Deleting tag '{tag}' of '{database}'", UseDb(database, "sql", "-q", "CALL dolt_tag('-d', " + SqlLiteral(tag) + ")"), cancellationToken);

        /// <inheritdoc />
        public void Dispose()
        {
        }
    }
}
