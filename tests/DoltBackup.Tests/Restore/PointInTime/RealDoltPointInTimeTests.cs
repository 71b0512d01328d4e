using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>
    /// The real thing: commits at fixed dates (dolt_commit('--date', ...)), two backups, a branch made between them, then
    /// Restore-DoltBackup -AsOf a moment between the commits into a fresh server. Skipped where dolt is not on PATH; never faked.
    /// </summary>
    public class RealDoltPointInTimeTests
    {
        private static PSCredential Root() => new PSCredential("root", new SecureString());

        private static DateTime At(int hour, int minute = 0) => new DateTime(2026, 1, 1, hour, minute, 0, DateTimeKind.Utc);

        /// <summary>Syncs the database into its own file:// store and writes the set's manifest under the root, taken at <paramref name="takenUtc"/>.</summary>
        private static void BackUp(RealDoltServer server, string root, string id, DateTime takenUtc)
        {
            string url = BackupUrls.ToFileUrl(Path.Combine(Path.GetDirectoryName(root), "stores", id));
            var m = new BackupManifest
            {
                Id = id, Name = "pit", Method = BackupMethod.DoltBackup, Status = BackupStatus.Completed, CreatedUtc = takenUtc,
                Destination = new BackupDestination { BaseUrl = url, BackupFolder = Path.Combine(root, id) },
            };
            using (var engine = DoltEngineFactory.Create(new DoltEngineRequest { Server = server.RootSettings() }))
            {
                var state = engine.GetDatabaseStateAsync("sales", default).GetAwaiter().GetResult();
                engine.AddBackupAsync("sales", "b" + id.Substring(0, 8), url, default).GetAwaiter().GetResult();
                engine.SyncBackupAsync("sales", "b" + id.Substring(0, 8), default).GetAwaiter().GetResult();
                m.Databases.Add(new DatabaseBackupItem
                {
                    Name = "sales", Url = url, BackupName = "pit", Status = ItemStatus.Completed, StartedUtc = takenUtc,
                    Branches = state.Branches, Tags = state.Tags, WorkingSetHash = state.WorkingSetHash,
                });
            }
            ManifestStore.Write(m);
        }

        private static string CommitOf(RealDoltServer server, string branch, string message)
            => server.Query($"SELECT commit_hash FROM dolt_log('{branch}') WHERE message = '{message}'", "sales").Single();

        [DoltFact]
        public void As_of_a_moment_between_two_backups_every_branch_is_at_its_commit_and_the_later_branch_is_gone()
        {
            using var dir = new TempDir("doltbackup-realdolt-pit");
            string root = dir.Combine("root");
            using var source = RealDoltServer.Start(dir.Combine("source"));
            source.Execute("CREATE DATABASE sales");
            source.Execute("CREATE TABLE t (id INT PRIMARY KEY);\nINSERT INTO t VALUES (1);\nCALL dolt_commit('-Am', 'c1', '--date', '2026-01-01T10:00:00Z');\nCALL dolt_tag('v1')", "sales");
            BackUp(source, root, "20260101T110000Z-pit", At(11));
            source.Execute("INSERT INTO t VALUES (2);\nCALL dolt_commit('-Am', 'c2', '--date', '2026-01-01T12:00:00Z');\n"
                           + "CALL dolt_checkout('-b', 'late');\nINSERT INTO t VALUES (10);\nCALL dolt_commit('-Am', 'f1', '--date', '2026-01-01T13:00:00Z');\n"
                           + "CALL dolt_checkout('main');\nINSERT INTO t VALUES (3);\nCALL dolt_commit('-Am', 'c3', '--date', '2026-01-01T14:00:00Z');\nCALL dolt_tag('v2');\n"
                           + "INSERT INTO t VALUES (99)", "sales"); // uncommitted: in the backup's working set, in no commit
            BackUp(source, root, "20260101T150000Z-pit", At(15));
            string c2 = CommitOf(source, "main", "c2"), f1 = CommitOf(source, "late", "f1");

            using var target = RealDoltServer.Start(dir.Combine("target"));
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -NewName sales_1230 -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None -Confirm:$false",
                root, At(12, 30), target.Port, Root());

            Assert.True(r.Errors.Count == 0, r.AllText());
            var result = r.Output.Select(o => o.BaseObject).OfType<PointInTimeRestoreResult>().Single();
            Assert.Equal(("20260101T150000Z-pit", RestoreStatus.Restored, VerificationOutcome.Verified), (result.BackupId, result.Status, result.Verification));
            Assert.Equal(new[] { "main " + c2 }, target.Query("SELECT CONCAT(name, ' ', hash) FROM dolt_branches", "sales_1230"));
            Assert.Equal(new[] { "v1" }, target.Query("SELECT tag_name FROM dolt_tags", "sales_1230"));
            Assert.Equal(new[] { "1", "2" }, target.Query("SELECT id FROM t ORDER BY id", "sales_1230"));
            Assert.Empty(target.Query("SELECT table_name FROM dolt_status", "sales_1230"));
            Assert.Equal(BranchAsOfAction.Deleted, result.Branches.Single(b => b.Branch == "late").Action);

            // Between f1 and c3: the later branch existed, at f1.
            var r2 = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -NewName sales_1330 -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None -Confirm:$false",
                root, At(13, 30), target.Port, Root());
            Assert.True(r2.Errors.Count == 0, r2.AllText());
            Assert.Equal(new[] { "late " + f1, "main " + c2 }, target.Query("SELECT CONCAT(name, ' ', hash) FROM dolt_branches ORDER BY name", "sales_1330"));

            // After the last commit: main stays at c3, but the uncommitted row of the set is not kept.
            var r4 = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -NewName sales_1430 -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None -Confirm:$false",
                root, At(14, 30), target.Port, Root());
            Assert.True(r4.Errors.Count == 0, r4.AllText());
            Assert.Equal(new[] { "1", "2", "3" }, target.Query("SELECT id FROM t ORDER BY id", "sales_1430"));
            Assert.Empty(target.Query("SELECT table_name FROM dolt_status", "sales_1430"));

            // In place on the source (its default branch is reset, not re-pointed): -Force, checked through a scratch copy first.
            var r3 = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None -Force",
                root, At(12, 30), source.Port, Root());
            Assert.True(r3.Errors.Count == 0, r3.AllText());
            Assert.Equal(new[] { "main " + c2 }, source.Query("SELECT CONCAT(name, ' ', hash) FROM dolt_branches", "sales"));
            Assert.DoesNotContain(source.Query("SHOW DATABASES"), n => n.StartsWith("sales_asof_", StringComparison.Ordinal));
        }

        [DoltFact]
        public void WhatIf_reads_the_real_backup_store_offline_and_shows_the_commits_the_restore_then_chooses()
        {
            using var dir = new TempDir("doltbackup-realdolt-pitwhatif");
            string root = dir.Combine("root");
            using var source = RealDoltServer.Start(dir.Combine("source"));
            source.Execute("CREATE DATABASE sales");
            source.Execute("CREATE TABLE t (id INT PRIMARY KEY);\nINSERT INTO t VALUES (1);\nCALL dolt_commit('-Am', 'c1', '--date', '2026-01-01T10:00:00Z');\nCALL dolt_tag('v1');\n"
                           + "INSERT INTO t VALUES (2);\nCALL dolt_commit('-Am', 'c2', '--date', '2026-01-01T12:00:00Z');\n"
                           + "CALL dolt_checkout('-b', 'late');\nINSERT INTO t VALUES (10);\nCALL dolt_commit('-Am', 'f1', '--date', '2026-01-01T13:00:00Z');\n"
                           + "CALL dolt_checkout('main');\nCALL dolt_merge('late', '--no-ff', '-m', 'merge late');\n"
                           + "INSERT INTO t VALUES (3);\nCALL dolt_commit('-Am', 'c3', '--date', '2026-01-01T14:00:00Z');\nCALL dolt_tag('v2')", "sales");
            BackUp(source, root, "20260101T150000Z-pit", At(15));

            using var target = RealDoltServer.Start(dir.Combine("target"));
            using var host = new PowerShellHost();
            foreach (var (moment, name) in new[] { (At(11), "s11"), (At(12, 30), "s1230"), (At(13, 30), "s1330"), (At(14, 30), "s1430") })
            {
                const string Restore = "Restore-DoltBackup -Path $args[0] -AsOf $args[1] -NewName $args[4] -Server 127.0.0.1 -Port $args[2] -Credential $args[3] -TlsMode None";
                string text = host.Render(Restore + " -WhatIf", root, moment, target.Port, Root(), name);
                Assert.DoesNotContain(name, target.Query("SHOW DATABASES"));
                Assert.DoesNotContain("cannot be shown", text);

                var r = host.Run(Restore + " -Confirm:$false", root, moment, target.Port, Root(), name);
                Assert.True(r.Errors.Count == 0, r.AllText());
                var result = r.Output.Select(o => o.BaseObject).OfType<PointInTimeRestoreResult>().Single();
                Assert.Equal(VerificationOutcome.Verified, result.Verification);
                foreach (var b in result.Branches)
                {
                    Assert.True(text.Contains(PointInTimePreview.Line(b)), PointInTimePreview.Line(b) + "\n---\n" + text);
                }
                Assert.Equal(result.DeletedTags.Count > 0, text.Contains("tags deleted (their commit is later): " + string.Join(", ", result.DeletedTags)));
            }
        }
    }
}
