#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>The point-in-time additions to the engine seam: the exact SQL text and CLI argument arrays, and how their answers are read.</summary>
    public class BranchHistoryEngineTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public void Sql_reads_one_branch_log_with_parents_and_utc_dates()
        {
            var rec = new RecordingSessionFactory();
            rec.Answers[SqlDoltEngine.BranchLogSql] = new List<object[]>
            {
                new object[] { "bbbb", "alice", new DateTime(2026, 11, 1, 13, 0, 0, 250, DateTimeKind.Unspecified), "second", "aaaa, cccc" },
                new object[] { "aaaa", "alice", new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Unspecified), "Initialize data repository", "" },
            };
            var log = new SqlDoltEngine(rec).GetBranchLogAsync("sales", "main", None).GetAwaiter().GetResult();

            var s = Assert.Single(rec.Statements);
            Assert.Equal(("sales", "SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', @branch)"), (s.Database, s.Sql));
            Assert.Equal(new[] { ("@branch", (object)"main") }, s.Parameters);
            Assert.Equal(new[] { "aaaa", "cccc" }, log[0].Parents);
            Assert.Empty(log[1].Parents);
            Assert.Equal(DateTimeKind.Utc, log[0].DateUtc.Kind);
            Assert.Equal(new DateTime(2026, 11, 1, 13, 0, 0, 250, DateTimeKind.Utc), log[0].DateUtc);
            Assert.Equal(("alice", "second"), (log[0].Committer, log[0].Message));
        }

        [Fact]
        public void Sql_resets_the_checked_out_branch_and_repoints_any_other()
        {
            var rec = new RecordingSessionFactory();
            rec.Answers["SELECT active_branch()"] = new List<object[]> { new object[] { "main" } };
            var engine = new SqlDoltEngine(rec);
            engine.MoveBranchAsync("sales", "main", "c1", None).GetAwaiter().GetResult();
            engine.MoveBranchAsync("sales", "dev", "c2", None).GetAwaiter().GetResult();
            engine.DeleteBranchAsync("sales", "late", None).GetAwaiter().GetResult();
            engine.DeleteTagAsync("sales", "v9", None).GetAwaiter().GetResult();

            Assert.Equal(new[]
            {
                "SELECT active_branch()", "CALL dolt_reset('--hard', @commit)",
                "SELECT active_branch()", "CALL dolt_branch('-f', @branch, @commit)",
                "CALL dolt_branch('-D', @branch)", "CALL dolt_tag('-d', @tag)",
            }, rec.Statements.Select(x => x.Sql));
            Assert.All(rec.Statements, x => Assert.Equal("sales", x.Database));
            Assert.Equal(new[] { ("@commit", (object)"c1") }, rec.Statements[1].Parameters);
            Assert.Equal(new[] { ("@branch", (object)"dev"), ("@commit", (object)"c2") }, rec.Statements[3].Parameters);
            Assert.Equal(new[] { ("@tag", (object)"v9") }, rec.Statements[5].Parameters);
        }

        [Fact]
        public void Cli_reads_the_log_as_json_with_the_branch_as_an_escaped_literal()
        {
            var runner = new RecordingProcessRunner();
            runner.Returns("{\"rows\": [{\"commit_hash\":\"bbbb\",\"committer\":\"alice\",\"date\":\"2026-11-01 13:00:00.25\",\"message\":\"m\",\"parents\":\"aaaa\"}]}\n");
            var engine = new CliDoltEngine("/data", null, runner, TimeSpan.FromMinutes(1));
            var log = engine.GetBranchLogAsync("db1", "it's", None).GetAwaiter().GetResult();

            Assert.Equal(new[] { "--use-db", "db1", "sql", "-r", "json", "-q", "SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', 'it''s')" }, runner.Runs[0].Args);
            var c = Assert.Single(log);
            Assert.Equal(new DateTime(2026, 11, 1, 13, 0, 0, 250, DateTimeKind.Utc), c.DateUtc);
            Assert.Equal(new[] { "aaaa" }, c.Parents);
        }

        [Fact]
        public void Cli_moves_the_checked_out_branch_with_reset_and_others_with_branch_force()
        {
            var runner = new RecordingProcessRunner();
            runner.Returns("{\"rows\": [{\"b\":\"main\"}]}\n").Returns("").Returns("{\"rows\": [{\"b\":\"main\"}]}\n").Returns("").Returns("").Returns("");
            var engine = new CliDoltEngine("/data", null, runner, TimeSpan.FromMinutes(1));
            engine.MoveBranchAsync("db1", "main", "c1", None).GetAwaiter().GetResult();
            engine.MoveBranchAsync("db1", "dev", "c2", None).GetAwaiter().GetResult();
            engine.DeleteBranchAsync("db1", "late", None).GetAwaiter().GetResult();
            engine.DeleteTagAsync("db1", "v9", None).GetAwaiter().GetResult();

            Assert.Equal(new[] { "--use-db", "db1", "sql", "-r", "json", "-q", "SELECT active_branch() AS b" }, runner.Runs[0].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-q", "CALL dolt_reset('--hard', 'c1')" }, runner.Runs[1].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-q", "CALL dolt_branch('-f', 'dev', 'c2')" }, runner.Runs[3].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-q", "CALL dolt_branch('-D', 'late')" }, runner.Runs[4].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-q", "CALL dolt_tag('-d', 'v9')" }, runner.Runs[5].Args);
        }

        [Theory]
        [InlineData("a'b", "'a''b'")]
        [InlineData("a\\b", "'a\\\\b'")]
        public void Cli_sql_literals_escape_quotes_and_backslashes(string value, string literal)
            => Assert.Equal(literal, CliDoltEngine.SqlLiteral(value));
    }
}
