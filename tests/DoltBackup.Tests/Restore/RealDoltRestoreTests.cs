using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// The real thing: a database backed up from one dolt sql-server with dolt_backup, restored into a fresh one with
    /// Restore-DoltBackup, and compared (heads, rows, grants). Skipped where dolt is not on PATH; never faked.
    /// The server is 127.0.0.1, which no test registers a fake for, so the engine factory gives the real engine.
    /// </summary>
    public class RealDoltRestoreTests
    {
        private static PSCredential Root() => new PSCredential("root", new SecureString());

        private static BackupManifest BackUp(RealDoltServer source, TempDir dir)
        {
            source.Execute("CREATE DATABASE sales");
            source.Execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));\nINSERT INTO t VALUES (1,'a'),(2,'b');\nCALL dolt_commit('-Am','init');\n"
                           + "CALL dolt_branch('dev');\nCALL dolt_tag('v1');\nINSERT INTO t VALUES (3,'working set')", "sales");
            source.Execute("CREATE USER 'app'@'%' IDENTIFIED BY 'App-pw-1';\nGRANT SELECT ON sales.* TO 'app'@'%'");

            var manifest = source.BackUpToFileStore(dir.Path);
            var export = GrantsExporter.ForServer(source.RootSettings()).Export(
                new GrantsReadOptions { Filter = new AccountFilter(new[] { "app" }, null) }, new GrantsScriptOptions());
            GrantsExporter.WriteToBackup(export, manifest);
            return manifest;
        }

        [DoltFact]
        public void A_backup_restores_into_a_fresh_server_with_the_same_heads_rows_and_grants()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            using var source = RealDoltServer.Start(dir.Combine("source"));
            var manifest = BackUp(source, dir);
            var rows = source.Query("SELECT id, v FROM t ORDER BY id", "sales");
            var branches = source.Query("SELECT name, hash FROM dolt_branches ORDER BY name", "sales");
            var grants = source.Query("SHOW GRANTS FOR 'app'@'%'");

            using var target = RealDoltServer.Start(dir.Combine("target"));
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server 127.0.0.1 -Port $args[1] -Credential $args[2] -TlsMode None -IncludeGrants -Confirm:$false",
                manifest.BackupFolder, target.Port, Root());

            Assert.True(r.Errors.Count == 0, r.AllText());
            var db = r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().Single();
            Assert.Equal(RestoreStatus.Restored, db.Status);
            Assert.Equal(VerificationOutcome.Verified, db.Verification);
            Assert.Equal(RestoreStatus.Restored, r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>().Single().Status);
            // The running server sees the database at once, with the working set (row 3) included.
            Assert.Equal(rows, target.Query("SELECT id, v FROM t ORDER BY id", "sales"));
            Assert.Equal(branches, target.Query("SELECT name, hash FROM dolt_branches ORDER BY name", "sales"));
            Assert.Equal(grants, target.Query("SHOW GRANTS FOR 'app'@'%'"));

            // Again without -Force: refused, untouched. With -Force: Dolt moves the old one to .dolt_dropped_databases.
            var again = host.Run("Restore-DoltBackup -Path $args[0] -Server 127.0.0.1 -Port $args[1] -Credential $args[2] -TlsMode None -Confirm:$false",
                manifest.BackupFolder, target.Port, Root());
            Assert.StartsWith("DoltBackup.DatabaseExists", Assert.Single(again.Errors).FullyQualifiedErrorId);
            var forced = host.Run("Restore-DoltBackup -Path $args[0] -Server 127.0.0.1 -Port $args[1] -Credential $args[2] -TlsMode None -Force",
                manifest.BackupFolder, target.Port, Root());
            Assert.True(forced.Errors.Count == 0, forced.AllText());
            Assert.True(Directory.Exists(Path.Combine(target.DataDir, ".dolt_dropped_databases")));

            // Offline restore is refused while the server runs on that data directory.
            var offline = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -NewName sales2 -Confirm:$false", manifest.BackupFolder, target.DataDir);
            Assert.Contains("DataDirInUse", string.Join(" ", offline.Errors.Select(e => e.FullyQualifiedErrorId)));
        }

        /// <summary>
        /// Backs up a database, stops the server, and restores offline into a new data directory with the dolt CLI
        /// seeing <paramref name="home"/> as its global config (DOLT_ROOT_PATH): the source's (with an identity) or an
        /// empty one (none), as a fresh service account has.
        /// </summary>
        private static PowerShellResult RestoreOffline(TempDir dir, bool withIdentity, out string dataDir, out string home)
        {
            BackupManifest manifest;
            using (var source = RealDoltServer.Start(dir.Combine("source")))
            {
                manifest = BackUp(source, dir);
                home = withIdentity ? source.Home : dir.Combine("nohome");
            }
            Directory.CreateDirectory(home);
            dataDir = dir.Combine("offline");
            Directory.CreateDirectory(dataDir);
            string previous = System.Environment.GetEnvironmentVariable("DOLT_ROOT_PATH");
            System.Environment.SetEnvironmentVariable("DOLT_ROOT_PATH", home);
            try
            {
                using var host = new PowerShellHost();
                return host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", manifest.BackupFolder, dataDir);
            }
            finally
            {
                System.Environment.SetEnvironmentVariable("DOLT_ROOT_PATH", previous);
            }
        }

        [DoltFact]
        public void An_offline_restore_into_a_stopped_data_directory_is_verified()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            var r = RestoreOffline(dir, withIdentity: true, out string dataDir, out _);
            Assert.True(r.Errors.Count == 0, r.AllText());
            Assert.DoesNotContain(r.Warnings, w => w.Contains("Dolt System Account", System.StringComparison.Ordinal));
            var db = r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().Single();
            Assert.Equal(VerificationOutcome.Verified, db.Verification);
            Assert.True(Directory.Exists(Path.Combine(dataDir, "sales", ".dolt")));
        }

        [DoltFact]
        public void An_offline_restore_by_a_dolt_without_an_identity_works_and_says_whose_identity_it_used()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            var r = RestoreOffline(dir, withIdentity: false, out string dataDir, out string home);
            Assert.True(r.Errors.Count == 0, r.AllText());
            Assert.Contains("Dolt System Account", Assert.Single(r.Warnings));
            Assert.Equal(VerificationOutcome.Verified, r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().Single().Verification);
            Assert.True(Directory.Exists(Path.Combine(dataDir, "sales", ".dolt")));
            string global = Path.Combine(home, ".dolt", "config_global.json");
            Assert.False(File.Exists(global) && File.ReadAllText(global).Contains("user.name"), "the user's Dolt config was changed");
        }
    }
}
