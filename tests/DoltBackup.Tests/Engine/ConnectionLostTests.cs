#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Tests.Cli;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>
    /// A connection that breaks while dolt_backup('sync') runs is reported as such, not as "Failed to read the result
    /// set.": for real against MariaDB (a stand-in procedure named dolt_backup that sleeps, then KILL CONNECTION from
    /// another session, or the whole server killed), and through the cmdlets with the fake engine.
    /// </summary>
    [Collection("MariaDb")]
    public class ConnectionLostTests
    {
        private readonly MariaDbFixture _fixture;

        public ConnectionLostTests(MariaDbFixture fixture) => _fixture = fixture;

        /// <summary>A database whose dolt_backup(op, name) sleeps, so a sync is a long statement to break.</summary>
        private static void CreateSleepingProcedure(MariaDbServer server, string database)
        {
            server.Execute($"CREATE DATABASE IF NOT EXISTS {database}");
            server.Execute("DROP PROCEDURE IF EXISTS dolt_backup; CREATE PROCEDURE dolt_backup(op VARCHAR(20), n VARCHAR(100)) BEGIN DO SLEEP(30); END", database);
        }

        /// <summary>Starts the sync, waits until the server runs it, then breaks it; returns what the engine raised.</summary>
        private static DoltEngineException SyncAndBreak(MariaDbServer server, string database, Action<long> breakIt)
        {
            var engine = new SqlDoltEngine(new MySqlSessionFactory(server.AdminSettings()));
            var sync = engine.SyncBackupAsync(database, "nightly", CancellationToken.None);
            long id = WaitForStatement(server, database);
            var watch = Stopwatch.StartNew();
            breakIt(id);
            var e = Assert.Throws<DoltEngineException>(() => sync.GetAwaiter().GetResult());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the engine waited for the statement instead of noticing the broken connection");
            return e;
        }

        private static long WaitForStatement(MariaDbServer server, string database)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                using var c = new MySqlConnection(server.AdminConnectionString());
                c.Open();
                using var cmd = c.CreateCommand();
                // The sync's session once it is inside the sleeping procedure ("User sleep"): a long statement underway.
                cmd.CommandText = "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = @db AND COMMAND = 'Query' AND STATE = 'User sleep' AND ID <> CONNECTION_ID() LIMIT 1";
                cmd.Parameters.AddWithValue("@db", database);
                if (cmd.ExecuteScalar() is object o && o != DBNull.Value)
                {
                    return Convert.ToInt64(o);
                }
                Thread.Sleep(50);
            }
            throw new TimeoutException("The sync never started on the server.");
        }

        private static void AssertSyncInterrupted(DoltEngineException e, string database)
        {
            Assert.Equal(DoltErrorKind.ConnectionLost, e.Kind);
            Assert.Equal("SyncInterrupted", e.ErrorId);
            Assert.False(e.IsConnectionLevel);
            Assert.StartsWith($"Syncing backup 'nightly' of '{database}': the server closed the connection during the sync", e.Message);
            Assert.Contains("still the previous complete backup", e.Message);
            Assert.Contains("Sync-DoltBackup again", e.RecommendedAction);
        }

        [MariaDbFact]
        public void A_sync_whose_connection_is_killed_from_another_session_says_the_connection_closed_during_the_sync()
        {
            var server = _fixture.Server;
            CreateSleepingProcedure(server, "lost_kill");
            var e = SyncAndBreak(server, "lost_kill", id => server.Execute("KILL CONNECTION " + id));
            AssertSyncInterrupted(e, "lost_kill");

            // The server is fine: the next call works on a fresh connection.
            var engine = new SqlDoltEngine(new MySqlSessionFactory(server.AdminSettings()));
            Assert.Contains("lost_kill", engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult());
        }

        [MariaDbFact]
        public void A_sync_whose_server_dies_says_the_connection_closed_during_the_sync()
        {
            using var server = MariaDbServer.Start();
            CreateSleepingProcedure(server, "lost_crash");
            var e = SyncAndBreak(server, "lost_crash", _ => server.Kill());
            AssertSyncInterrupted(e, "lost_crash");
            Assert.DoesNotContain(server.AdminPassword, e.Message + e.RecommendedAction + e.DoltMessage);

            // The next call finds nothing listening: that is a refused connection, not a lost one.
            var engine = new SqlDoltEngine(new MySqlSessionFactory(server.AdminSettings()));
            var next = Assert.Throws<DoltEngineException>(() => engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("ConnectionRefused", next.ErrorId);
            Assert.True(next.IsConnectionLevel);
        }

        [Fact]
        public void A_broken_result_stream_is_ConnectionLost_and_a_refused_connect_stays_ConnectionRefused()
        {
            var lost = DoltBackup.Server.ServerErrorClassifier.Classify(new System.IO.EndOfStreamException("Failed to read the result set."), "db1:3306", "Syncing backup 'b' of 'd'");
            Assert.Equal("ConnectionLost", lost.ErrorId);
            Assert.Contains("closed the connection while the statement ran", lost.Message);
            var refused = DoltBackup.Server.ServerErrorClassifier.Classify(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused), "db1:3306");
            Assert.Equal("ConnectionRefused", refused.ErrorId);
            Assert.False(DoltBackup.Server.ServerErrorClassifier.IsConnectionLost(new System.IO.IOException("disk", new System.Net.Sockets.SocketException())));
        }

        [MariaDbFact]
        public void A_statement_that_outlives_the_command_timeout_is_a_timeout_not_a_lost_connection()
        {
            var server = _fixture.Server;
            server.Execute("CREATE DATABASE IF NOT EXISTS lost_timeout");
            server.Execute("CREATE TABLE IF NOT EXISTS waits_t (id INT); DROP PROCEDURE IF EXISTS dolt_backup; " +
                           "CREATE PROCEDURE dolt_backup(op VARCHAR(20), n VARCHAR(100)) BEGIN SELECT COUNT(*) INTO @c FROM waits_t; END", "lost_timeout");
            using var holder = new MySqlConnection(server.AdminConnectionString("lost_timeout"));
            holder.Open();
            using (var lockCmd = holder.CreateCommand())
            {
                lockCmd.CommandText = "LOCK TABLES waits_t WRITE";
                lockCmd.ExecuteNonQuery();
            }
            var settings = server.AdminSettings();
            settings.CommandTimeoutSeconds = 1;
            var engine = new SqlDoltEngine(new MySqlSessionFactory(settings));
            var e = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("lost_timeout", "nightly", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.Timeout, e.Kind);
        }

        [Fact]
        public void Sync_DoltBackup_reports_an_interrupted_sync_and_a_second_run_completes_it()
        {
            using var bed = new CmdletTestBed(2);
            bed.Engine.SyncConnectionLost["db2"] = true;
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] | Sync-DoltBackup", bed.Host, bed.Dest);

            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.SyncInterrupted,DoltBackup.Cmdlets.SyncDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Equal("db2", error.TargetObject?.ToString());
            Assert.Contains("the server closed the connection during the sync (Failed to read the result set)", error.Exception.Message);
            Assert.Contains("still the previous complete backup", error.Exception.Message);
            Assert.Contains("run Sync-DoltBackup again", error.ErrorDetails.RecommendedAction);
            var manifest = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(ItemStatus.Failed, manifest.Databases.Single(d => d.Name == "db2").Status);
            Assert.Contains("closed the connection during the sync", manifest.Databases.Single(d => d.Name == "db2").Error);

            var again = bed.Shell.Run("Get-DoltBackup -Path $args[0] | Sync-DoltBackup", manifest.BackupFolder);
            Assert.Empty(again.Errors);
            Assert.All(((BackupManifest)again.Output.Single().BaseObject).Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
        }
    }
}
