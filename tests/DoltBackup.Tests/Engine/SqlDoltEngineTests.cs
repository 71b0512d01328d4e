#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
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
            Assert.Equal(new[] { "my`db" }, rec.Uses.Take(1)); // one USE for the three calls on my`db
            Assert.Single(rec.Uses.Take(rec.Uses.Count - 1)); // the restores need no current database: no USE before them
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
            Assert.Equal(1, rec.RoundTrips); // USE and the four queries in one text
            Assert.Equal(new[] { "dev@h1", "main@h2" }, state.Branches.Select(b => b.ToString()));
            Assert.Equal("v1@h3", state.Tags.Single().ToString());
            Assert.Equal("ws", state.WorkingSetHash);
            Assert.NotNull(state.Backups);
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
    

        [Fact]
        public void A_sync_of_one_database_costs_the_bare_loops_two_round_trips_on_one_kept_connection()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            server.AddDatabase("db1").Backups["nightly"] = "file:///b/db1";
            server.AddDatabase("db2").Backups["nightly"] = "file:///b/db2";
            using var engine = new SqlDoltEngine(server);
            Assert.Equal("2.2.2", engine.GetDoltVersionAsync(None).GetAwaiter().GetResult()); // the connection's handshake
            foreach (var db in new[] { "db1", "db2" })
            {
                server.ResetCounters();
                var state = engine.GetDatabaseStateAsync(db, None).GetAwaiter().GetResult();
                engine.SyncBackupAsync(db, "nightly", None).GetAwaiter().GetResult();
                Assert.Equal("nightly", state.Backups.Single().Name);
                Assert.Equal(2, server.RoundTrips); // USE + state + registrations in one text, then the CALL
            }
            Assert.Equal(0, server.Opens); // the one connection kept since the version query
            Assert.Equal(true, engine.MultiStatements);
        }

        [Fact]
        public void Without_multi_statements_the_engine_falls_back_to_one_statement_per_round_trip_and_stays_there()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer { MultiStatements = false };
            server.AddDatabase("db1", "dev");
            server.AddDatabase("db2");
            using var engine = new SqlDoltEngine(server);
            var first = engine.GetDatabaseStateAsync("db1", None).GetAwaiter().GetResult();
            Assert.Equal(new[] { "dev", "main" }, first.Branches.Select(b => b.Name));
            Assert.Equal(false, engine.MultiStatements);
            server.ResetCounters();
            var second = engine.GetDatabaseStateAsync("db2", None).GetAwaiter().GetResult();
            Assert.Equal(server.Databases["db2"].WorkingHash, second.WorkingSetHash);
            Assert.Equal(5, server.RoundTrips); // USE and four queries; no refused batch any more
        }

        [Fact]
        public void A_failed_statement_closes_its_connection_and_the_next_database_gets_a_fresh_one()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            server.AddDatabase("db1");
            server.AddDatabase("db2").Backups["nightly"] = "file:///b/db2";
            using var engine = new SqlDoltEngine(server);
            var e = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "nightly", None).GetAwaiter().GetResult());
            Assert.Contains("backup 'nightly' not found", e.Message);
            engine.SyncBackupAsync("db2", "nightly", None).GetAwaiter().GetResult();
            Assert.Equal(2, server.Opens); // a new session for db2 (MySqlConnector resets the pooled connection)
            Assert.Contains(server.Log, l => l.Database == "db2" && l.Sql == "CALL dolt_backup('sync', @name)");
        }

        [Fact]
        public void A_kept_connection_lost_while_idle_is_replaced_and_the_call_runs_once_on_the_new_one()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            server.AddDatabase("db1").Backups["nightly"] = "file:///b/db1";
            using var engine = new SqlDoltEngine(server) { RetryProceduresAfterIdle = TimeSpan.Zero }; // as after a long idle time
            engine.GetDatabaseStateAsync("db1", None).GetAwaiter().GetResult();
            server.DropAllConnections(); // the server restarted
            engine.SyncBackupAsync("db1", "nightly", None).GetAwaiter().GetResult();
            Assert.Equal(2, server.ConnectionsOpened);
            Assert.Equal(2, server.Opens);
            Assert.Single(server.Log, l => l.Sql == "CALL dolt_backup('sync', @name)");
            Assert.True(server.Stores.ContainsKey("file:///b/db1"));
        }

        [Fact]
        public void A_sync_whose_connection_drops_in_the_middle_is_reported_not_run_again()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            server.AddDatabase("db1").Backups["nightly"] = "file:///b/db1";
            using var engine = new SqlDoltEngine(server);
            engine.GetDatabaseStateAsync("db1", None).GetAwaiter().GetResult();
            int calls = 0;
            server.BeforeStatement = st =>
            {
                if (st.StartsWith("CALL dolt_backup('sync'", StringComparison.Ordinal))
                {
                    calls++;
                    server.DropAllConnections(); // the server went away during the sync
                    throw new DoltBackup.Tests.Fakes.FakeDoltSqlServer.FakeSqlException(2013, "Lost connection to MySQL server during query");
                }
            };
            var e = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "nightly", None).GetAwaiter().GetResult());
            Assert.True(e.IsConnectionLevel);
            Assert.Equal(1, calls);
            server.BeforeStatement = null;
            engine.SyncBackupAsync("db1", "nightly", None).GetAwaiter().GetResult(); // a later call gets a new connection
            Assert.True(server.Stores.ContainsKey("file:///b/db1"));
        }

        [Fact]
        public void A_connection_that_read_a_database_is_not_reused_after_that_database_is_replaced()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            server.AddDatabase("db1").Backups["nightly"] = "file:///b/db1";
            using var engine = new SqlDoltEngine(server);
            engine.SyncBackupAsync("db1", "nightly", None).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/db1", "db1", force: true, None).GetAwaiter().GetResult();
            engine.GetDatabaseStateAsync("db1", None).GetAwaiter().GetResult();
            var restore = server.Log.Single(l => l.Sql.StartsWith("CALL dolt_backup('restore'"));
            var sync = server.Log.Single(l => l.Sql.StartsWith("CALL dolt_backup('sync'"));
            Assert.NotEqual(sync.Session, restore.Session); // Dolt keeps a database's state in the session that read it
            Assert.All(server.Log.Where(l => l.Sql.StartsWith("SELECT")), l => Assert.NotEqual(sync.Session, l.Session));
        }

        [Fact]
        public void Concurrent_callers_never_share_a_connection()
        {
            var server = new DoltBackup.Tests.Fakes.FakeDoltSqlServer();
            for (int i = 0; i < 16; i++)
            {
                server.AddDatabase("db" + i).Backups["nightly"] = "file:///b/db" + i;
            }
            using var engine = new SqlDoltEngine(new ExclusiveUseCheck(server));
            System.Threading.Tasks.Parallel.For(0, 64, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                string db = "db" + (i % 16);
                engine.GetDatabaseStateAsync(db, None).GetAwaiter().GetResult();
                engine.SyncBackupAsync(db, "nightly", None).GetAwaiter().GetResult();
            });
            Assert.InRange(server.Opens, 1, 8);
            Assert.Equal(16, server.Stores.Count);
        }

        /// <summary>Fails a test when one session is used by two calls at once.</summary>
        private sealed class ExclusiveUseCheck : ISqlSessionFactory
        {
            private readonly ISqlSessionFactory _inner;
            public ExclusiveUseCheck(ISqlSessionFactory inner) => _inner = inner;
            public string Endpoint => _inner.Endpoint;
            public DoltEngineException Translate(System.Exception exception, string operation) => _inner.Translate(exception, operation);
            public async System.Threading.Tasks.Task<ISqlSession> OpenAsync(string database, CancellationToken ct) => new Checked(await _inner.OpenAsync(database, ct));

            private sealed class Checked : ISqlSession
            {
                private readonly ISqlSession _s;
                private int _inUse;
                public Checked(ISqlSession s) => _s = s;

                private async System.Threading.Tasks.Task<T> Once<T>(System.Func<System.Threading.Tasks.Task<T>> call)
                {
                    Assert.Equal(0, Interlocked.Exchange(ref _inUse, 1));
                    try
                    {
                        await System.Threading.Tasks.Task.Yield();
                        return await call();
                    }
                    finally
                    {
                        Volatile.Write(ref _inUse, 0);
                    }
                }

                public System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<object[]>> QueryAsync(string sql, System.Collections.Generic.IReadOnlyList<SqlParameterValue> p, CancellationToken ct) => Once(() => _s.QueryAsync(sql, p, ct));
                public System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<System.Collections.Generic.IReadOnlyList<object[]>>> QueryResultSetsAsync(string sql, System.Collections.Generic.IReadOnlyList<SqlParameterValue> p, CancellationToken ct) => Once(() => _s.QueryResultSetsAsync(sql, p, ct));
                public System.Threading.Tasks.Task ExecuteAsync(string sql, System.Collections.Generic.IReadOnlyList<SqlParameterValue> p, CancellationToken ct) => Once(async () => { await _s.ExecuteAsync(sql, p, ct); return true; });
                public bool IsBroken => _s.IsBroken;
                public void Dispose() => _s.Dispose();
            }
        }
    }
}
