#pragma warning disable xUnit1031 // synchronous waits on the services' tasks are deliberate: no synchronization context here
using System;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// Issue 16, point 7: the round trips a server costs per database, counted through the cmdlets and the real
    /// <see cref="SqlDoltEngine"/> over <see cref="FakeDoltSqlServer"/> (a round trip is a query text, a USE, a pooled
    /// connection's reset or a handshake). A DBA's bare loop costs 2 per database for a sync (USE, CALL) and 1 for a
    /// restore. Before the fix: 17 (first New|Sync), 14 (next New|Sync), 7 (Restore -Prefix).
    /// </summary>
    public class ServerRoundTripTests
    {
        private const int Databases = 24;

        /// <summary>A few per run that do not grow with the databases: handshakes and resets (at most one per sync worker), SHOW DATABASES, dolt_version(), the registration listing.</summary>
        private const int PerRun = 12;

        private static FakeDoltSqlServer Server(int databases = Databases)
        {
            var server = new FakeDoltSqlServer();
            for (int i = 0; i < databases; i++)
            {
                server.AddDatabase("db" + i.ToString("D2"), "dev").Tags["v1"] = FakeDoltEngine.Hash("v1-" + i);
            }
            return server;
        }

        private static BackupManifest Manifest(PowerShellResult r)
        {
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var m = (BackupManifest)Assert.Single(r.Output).BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            return m;
        }

        [Fact]
        public void New_piped_to_Sync_costs_the_bare_loops_round_trips_per_database_and_Restore_one_more()
        {
            var server = Server();
            string host = FakeServers.Register(server);
            using var dir = new TempDir();
            using var shell = new PowerShellHost();
            string dest = dir.Combine("dest");
            const string pipeline = "New-DoltBackup -Server $args[0] -Destination $args[1] | Sync-DoltBackup -ThrottleLimit 8";

            var first = Manifest(shell.Run(pipeline, host, dest));
            long full = server.RoundTrips;
            Assert.All(first.Databases, d => Assert.Equal(server.Databases[d.Name].WorkingHash, d.WorkingSetHash));
            Assert.InRange(full, 3 * Databases, 3 * Databases + PerRun); // add; state with registrations; sync

            server.ResetCounters();
            Manifest(shell.Run(pipeline, host, dest));
            Assert.InRange(server.RoundTrips, 2 * Databases, 2 * Databases + PerRun); // state with registrations; sync
            Assert.Equal(Databases, server.Log.Count(l => l.Sql == "CALL dolt_backup('sync', @name)"));
            Assert.Equal(Databases, server.Log.Count(l => l.Sql == "SELECT dolt_hashof_db()"));
            Assert.InRange(server.ConnectionsOpened, 0, 8);

            // Without a manifest in the pipeline: the registrations of every database come in one round trip too.
            server.ResetCounters();
            Manifest(shell.Run("Sync-DoltBackup -Server $args[0] -Name doltbackup -Path $args[1] -ThrottleLimit 8", host, dest));
            Assert.InRange(server.RoundTrips, 2 * Databases, 2 * Databases + PerRun);
            Assert.Single(server.Log, l => l.Sql.Contains("`db00`.dolt_backups"));

            server.ResetCounters();
            var restored = shell.Run("Restore-DoltBackup -Path $args[1] -Prefix r_ -Server $args[0] -Confirm:$false", host, dest);
            Assert.Empty(restored.Errors);
            var results = restored.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().ToList();
            Assert.Equal(Databases, results.Count);
            Assert.All(results, x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.InRange(server.RoundTrips, 2 * Databases, 2 * Databases + PerRun); // restore; the state read back in one
        }

        [Fact]
        public void A_server_that_refuses_several_statements_per_text_still_gets_a_complete_and_verified_backup()
        {
            var server = Server(6);
            server.MultiStatements = false; // disable_client_multi_statements: true
            string host = FakeServers.Register(server);
            using var dir = new TempDir();
            using var shell = new PowerShellHost();
            string dest = dir.Combine("dest");
            var m = Manifest(shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] | Sync-DoltBackup -ThrottleLimit 3", host, dest));
            Assert.All(m.Databases, d => Assert.Equal(new[] { "dev", "main" }, d.Branches.Select(b => b.Name)));
            var restored = shell.Run("Restore-DoltBackup -Path $args[1] -Prefix r_ -Server $args[0] -Confirm:$false", host, dest);
            Assert.Empty(restored.Errors);
            Assert.All(restored.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>(), x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
        }

        [Fact]
        public void A_sync_stopped_midway_over_kept_connections_never_says_Completed_for_what_did_not_finish()
        {
            var server = Server(30);
            using var dir = new TempDir();
            var engine = new SqlDoltEngine(server);
            var service = new BackupRegistrationService(engine);
            var plan = service.PlanAsync(new NewBackupRequest { Name = "nightly", BaseUrl = BackupUrls.ToFileUrl(dir.Combine("dest")), Source = new BackupSource { Server = "fake" } }, CancellationToken.None)
                .GetAwaiter().GetResult();
            foreach (var p in plan.Databases)
            {
                service.ApplyAsync(p, CancellationToken.None).GetAwaiter().GetResult();
            }
            ManifestStore.Write(plan.Manifest);
            using var cts = new CancellationTokenSource();
            int syncs = 0;
            server.BeforeStatement = st =>
            {
                if (st.StartsWith("CALL dolt_backup('sync'", StringComparison.Ordinal) && Interlocked.Increment(ref syncs) == 6)
                {
                    cts.Cancel();
                }
            };
            var m = new BackupSyncService(engine).SyncAsync(plan.Manifest, new SyncOptions { ThrottleLimit = 3 }, null, cts.Token).GetAwaiter().GetResult();
            engine.Dispose();
            Assert.NotEqual(BackupStatus.Completed, m.Status);
            Assert.Contains(m.Errors, e => e.ErrorId == "DoltBackup.SyncStopped");
            var onDisk = ManifestStore.Read(m.BackupFolder);
            foreach (var d in onDisk.Databases.Where(d => d.Status == ItemStatus.Completed))
            {
                Assert.True(server.Stores.ContainsKey(d.Url), d.Name + " is Completed but was never synced");
            }
            Assert.True(onDisk.Databases.Count(d => d.Status == ItemStatus.Completed) < 30);
            Assert.DoesNotContain(onDisk.Databases, d => d.Status == ItemStatus.Running || d.Status == ItemStatus.Pending);
        }
    }
}
