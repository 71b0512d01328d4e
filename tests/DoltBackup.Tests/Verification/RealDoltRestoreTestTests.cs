using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Verification
{
    /// <summary>
    /// Test-DoltBackup -RestoreTest with real Dolt: a dolt_backup of a real database restored as a scratch database on a
    /// running sql-server (then dropped), and offline into a scratch data directory (then deleted). Skipped where dolt is
    /// not on PATH; never faked.
    /// </summary>
    public class RealDoltRestoreTestTests
    {
        private static PSCredential Root() => new PSCredential("root", new SecureString());

        private static BackupManifest BackUp(RealDoltServer server, TempDir dir)
        {
            server.Execute("CREATE DATABASE sales");
            server.Execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));\nINSERT INTO t VALUES (1,'a');\nCALL dolt_commit('-Am','init');\nCALL dolt_branch('dev');\nCALL dolt_tag('v1')", "sales");
            var manifest = server.BackUpToFileStore(dir.Path);
            return manifest;
        }

        [DoltFact]
        public void A_real_backup_passes_the_restore_test_on_a_server_and_offline_and_leaves_nothing_behind()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            using var server = RealDoltServer.Start(dir.Combine("server"));
            var manifest = BackUp(server, dir);
            using var host = new PowerShellHost();

            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -Server 127.0.0.1 -Port $args[1] -Credential $args[2] -TlsMode None -NewName sales_restoretest",
                manifest.BackupFolder, server.Port, Root());
            var result = r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().Single(v => v.Level == VerificationLevel.RestoreTest);
            Assert.True(result.Status == VerificationStatus.Passed, r.AllText() + result.Message);
            Assert.DoesNotContain("sales_restoretest", server.Query("SHOW DATABASES"));

            string scratch = dir.Combine("scratch");
            r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", manifest.BackupFolder, scratch);
            result = r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().Single(v => v.Level == VerificationLevel.RestoreTest);
            Assert.True(result.Status == VerificationStatus.Passed, r.AllText() + result.Message);
            Assert.False(Directory.Exists(scratch));
        }
    }
}
