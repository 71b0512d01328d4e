#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>
    /// The batched statements of <see cref="SqlDoltEngine"/> (USE with the state queries in one text, every database's
    /// dolt_backups in one text) against a real dolt sql-server: the answers must equal the statements run one by one.
    /// Skipped where dolt is not on PATH; never faked.
    /// </summary>
    public class SqlDoltEngineRealDoltTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [DoltFact]
        public void Batched_state_and_registrations_equal_the_statements_run_one_by_one_and_syncs_restores_still_verify()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            using var server = RealDoltServer.Start(dir.Combine("server"));
            var names = new[] { "alpha", "beta", "odd-name" };
            foreach (var n in names)
            {
                server.Execute("CREATE DATABASE `" + n + "`");
                server.Execute("CREATE TABLE t (id INT PRIMARY KEY);\nINSERT INTO t VALUES (1);\nCALL dolt_commit('-Am','init');\nCALL dolt_branch('dev');\nCALL dolt_tag('v1');\nINSERT INTO t VALUES (2)", n);
                server.Execute("CALL dolt_backup('add', 'nightly', '" + BackupUrls.ToFileUrl(dir.Combine("stores", n)) + "')", n);
            }

            using var engine = new SqlDoltEngine(new MySqlSessionFactory(server.RootSettings()));
            var listed = ((IBulkBackupLister)engine).ListBackupsAsync(names, None).GetAwaiter().GetResult();
            Assert.NotNull(listed);
            Assert.Equal(true, engine.MultiStatements); // Dolt's default: disable_client_multi_statements: false
            foreach (var n in names)
            {
                Assert.Equal("nightly", listed[n].Single().Name);
                var state = engine.GetDatabaseStateAsync(n, None).GetAwaiter().GetResult();
                Assert.Equal(server.Query("SELECT name, hash FROM dolt_branches ORDER BY name", n), state.Branches.Select(b => b.Name + "|" + b.Hash).ToList());
                Assert.Equal(server.Query("SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name", n), state.Tags.Select(b => b.Name + "|" + b.Hash).ToList());
                Assert.Equal(server.Query("SELECT dolt_hashof_db()", n).Single(), state.WorkingSetHash);
                Assert.Equal("nightly", state.Backups.Single().Name);
                engine.SyncBackupAsync(n, "nightly", None).GetAwaiter().GetResult();
            }

            // Replace a database this engine's connection has read: the read-back must see the restored one.
            server.Execute("INSERT INTO t VALUES (3);\nCALL dolt_commit('-Am','later')", "alpha");
            var synced = server.Query("SELECT hash FROM dolt_branches WHERE name = 'dev'", "alpha").Single();
            engine.RestoreBackupAsync(BackupUrls.ToFileUrl(dir.Combine("stores", "alpha")), "alpha", force: true, None).GetAwaiter().GetResult();
            var restored = engine.GetDatabaseStateAsync("alpha", None).GetAwaiter().GetResult();
            Assert.Equal(server.Query("SELECT name, hash FROM dolt_branches ORDER BY name", "alpha"), restored.Branches.Select(b => b.Name + "|" + b.Hash).ToList());
            Assert.Equal(synced, restored.Branches.Single(b => b.Name == "dev").Hash);
            Assert.Equal(new[] { "1", "2" }, server.Query("SELECT id FROM t ORDER BY id", "alpha"));
        }
    }
}
