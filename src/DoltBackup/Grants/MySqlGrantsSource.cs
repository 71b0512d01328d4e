using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Server;
using MySqlConnector;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Reads accounts and grants over the MySQL protocol from Dolt, MariaDB or MySQL with few round trips: one query
    /// for the server's identity, one for the accounts (mysql.global_priv on MariaDB, mysql.user elsewhere), one for
    /// role edges, then SHOW GRANTS for many accounts per round trip (a multi-statement batch). A statement that fails
    /// marks only its account as failed; the batch resumes after it.
    /// </summary>
    public sealed class MySqlGrantsSource : IGrantsSource
    {
        private readonly ServerConnectionSettings _settings;

        /// <summary>Creates a source for a server.</summary>
        public MySqlGrantsSource(ServerConnectionSettings settings)
        {
            _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        }

        /// <inheritdoc />
        public GrantsSnapshot Read(GrantsReadOptions options)
        {
            options = options ?? new GrantsReadOptions();
            using (var connection = MySqlConnectionFactory.Open(_settings))
            {
                var snapshot = new GrantsSnapshot { Endpoint = _settings.Endpoint, ReadUtc = DateTime.UtcNow };
                Identify(connection, snapshot);
                var accounts = ReadAccounts(connection, snapshot.Kind, snapshot.CurrentUser).Where(a => options.Filter.Accepts(a.Name)).OrderBy(a => a.Name).ToList();
                var viaShowGrants = accounts;
                if (snapshot.Kind == ServerKind.MariaDb && options.UseGrantTables && MariaDbGrantTables.Supports(snapshot.ServerVersion))
                {
                    var built = MariaDbGrantTables.Build(connection, accounts);
                    foreach (var a in accounts.Where(a => built.ContainsKey(a.Name)))
                    {
                        a.Grants.AddRange(built[a.Name]);
                        snapshot.Accounts.Add(a);
                    }
                    viaShowGrants = accounts.Where(a => !built.ContainsKey(a.Name)).ToList();
                }
                ReadGrants(connection, viaShowGrants, snapshot, Math.Max(1, options.BatchSize), Math.Max(1, options.Parallelism), options.Progress);
                if (snapshot.Kind == ServerKind.Dolt && options.IncludeBranchControl)
                {
                    if (options.Filter.IsFiltering)
                    {
                        snapshot.Warnings.Add("Branch control was left out: its rows are global, so it is exported only without -IncludeUser and -ExcludeUser.");
                    }
                    else
                    {
                        BranchControlReader.Read(new MySqlGrantsQuerySession(connection), snapshot);
                    }
                }
                return snapshot;
            }
        }

        private static void Identify(MySqlConnection c, GrantsSnapshot s)
        {
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT VERSION(), CURRENT_USER()";
                using (var r = cmd.ExecuteReader())
                {
                    r.Read();
                    s.ServerVersion = r.IsDBNull(0) ? "" : r.GetString(0);
                    s.CurrentUser = AccountName.ParseCurrentUser(r.IsDBNull(1) ? null : r.GetString(1));
                }
            }
            if (s.ServerVersion.IndexOf("MariaDB", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                s.Kind = ServerKind.MariaDb;
                return;
            }
            try
            {
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = "SELECT dolt_version()";
                    s.DoltVersion = Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                    s.Kind = ServerKind.Dolt;
                }
            }
            catch (MySqlException)
            {
                s.Kind = ServerKind.MySql;
            }
        }

        private static List<ServerAccount> ReadAccounts(MySqlConnection c, ServerKind kind, AccountName currentUser)
        {
            var accounts = new List<ServerAccount>();
            string table = kind == ServerKind.MariaDb ? "mysql.global_priv" : "mysql.user";
            try
            {
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = kind == ServerKind.MariaDb
                        ? "SELECT User, Host, JSON_VALUE(Priv, '$.plugin'), JSON_VALUE(Priv, '$.authentication_string'), JSON_VALUE(Priv, '$.account_locked'), JSON_VALUE(Priv, '$.is_role') FROM mysql.global_priv"
                        : "SELECT User, Host, plugin, authentication_string, account_locked FROM mysql.user";
                    using (var r = cmd.ExecuteReader())
                    {
                        while (r.Read())
                        {
                            var a = new ServerAccount { Name = new AccountName(Text(r, 0), Text(r, 1)) }.WithAuthentication(Text(r, 2), Text(r, 3));
                            string locked = Text(r, 4);
                            a.Locked = locked == "Y" || locked == "true" || locked == "1";
                            if (kind == ServerKind.MariaDb)
                            {
                                a.IsRole = Text(r, 5) == "true" || Text(r, 5) == "1";
                            }
                            accounts.Add(a);
                        }
                    }
                }
                if (kind != ServerKind.MariaDb)
                {
                    var granted = ReadRoleEdgeSources(c);
                    foreach (var a in accounts)
                    {
                        a.IsRole = a.Locked && !a.HasPassword && granted.Contains(a.Name);
                    }
                }
            }
            catch (MySqlException e) when (IsPrivilegeError(e))
            {
                string privilege = "SELECT on " + table;
                throw new GrantsPrivilegeException(
                    $"The account {currentUser?.ToString() ?? "used"} may not read the list of accounts: it needs the {privilege} privilege" +
                    (kind == ServerKind.MariaDb ? "" : " (and on mysql.role_edges)") + $". The server said: {e.Message}", privilege, e);
            }
            return accounts;
        }

        private static HashSet<AccountName> ReadRoleEdgeSources(MySqlConnection c)
        {
            var set = new HashSet<AccountName>();
            try
            {
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = "SELECT FROM_USER, FROM_HOST FROM mysql.role_edges";
                    using (var r = cmd.ExecuteReader())
                    {
                        while (r.Read())
                        {
                            set.Add(new AccountName(Text(r, 0), Text(r, 1)));
                        }
                    }
                }
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchTable)
            {
                // An old MySQL without roles: nothing is a role.
            }
            return set;
        }

        private void ReadGrants(MySqlConnection c, List<ServerAccount> accounts, GrantsSnapshot s, int batchSize, int parallelism, Action<int, int> progress)
        {
            progress?.Invoke(0, accounts.Count);
            // SHOW GRANTS costs the server time per account (MariaDB scans its grant arrays for each one), so large
            // account lists are split into contiguous ranges read over several connections at once.
            int ranges = Math.Max(1, Math.Min(parallelism, accounts.Count / Math.Max(1, batchSize)));
            int done = 0;
            var parts = new RangeResult[ranges];
            var tasks = new List<Task>();
            for (int p = 0; p < ranges; p++)
            {
                int from = (int)((long)accounts.Count * p / ranges), to = (int)((long)accounts.Count * (p + 1) / ranges);
                var part = parts[p] = new RangeResult();
                if (p == 0)
                {
                    continue;
                }
                tasks.Add(Task.Run(() =>
                {
                    using (var own = MySqlConnectionFactory.Open(_settings))
                    {
                        ReadRange(own, accounts, from, to, batchSize, part, n => Interlocked.Add(ref done, n));
                    }
                }));
            }
            ReadRange(c, accounts, 0, (int)((long)accounts.Count / ranges), batchSize, parts[0], n => progress?.Invoke(Interlocked.Add(ref done, n), accounts.Count));
            try
            {
                while (!Task.WaitAll(tasks.ToArray(), 250))
                {
                    progress?.Invoke(Volatile.Read(ref done), accounts.Count);
                }
            }
            catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            foreach (var part in parts)
            {
                s.Accounts.AddRange(part.Accounts);
                s.Failures.AddRange(part.Failures);
            }
            progress?.Invoke(accounts.Count, accounts.Count);
        }

        private sealed class RangeResult
        {
            public readonly List<ServerAccount> Accounts = new List<ServerAccount>();
            public readonly List<AccountReadFailure> Failures = new List<AccountReadFailure>();
        }

        /// <summary>SHOW GRANTS for accounts[from..to), batchSize statements per round trip.</summary>
        private static void ReadRange(MySqlConnection c, List<ServerAccount> accounts, int from, int to, int batchSize, RangeResult result, Action<int> advanced)
        {
            int next = from;
            int requested = batchSize;
            bool probing = false;
            while (next < to)
            {
                int count = Math.Min(batchSize, to - next);
                var sql = new StringBuilder(count * 48);
                for (int i = next; i < next + count; i++)
                {
                    sql.Append("SHOW GRANTS FOR ").Append(GranteeSql(accounts[i])).Append(';');
                }
                int current = next;
                try
                {
                    using (var cmd = c.CreateCommand())
                    {
                        cmd.CommandText = sql.ToString();
                        using (var r = cmd.ExecuteReader())
                        {
                            while (true)
                            {
                                var lines = accounts[current].Grants;
                                while (r.Read())
                                {
                                    lines.Add(r.GetString(0));
                                }
                                result.Accounts.Add(accounts[current]);
                                current++;
                                if (current >= next + count || !r.NextResult())
                                {
                                    break;
                                }
                            }
                        }
                    }
                }
                catch (MySqlException e) when (!IsConnectionLost(e) && current == next && count > 1)
                {
                    // The first statement of a batch failed: the account may be at fault, or the server may refuse
                    // multi-statement commands (Dolt's behavior.disable_client_multi_statements). Go on one by one;
                    // a real failure then shows up on its own.
                    batchSize = 1;
                    probing = true;
                    continue;
                }
                catch (MySqlException e) when (!IsConnectionLost(e))
                {
                    // The statement at 'current' failed and the server dropped the rest of the batch.
                    result.Failures.Add(new AccountReadFailure { Account = accounts[current].Name, Message = e.Message, ServerErrorCode = e.Number });
                    accounts[current].Grants.Clear();
                    current++;
                    if (probing)
                    {
                        // The account was at fault, not the batching: back to full batches.
                        batchSize = requested;
                        probing = false;
                    }
                }
                advanced(current - next);
                next = current;
            }
        }

        /// <summary>The account as SHOW GRANTS FOR takes it; a MariaDB role has no host part.</summary>
        internal static string GranteeSql(ServerAccount a) => a.IsRole && a.Name.Host.Length == 0 ? SqlText.Identifier(a.Name.User) : a.Name.ToIdentifierSql();

        private static bool IsPrivilegeError(MySqlException e)
            => e.ErrorCode == MySqlErrorCode.TableAccessDenied || e.ErrorCode == MySqlErrorCode.DatabaseAccessDenied
               || e.ErrorCode == MySqlErrorCode.SpecifiedAccessDeniedError || e.ErrorCode == MySqlErrorCode.ColumnAccessDenied
               || e.Message.IndexOf("denied", StringComparison.OrdinalIgnoreCase) >= 0;

        private static bool IsConnectionLost(MySqlException e) => e.ErrorCode == MySqlErrorCode.UnableToConnectToHost || ServerErrorClassifier.IsConnectionLost(e);

        private static string Text(MySqlDataReader r, int i) => MySqlGrantsQuerySession.Text(r, i) ?? "";
    }
}
