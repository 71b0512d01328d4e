#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    public class SqlDoltEngineTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public void Dolt_procedures_are_called_with_fixed_text_and_real_parameters_in_the_database()
        {
            var rec = new RecordingSessionFactory();
            var engine = new SqlDoltEngine(rec);
            string evil = "x'); DROP DATABASE prod; --";
            engine.AddBackupAsync("my`db", "nightly", evil, None).GetAwaiter().GetResult();
            engine.SyncBackupAsync("my`db", "nightly", None).GetAwaiter().GetResult();
            engine.RemoveBackupAsync("my`db", "nightly", None).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/db1", "db1", false, None).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/db1", "db1", true, None).GetAwaiter().GetResult();
            engine.PushBranchAsync("db1", "origin", "main", None).GetAwaiter().GetResult();

            var s = rec.Statements;
            Assert.Equal(("my`db", "CALL dolt_backup('add', @name, @url)"), (s[0].Database, s[0].Sql));
            Assert.Equal(new[] { ("@name", (object)"nightly"), ("@url", (object)evil) }, s[0].Parameters);
            Assert.Equal(("my`db", "CALL dolt_backup('sync', @name)"), (s[1].Database, s[1].Sql));
            Assert.Equal(new[] { ("@name", (object)"nightly") }, s[1].Parameters);
            Assert.Equal("CALL dolt_backup('remove', @name)", s[2].Sql);
            Assert.Null(s[3].Database); // restore needs no current database
            Assert.Equal("CALL dolt_backup('restore', @url, @name)", s[3].Sql);
            Assert.Equal(new[] { ("@url", (object)"file:///b/db1"), ("@name", (object)"db1") }, s[3].Parameters);
            Assert.Equal("CALL dolt_backup('restore', '--force', @url, @name)", s[4].Sql);
            Assert.Equal(("db1", "CALL dolt_push(@remote, @branch)"), (s[5].Database, s[5].Sql));
            Assert.Equal(new[] { ("@remote", (object)"origin"), ("@branch", (object)"main") }, s[5].Parameters);
            Assert.DoesNotContain(s, x => x.Sql.Contains("DROP"));
        }

        [Fact]
        public void State_reads_branches_tags_and_hashof_db_in_the_database()
        {
            var rec = new RecordingSessionFactory();
            rec.Answers["SELECT name, hash FROM dolt_branches ORDER BY name"] = new() { new object[] { "dev", "h1" }, new object[] { "main", "h2" } };
            rec.Answers["SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name"] = new() { new object[] { "v1", System.Text.Encoding.UTF8.GetBytes("h3") } };
            rec.Answers["SELECT dolt_hashof_db()"] = new() { new object[] { "ws" } };
            var state = new SqlDoltEngine(rec).GetDatabaseStateAsync("db1", None).GetAwaiter().GetResult();
            Assert.All(rec.Statements, x => Assert.Equal("db1", x.Database));
            Assert.Equal(new[] { "dev@h1", "main@h2" }, state.Branches.Select(b => b.ToString()));
            Assert.Equal("v1@h3", state.Tags.Single().ToString());
            Assert.Equal("ws", state.WorkingSetHash);
        }

        [Fact]
        public void Lists_backups_remotes_and_version()
        {
            var rec = new RecordingSessionFactory();
            rec.Answers["SELECT name, url FROM dolt_backups ORDER BY name"] = new() { new object[] { "nightly", "file:///b/db1" } };
            rec.Answers["SELECT name, url FROM dolt_remotes ORDER BY name"] = new() { new object[] { "origin", "https://doltremoteapi.dolthub.com/org/db1" } };
            rec.Answers["SELECT dolt_version()"] = new() { new object[] { "2.3.1" } };
            var engine = new SqlDoltEngine(rec);
            Assert.Equal("nightly -> file:///b/db1", engine.ListBackupsAsync("db1", None).GetAwaiter().GetResult().Single().ToString());
            Assert.Equal("origin", engine.ListRemotesAsync("db1", None).GetAwaiter().GetResult().Single().Name);
            Assert.Equal("2.3.1", engine.GetDoltVersionAsync(None).GetAwaiter().GetResult());
        }

        [Fact]
        public void System_databases_are_never_listed()
        {
            var rec = new RecordingSessionFactory();
            rec.Answers["SHOW DATABASES"] = new() { new object[] { "information_schema" }, new object[] { "mysql" }, new object[] { "zeta" }, new object[] { "alpha" } };
            Assert.Equal(new[] { "alpha", "zeta" }, new SqlDoltEngine(rec).ListDatabasesAsync(None).GetAwaiter().GetResult());
        }
    }
}
