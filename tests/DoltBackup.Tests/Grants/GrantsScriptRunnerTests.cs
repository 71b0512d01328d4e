using System.Collections.Generic;
using System.Linq;
using DoltBackup.Grants;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    public class GrantsScriptRunnerTests
    {
        /// <summary>Records statements; refuses those containing a marker, as a server would refuse them.</summary>
        private sealed class RecordingExecutor : IGrantsStatementExecutor
        {
            public List<string> Executed { get; } = new List<string>();
            public string RefuseContaining { get; set; }
            public bool LoseConnection { get; set; }
            public AccountName CurrentUser { get; set; } = new AccountName("admin", "%");

            public void Execute(string sql)
            {
                if (RefuseContaining != null && sql.Contains(RefuseContaining))
                {
                    throw new GrantsStatementException("Operation CREATE USER failed for 'bad'@'%'", 1396, LoseConnection);
                }
                Executed.Add(sql);
            }

            public IReadOnlyList<string[]> Query(string sql)
            {
                Executed.Add(sql);
                return System.Array.Empty<string[]>();
            }

            public void Dispose()
            {
            }
        }

        private const string Script = "-- header\nCREATE ROLE IF NOT EXISTS 'r';\nCREATE USER IF NOT EXISTS 'bad'@'%' IDENTIFIED WITH mysql_native_password AS '*SECRETHASH';\n"
                                      + "GRANT `r` TO `bad`@`%`;\n/* c;omment */ CREATE USER IF NOT EXISTS 'ok;x'@'%';\nFLUSH PRIVILEGES;\n";

        [Fact]
        public void Splits_at_semicolons_outside_quotes_and_comments_with_line_numbers()
        {
            var statements = SqlScriptSplitter.Split(Script);
            Assert.Equal(5, statements.Count);
            Assert.Equal("CREATE ROLE IF NOT EXISTS 'r'", statements[0].Text);
            Assert.Equal(2, statements[0].Line);
            Assert.Equal("CREATE USER IF NOT EXISTS 'ok;x'@'%'", statements[3].Text);
            Assert.Equal(5, statements[3].Line);
            Assert.Equal("FLUSH PRIVILEGES", statements[4].Text);
            Assert.Equal(6, statements[4].Line);
        }

        [Fact]
        public void Runs_every_statement_and_reports_each_failure_without_the_hash()
        {
            var executor = new RecordingExecutor { RefuseContaining = "'bad'@'%' IDENTIFIED" };
            var result = new GrantsScriptRunner(executor).Run(Script);
            Assert.Equal(4, result.Succeeded);
            Assert.Equal(1, result.Failed);
            Assert.False(result.Success);
            var failure = result.Failures.Single();
            Assert.Equal(3, failure.Line);
            Assert.Equal(1396, failure.ServerErrorCode);
            Assert.Contains("Operation CREATE USER failed", failure.Error);
            Assert.DoesNotContain("SECRETHASH", failure.Statement + failure.Error + failure);
            Assert.Contains("AS '<redacted>'", failure.Statement);
            Assert.Contains("FLUSH PRIVILEGES", executor.Executed.Last());
        }

        [Fact]
        public void StopOnError_skips_the_rest_and_a_lost_connection_always_does()
        {
            var stop = new GrantsScriptRunner(new RecordingExecutor { RefuseContaining = "'bad'@'%' IDENTIFIED" }).Run(Script, new GrantsReplayOptions { StopOnError = true });
            Assert.Equal(new[] { StatementStatus.Succeeded, StatementStatus.Failed, StatementStatus.Skipped, StatementStatus.Skipped, StatementStatus.Skipped }, stop.Statements.Select(s => s.Status));
            Assert.Contains("line 3", stop.Statements[2].Error);

            var lost = new GrantsScriptRunner(new RecordingExecutor { RefuseContaining = "'bad'@'%' IDENTIFIED", LoseConnection = true }).Run(Script);
            Assert.Equal(3, lost.Skipped);
            Assert.Contains("connection", lost.Statements[4].Error);
        }

        [Fact]
        public void Statements_that_would_lock_or_drop_the_replaying_account_are_skipped()
        {
            var executor = new RecordingExecutor { CurrentUser = new AccountName("admin", "%") };
            string script = "DROP USER 'admin'@'%';\nALTER USER `admin`@`%` ACCOUNT LOCK;\nCREATE USER IF NOT EXISTS 'admin'@'%' ACCOUNT LOCK;\nREVOKE ALL PRIVILEGES ON *.* FROM 'admin'@'%';\nDROP USER 'other'@'%';\nGRANT SELECT ON *.* TO 'admin'@'%';";
            var result = new GrantsScriptRunner(executor).Run(script);
            Assert.Equal(new[] { StatementStatus.Skipped, StatementStatus.Skipped, StatementStatus.Skipped, StatementStatus.Skipped, StatementStatus.Succeeded, StatementStatus.Succeeded },
                result.Statements.Select(s => s.Status));
            Assert.Equal(new[] { "DROP USER 'other'@'%'", "GRANT SELECT ON *.* TO 'admin'@'%'" }, executor.Executed);
            Assert.Contains("'admin'@'%'", result.Statements[0].Error);

            var unprotected = new RecordingExecutor();
            new GrantsScriptRunner(unprotected).Run(script, new GrantsReplayOptions { ProtectCurrentUser = false });
            Assert.Equal(6, unprotected.Executed.Count);
        }

        [Fact]
        public void ShouldRun_declines_statements_without_running_them()
        {
            var executor = new RecordingExecutor();
            var result = new GrantsScriptRunner(executor).Run(Script, new GrantsReplayOptions { ShouldRun = _ => false });
            Assert.Empty(executor.Executed);
            Assert.All(result.Statements, s => Assert.Equal(StatementStatus.Skipped, s.Status));
            Assert.True(result.Success);
        }

        [Theory]
        [InlineData("CREATE USER 'u'@'h' IDENTIFIED WITH mysql_native_password AS '*AB''CD'", "CREATE USER 'u'@'h' IDENTIFIED WITH mysql_native_password AS '<redacted>'")]
        [InlineData("ALTER USER 'u'@'h' IDENTIFIED BY 'pw\\'x'", "ALTER USER 'u'@'h' IDENTIFIED BY '<redacted>'")]
        [InlineData("GRANT USAGE ON *.* TO 'u'@'h' IDENTIFIED BY PASSWORD '*AB'", "GRANT USAGE ON *.* TO 'u'@'h' IDENTIFIED BY PASSWORD '<redacted>'")]
        public void Redact_hides_authentication_strings(string sql, string expected)
        {
            Assert.Equal(expected, SqlScriptSplitter.Redact(sql));
        }
    }
}
