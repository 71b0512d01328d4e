#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using DoltBackup.Server;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>The SQL engine against a real MySQL-protocol server (MariaDB) for everything MariaDB can do.</summary>
    [Collection("MariaDb")]
    public class SqlDoltEngineMariaDbTests
    {
        private static readonly string[] OddNames = { "odd`tick", "it's", "my-db", "ünï-cödé" };
        private readonly MariaDbFixture _fixture;

        public SqlDoltEngineMariaDbTests(MariaDbFixture fixture) => _fixture = fixture;

        private void CreateOddDatabases()
        {
            foreach (var n in OddNames)
            {
                _fixture.Server.Execute("CREATE DATABASE IF NOT EXISTS " + MySqlConnectionFactory.QuoteIdentifier(n) + " CHARACTER SET utf8mb4");
            }
        }

        [MariaDbFact]
        public void Lists_databases_with_odd_names_and_never_system_ones()
        {
            CreateOddDatabases();
            var engine = new SqlDoltEngine(new MySqlSessionFactory(_fixture.Server.AdminSettings()));
            var dbs = engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult();
            foreach (var n in OddNames)
            {
                Assert.Contains(n, dbs);
            }
            foreach (var sys in new[] { "mysql", "information_schema", "performance_schema", "sys" })
            {
                Assert.DoesNotContain(sys, dbs, StringComparer.OrdinalIgnoreCase);
            }
        }

        [MariaDbFact]
        public void Sessions_use_odd_database_names_quoted_and_values_as_parameters()
        {
            CreateOddDatabases();
            var factory = new MySqlSessionFactory(_fixture.Server.AdminSettings());
            foreach (var n in OddNames)
            {
                using var session = factory.OpenAsync(n, CancellationToken.None).GetAwaiter().GetResult();
                string evil = "x'); DROP DATABASE `" + n + "`; -- \u00fc";
                var rows = session.QueryAsync("SELECT DATABASE(), @v", new[] { new SqlParameterValue("@v", evil) }, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(n, rows[0][0]);
                Assert.Equal(evil, rows[0][1]);
            }
        }

        /// <summary>A MariaDB database with stand-ins for Dolt's system tables, dolt_hashof_db() and dolt_backup('sync'): not Dolt, the driver path only.</summary>
        private string StandInDatabase(string name)
        {
            string q = MySqlConnectionFactory.QuoteIdentifier(name);
            _fixture.Server.Execute("DROP DATABASE IF EXISTS " + q);
            _fixture.Server.Execute("CREATE DATABASE " + q + " CHARACTER SET utf8mb4");
            _fixture.Server.Execute("CREATE TABLE dolt_branches (name VARCHAR(64), hash VARCHAR(64))", name);
            _fixture.Server.Execute("CREATE TABLE dolt_tags (tag_name VARCHAR(64), tag_hash VARCHAR(64))", name);
            _fixture.Server.Execute("CREATE TABLE dolt_backups (name VARCHAR(64), url VARCHAR(255))", name);
            _fixture.Server.Execute("CREATE TABLE synced (name VARCHAR(64))", name);
            _fixture.Server.Execute("INSERT INTO dolt_branches VALUES ('main', 'h-main'), ('dev', 'h-dev')", name);
            _fixture.Server.Execute("INSERT INTO dolt_backups VALUES ('nightly', 'file:///b/" + name + "')", name);
            _fixture.Server.Execute("CREATE FUNCTION dolt_hashof_db() RETURNS VARCHAR(64) DETERMINISTIC RETURN 'ws-" + name + "'", name);
            _fixture.Server.Execute("CREATE PROCEDURE dolt_backup(op VARCHAR(16), n VARCHAR(64)) BEGIN INSERT INTO synced VALUES (n); SELECT 0 AS status; END", name);
            return name;
        }

        [MariaDbFact]
        public void Several_statements_run_in_one_text_through_the_driver_with_every_result_set_in_order()
        {
            StandInDatabase("rt_one");
            var factory = new MySqlSessionFactory(_fixture.Server.AdminSettings());
            using var session = factory.OpenAsync(null, CancellationToken.None).GetAwaiter().GetResult();
            var sets = session.QueryResultSetsAsync("USE `rt_one`;\nSELECT DATABASE();\nSELECT name FROM dolt_branches WHERE name = @b;\nSELECT 1 FROM DUAL WHERE 1 = 0",
                new[] { new SqlParameterValue("@b", "dev") }, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(3, sets.Count); // USE has no result set
            Assert.Equal("rt_one", sets[0].Single()[0]);
            Assert.Equal("dev", sets[1].Single()[0]);
            Assert.Empty(sets[2]);
        }

        [MariaDbFact]
        public void The_engine_reads_state_and_syncs_many_databases_on_kept_connections_through_the_real_driver()
        {
            var names = new[] { "rt_a", "rt_b", "rt_c`q" }.Select(StandInDatabase).ToArray();
            using var engine = new SqlDoltEngine(new MySqlSessionFactory(_fixture.Server.AdminSettings()));
            var listed = ((IBulkBackupLister)engine).ListBackupsAsync(names, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(names, listed.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var db in names.Concat(names))
            {
                var state = engine.GetDatabaseStateAsync(db, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(new[] { "dev@h-dev", "main@h-main" }, state.Branches.Select(b => b.ToString()));
                Assert.Equal("ws-" + db, state.WorkingSetHash);
                Assert.Equal("file:///b/" + db, state.Backups.Single().Url);
                engine.SyncBackupAsync(db, "nightly", CancellationToken.None).GetAwaiter().GetResult();
            }
            Assert.Equal(true, engine.MultiStatements);
            foreach (var db in names)
            {
                using var check = new MySqlConnector.MySqlConnection(_fixture.Server.AdminConnectionString(db));
                check.Open();
                using var cmd = new MySqlConnector.MySqlCommand("SELECT COUNT(*) FROM synced", check);
                Assert.Equal(2L, Convert.ToInt64(cmd.ExecuteScalar())); // each sync ran in its own database
            }
        }

        [MariaDbFact]
        public void A_connection_killed_on_the_server_is_replaced_and_the_next_call_succeeds()
        {
            StandInDatabase("rt_kill");
            using var engine = new SqlDoltEngine(new MySqlSessionFactory(_fixture.Server.AdminSettings()));
            engine.GetDatabaseStateAsync("rt_kill", CancellationToken.None).GetAwaiter().GetResult();
            // Kill the engine's kept connection (the one whose current database is rt_kill), as a restarted server would.
            using (var admin = new MySqlConnector.MySqlConnection(_fixture.Server.AdminConnectionString()))
            {
                admin.Open();
                var ids = new System.Collections.Generic.List<long>();
                using (var list = new MySqlConnector.MySqlCommand("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = @u AND DB = 'rt_kill' AND ID <> CONNECTION_ID()", admin))
                {
                    list.Parameters.AddWithValue("@u", _fixture.Server.AdminUser);
                    using var r = list.ExecuteReader();
                    while (r.Read())
                    {
                        ids.Add(Convert.ToInt64(r.GetValue(0)));
                    }
                }
                foreach (var id in ids)
                {
                    using var kill = new MySqlConnector.MySqlCommand("KILL CONNECTION " + id, admin);
                    try
                    {
                        kill.ExecuteNonQuery();
                    }
                    catch (MySqlConnector.MySqlException)
                    {
                    }
                }
                Assert.NotEmpty(ids);
            }
            var state = engine.GetDatabaseStateAsync("rt_kill", CancellationToken.None).GetAwaiter().GetResult(); // a query: run again on a new connection
            Assert.Equal("ws-rt_kill", state.WorkingSetHash);
            engine.SyncBackupAsync("rt_kill", "nightly", CancellationToken.None).GetAwaiter().GetResult();
        }

        [MariaDbFact]
        public void A_Dolt_procedure_on_a_non_Dolt_server_is_a_database_level_error_not_a_connection_error()
        {
            CreateOddDatabases();
            var engine = new SqlDoltEngine(new MySqlSessionFactory(_fixture.Server.AdminSettings()));
            var e = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("my-db", "nightly", CancellationToken.None).GetAwaiter().GetResult());
            Assert.False(e.IsConnectionLevel);
            Assert.Contains("dolt_backup", e.Message, StringComparison.OrdinalIgnoreCase);
            var s = Assert.Throws<DoltEngineException>(() => engine.GetDatabaseStateAsync("my-db", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Contains("dolt_branches", s.Message);
        }

        [MariaDbFact]
        public void Bad_credentials_are_a_connection_level_AccessDenied_without_the_password()
        {
            var settings = _fixture.Server.AdminSettings().WithPassword("Wr0ng-Secret-Pw-771");
            var engine = new SqlDoltEngine(new MySqlSessionFactory(settings));
            var e = Assert.Throws<DoltEngineException>(() => engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult());
            Assert.True(e.IsConnectionLevel);
            Assert.Equal("AccessDenied", e.ErrorId);
            Assert.DoesNotContain("Wr0ng-Secret-Pw-771", e.Message + e.RecommendedAction + e.DoltMessage + engine.Description);
        }

        [MariaDbFact]
        public void An_unknown_database_is_DatabaseNotFound()
        {
            var engine = new SqlDoltEngine(new MySqlSessionFactory(_fixture.Server.AdminSettings()));
            var e = Assert.Throws<DoltEngineException>(() => engine.ListBackupsAsync("no_such_db_42", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.DatabaseNotFound, e.Kind);
        }

        [MariaDbFact]
        public void A_command_that_runs_past_the_operation_timeout_is_a_Timeout()
        {
            var settings = _fixture.Server.AdminSettings();
            settings.CommandTimeoutSeconds = 1;
            var factory = new MySqlSessionFactory(settings);
            var e = Assert.ThrowsAny<Exception>(() =>
            {
                using var session = factory.OpenAsync(null, CancellationToken.None).GetAwaiter().GetResult();
                session.QueryAsync("SELECT SLEEP(10)", Array.Empty<SqlParameterValue>(), CancellationToken.None).GetAwaiter().GetResult();
            });
            var classified = factory.Translate(e, "sleeping");
            Assert.Equal(DoltErrorKind.Timeout, classified.Kind);
        }

        [MariaDbFact]
        public void Cancellation_stops_a_running_command()
        {
            var factory = new MySqlSessionFactory(_fixture.Server.AdminSettings());
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.ThrowsAny<Exception>(() =>
            {
                using var session = factory.OpenAsync(null, CancellationToken.None).GetAwaiter().GetResult();
                session.QueryAsync("SELECT SLEEP(30)", Array.Empty<SqlParameterValue>(), cts.Token).GetAwaiter().GetResult();
            });
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15));
            Assert.Equal(DoltErrorKind.Cancelled, factory.Translate(e, "sleeping").Kind);
        }

        [Fact]
        public void A_refused_connection_is_connection_level()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var engine = new SqlDoltEngine(new MySqlSessionFactory(new ServerConnectionSettings { Host = "127.0.0.1", Port = port, ConnectTimeoutSeconds = 3, Tls = TlsMode.None }));
            var e = Assert.Throws<DoltEngineException>(() => engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.Connection, e.Kind);
            Assert.Equal("ConnectionRefused", e.ErrorId);
        }
    }
}
