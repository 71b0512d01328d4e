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
