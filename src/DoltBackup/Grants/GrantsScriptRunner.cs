using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using DoltBackup.Server;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Replays a grants script (as written by Export-DoltGrants, or any MySQL script of account statements) statement
    /// by statement against a server, recording an outcome per statement: one refused statement does not stop the
    /// rest unless asked. Statements that would drop, lock or alter the replaying account are skipped.
    /// </summary>
    public sealed class GrantsScriptRunner
    {
        private static readonly Regex Destructive = new Regex(@"^\s*(DROP\s+USER|RENAME\s+USER|ALTER\s+USER|REVOKE|DROP\s+ROLE)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
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
