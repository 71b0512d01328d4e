using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Linking;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// Issue 14 against real Dolt: two -Versioned syncs with one small commit between them. The second store starts as
    /// hard links to the first; Dolt adds only the new file and replaces the copied manifest by rename, so the first
    /// keeps its manifest, both verify, and both restore to their own heads (also after the first is deleted).
    /// Skipped where dolt is not on PATH; never faked.
    /// </summary>
    public class RealDoltVersionedTests
    {
        private static BackupManifest Version(PowerShellHost shell, RealDoltServer server, string dest)
        {
            var r = shell.Run("New-DoltBackup -Server 127.0.0.1 -Port $args[0] -TlsMode None -Destination $args[1] -Versioned -Database sales | Sync-DoltBackup", server.Port, dest);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            return m;
        }

        private static Dictionary<string, string> Files(string store)
            => Directory.GetFiles(store, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(store, f), File.ReadAllText);

        private static void AssertRestoresTo(RealDoltServer server, string restoreRoot, DatabaseBackupItem item, string name, int rows)
        {
            Directory.CreateDirectory(restoreRoot);
            server.Dolt(restoreRoot, "backup", "restore", item.Url, name);
            string main = server.Dolt(Path.Combine(restoreRoot, name), "sql", "-r", "csv", "-q", "SELECT hash FROM dolt_branches WHERE name = 'main'");
            Assert.Contains(item.Branches.Single(b => b.Name == "main").Hash, main);
            string count = server.Dolt(Path.Combine(restoreRoot, name), "sql", "-r", "csv", "-q", "SELECT COUNT(*) AS n FROM t");
            Assert.Equal(rows.ToString(), count.Split('\n', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries)[1]);
        }

        [DoltFact]
        public void Two_versions_share_unchanged_files_by_link_keep_their_own_manifests_and_restore_to_their_own_heads()
        {
            using var dir = new TempDir("doltbackup-real-versions");
            using var server = RealDoltServer.Start(dir.Combine("server"));
            server.Execute("CREATE DATABASE sales");
            server.Execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(200));\nINSERT INTO t VALUES (1, REPEAT('a', 200)), (2, REPEAT('b', 200));\nCALL dolt_commit('-Am', 'first')", "sales");
            using var shell = new PowerShellHost();
            string dest = dir.Combine("backups");

            var v1 = Version(shell, server, dest);
            string store1 = BackupUrls.LocalPath(v1.Databases.Single().Url);
            var before = Files(store1);
            Thread.Sleep(1100); // the next version's UTC label
            server.Execute("INSERT INTO t VALUES (3, 'small change');\nCALL dolt_commit('-Am', 'second')", "sales");
            var v2 = Version(shell, server, dest);
            string store2 = BackupUrls.LocalPath(v2.Databases.Single().Url);

            // v1 untouched: same files, same manifest text.
            Assert.Equal(before, Files(store1));
            // v2 shares every immutable file of v1 (same inode) and has at least one file of its own.
            var shared = before.Keys.Where(k => StoreFileRules.Classify(k) == StoreFileTreatment.Link).ToList();
            Assert.NotEmpty(shared);
            foreach (var rel in shared)
            {
                Assert.Equal(FileIdentity.Of(Path.Combine(store1, rel)), FileIdentity.Of(Path.Combine(store2, rel)));
            }
            Assert.Contains(Files(store2).Keys, k => StoreFileRules.Classify(k) == StoreFileTreatment.Link && !before.ContainsKey(k));
            Assert.NotEqual(FileIdentity.Of(Path.Combine(store1, "manifest")), FileIdentity.Of(Path.Combine(store2, "manifest")));
            var item = v2.Databases.Single();
            Assert.Equal(StoreSeedMethod.HardLink, item.Seed.Method);
            Assert.Equal(v1.Id, item.Seed.FromSet);
            Assert.True(item.NewBytes < item.Bytes, $"new {item.NewBytes} of {item.Bytes}");

            foreach (var set in new[] { v1, v2 })
            {
                var results = shell.Invoke("Test-DoltBackup -Path $args[0] -Deep", set.BackupFolder).Select(o => (VerificationResult)o.BaseObject).ToList();
                Assert.True(results.All(r => r.Status != VerificationStatus.Failed), string.Join("\n", results));
            }
            AssertRestoresTo(server, dir.Combine("restore-a"), v1.Databases.Single(), "sales_v1", 2);
            AssertRestoresTo(server, dir.Combine("restore-a"), item, "sales_v2", 3);

            // Deleting v1 leaves v2 whole.
            var removed = shell.Invoke("$id = $args[1]; Get-DoltBackup -Path $args[0] | Where-Object { $_.Id -eq $id } | Remove-DoltBackup -Force", dest, v1.Id)
                .Select(o => (BackupRemovalResult)o.BaseObject).ToList();
            Assert.Equal(BackupRemovalAction.Deleted, removed.Single(r => r.Id == v1.Id).Action);
            Assert.False(Directory.Exists(store1));
            AssertRestoresTo(server, dir.Combine("restore-b"), item, "sales_v2", 3);
        }
    }
}
