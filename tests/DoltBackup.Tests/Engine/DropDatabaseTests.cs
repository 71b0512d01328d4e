#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Threading;
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>DROP DATABASE through both engines: the identifier is quoted (backticks doubled), never spliced raw.</summary>
    public class DropDatabaseTests
    {
        [Theory]
        [InlineData("dbtest_1a2b3c4d_sales", "`dbtest_1a2b3c4d_sales`")]
        [InlineData("my-db", "`my-db`")]
        [InlineData("a`b; DROP DATABASE prod; --", "`a``b; DROP DATABASE prod; --`")]
        public void Identifiers_are_backtick_quoted_with_backticks_doubled(string name, string quoted)
            => Assert.Equal(quoted, SqlDoltEngine.QuoteIdentifier(name));

        [Fact]
        public void An_empty_name_is_refused()
            => Assert.Throws<ArgumentException>(() => SqlDoltEngine.QuoteIdentifier(""));

        [Fact]
        public void The_server_engine_drops_with_a_quoted_identifier_and_no_current_database()
        {
            var rec = new RecordingSessionFactory();
            new SqlDoltEngine(rec).DropDatabaseAsync("dbtest_x_my`db", CancellationToken.None).GetAwaiter().GetResult();

            var s = Assert.Single(rec.Statements);
            Assert.Null(s.Database);
            Assert.Equal("DROP DATABASE `dbtest_x_my``db`", s.Sql);
            Assert.Empty(s.Parameters);
        }

        [Fact]
        public void The_cli_engine_runs_dolt_sql_with_the_quoted_statement_in_the_data_dir()
        {
            var runner = new RecordingProcessRunner();
            new CliDoltEngine("/scratch", "/opt/dolt", runner, TimeSpan.FromMinutes(1)).DropDatabaseAsync("sales", CancellationToken.None).GetAwaiter().GetResult();

            var run = Assert.Single(runner.Runs);
            Assert.Equal("/opt/dolt", run.File);
            Assert.Equal("/scratch", run.Cwd);
            Assert.Equal(new[] { "sql", "-q", "DROP DATABASE `sales`" }, run.Args);
        }
    }
}
