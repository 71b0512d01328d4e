using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using DoltBackup.Server;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Replays a grants script (as written by Export-DoltGrants, or any MySQL script of account statements) statement
    /// by statement against a server, recording an outcome per statement: one refused statement does not stop the
    /// rest unless asked. Statements that would drop, lock or alter the replaying account are skipped. Dolt's
    /// branch-control statements (unqualified dolt_branch_control / dolt_branch_namespace_control) need a current
    /// database, as Dolt shows those tables only inside one: before the first of them the runner switches to a user
    /// database (<c>USE</c>) when the session has none; on a server without one they fail with a message saying so.
    /// </summary>
    public sealed class GrantsScriptRunner
    {
        private static readonly Regex Destructive = new Regex(@"^\s*(DROP\s+USER|RENAME\s+USER|ALTER\s+USER|REVOKE|DROP\s+ROLE)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex BranchControlStatement = new Regex(@"^\s*(DELETE\s+FROM|INSERT\s+(IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE)\s+`?dolt_branch(_namespace)?_control\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex CreateLocked = new Regex(@"^\s*CREATE\s+USER\b.*\bACCOUNT\s+LOCK\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private readonly IGrantsStatementExecutor _executor;

        /// <summary>A runner over an executor (the caller disposes the executor).</summary>
        public GrantsScriptRunner(IGrantsStatementExecutor executor)
        {
            _executor = executor ?? throw new ArgumentNullException(nameof(executor));
        }

        /// <summary>Connects to a server and replays a script there; the connection is closed afterwards.</summary>
        public static GrantsReplayResult RunOnServer(ServerConnectionSettings settings, string script, GrantsReplayOptions options = null)
        {
            using (var executor = new MySqlGrantsStatementExecutor(settings))
            {
                return new GrantsScriptRunner(executor).Run(script, options);
            }
        }

        /// <summary>Replays the script's statements in order.</summary>
        public GrantsReplayResult Run(string script, GrantsReplayOptions options = null) => Run(SqlScriptSplitter.Split(script ?? ""), options);

        /// <summary>Replays already split statements in order.</summary>
        public GrantsReplayResult Run(IReadOnlyList<ScriptStatement> statements, GrantsReplayOptions options = null)
        {
            options = options ?? new GrantsReplayOptions();
            var result = new GrantsReplayResult();
            string stopReason = null;
            bool? branchControlReady = null;
            string branchControlProblem = null;
            foreach (var statement in statements)
            {
                var outcome = new StatementOutcome { Index = statement.Index, Line = statement.Line, Statement = statement.DisplayText };
                result.Statements.Add(outcome);
                if (stopReason != null)
                {
                    outcome.Status = StatementStatus.Skipped;
                    outcome.Error = stopReason;
                    continue;
                }
                string protectedReason = options.ProtectCurrentUser ? WouldHarmCurrentUser(statement.Text) : null;
                if (protectedReason != null)
                {
                    outcome.Status = StatementStatus.Skipped;
                    outcome.Error = protectedReason;
                    continue;
                }
                if (options.ShouldRun != null && !options.ShouldRun(statement))
                {
                    outcome.Status = StatementStatus.Skipped;
                    outcome.Error = "Not run (declined).";
                    continue;
                }
                if (BranchControlStatement.IsMatch(statement.Text))
                {
                    if (branchControlReady == null)
                    {
                        branchControlReady = ChooseBranchControlDatabase(result, out branchControlProblem, out bool lost);
                        if (lost)
                        {
                            stopReason = "Not run: the connection to the server was lost at line " + statement.Line + ".";
                        }
                    }
                    if (branchControlReady == false)
                    {
                        outcome.Status = StatementStatus.Failed;
                        outcome.Error = branchControlProblem;
                        continue;
                    }
                }
                options.Progress?.Invoke(statement, statements.Count);
                try
                {
                    _executor.Execute(statement.Text);
                    outcome.Status = StatementStatus.Succeeded;
                }
                catch (GrantsStatementException e)
                {
                    outcome.Status = StatementStatus.Failed;
                    outcome.Error = e.Message;
                    outcome.ServerErrorCode = e.ServerErrorCode;
                    if (e.ConnectionLost)
                    {
                        stopReason = "Not run: the connection to the server was lost at line " + statement.Line + ".";
                    }
                    else if (options.StopOnError)
                    {
                        stopReason = "Not run: the replay stopped at the error on line " + statement.Line + ".";
                    }
                }
            }
            return result;
        }

        /// <summary>
        /// Makes sure the session has a user database for the branch-control statements: keeps the current one, or
        /// switches to the first user database of SHOW DATABASES. False (with the reason) when there is none.
        /// </summary>
        private bool ChooseBranchControlDatabase(GrantsReplayResult result, out string problem, out bool connectionLost)
        {
            problem = null;
            connectionLost = false;
            try
            {
                string current = _executor.Query("SELECT DATABASE()").Select(r => r.Length > 0 ? r[0] : null).FirstOrDefault();
                if (BranchControlReader.IsUserDatabase(current))
                {
                    result.BranchControlDatabase = current;
                    return true;
                }
                string database = BranchControlReader.UserDatabases(_executor).FirstOrDefault();
                if (database == null)
                {
                    problem = "Not run: Dolt keeps branch control inside a database and the server has no user database yet. " +
                              "Restore a database first (Restore-DoltBackup restores the databases before it replays grants), then replay the script again.";
                    return false;
                }
                _executor.Execute("USE " + SqlText.Identifier(database));
                result.BranchControlDatabase = database;
                return true;
            }
            catch (GrantsStatementException e)
            {
                connectionLost = e.ConnectionLost;
                problem = "Not run: no database could be chosen for the branch-control statements: " + e.Message;
                return false;
            }
        }

        private string WouldHarmCurrentUser(string sql)
        {
            var me = _executor.CurrentUser;
            if (me == null)
            {
                return null;
            }
            bool destructive = Destructive.IsMatch(sql) || CreateLocked.IsMatch(sql);
            if (!destructive)
            {
                return null;
            }
            bool names = sql.IndexOf(me.ToSql(), StringComparison.Ordinal) >= 0 || sql.IndexOf(me.ToIdentifierSql(), StringComparison.Ordinal) >= 0
                         || sql.IndexOf("CURRENT_USER", StringComparison.OrdinalIgnoreCase) >= 0;
            return names ? $"Not run: it would change or lock {me}, the account running the replay." : null;
        }
    }
}
