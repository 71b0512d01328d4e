using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>New-DoltBackup -Method FileCopy | Sync-DoltBackup on a copy of the real stopped server's data dir.</summary>
    public class FileCopyPipelineCmdletTests
    {
        private const string Pipeline = "New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -SkipConfiguration";

        [Fact]
        public void The_pipeline_copies_the_data_dir_with_hashes_and_Test_DoltBackup_passes_it()
        {
            using var dir = new TempDir();
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), dir.Combine("data"));
            using var shell = new PowerShellHost();
            var r = shell.Run(Pipeline + " -StopCommand { $global:stopped = 1 } -StartCommand { $global:started = 1 }", dir.Combine("data"), dir.Combine("backups"));
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(new[] { "inventory", "sales" }, m.DatabaseNames.OrderBy(n => n).ToArray());
            Assert.Contains(m.Artifacts, a => a.OriginalPath == Path.Combine(dir.Combine("data"), "sales", ".dolt", "repo_state.json"));
            Assert.Equal(1, (int)shell.Invoke("$global:stopped")[0].BaseObject);
            Assert.Equal(1, (int)shell.Invoke("$global:started")[0].BaseObject);

            var checks = shell.Invoke("Get-DoltBackup $args[0] | Test-DoltBackup", m.BackupFolder).Select(o => o.BaseObject).ToList();
            Assert.NotEmpty(checks);
            Assert.DoesNotContain(checks, c => c.GetType().GetProperty("Status").GetValue(c).ToString() == "Failed");

            // A set is one point in time: syncing it again is refused and changes nothing.
            var again = shell.Run("Get-DoltBackup $args[0] | Sync-DoltBackup", m.BackupFolder);
            Assert.StartsWith("DoltBackup.FileCopyRefused", Assert.Single(again.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_database_held_by_another_process_stops_the_copy_and_is_named()
        {
            if (!FlockHolder.IsAvailable)
            {
                return;
            }
            using var dir = new TempDir();
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), dir.Combine("data"));
            using var holder = FlockHolder.Hold(dir.Combine("data", "sales", ".dolt", "noms", "LOCK"));
            {
                using var shell = new PowerShellHost();
                var r = shell.Run(Pipeline, dir.Combine("data"), dir.Combine("backups"));
                var e = Assert.Single(r.Errors);
                Assert.StartsWith("DoltBackup.FileCopyRefused", e.FullyQualifiedErrorId);
                Assert.Contains("sales", e.Exception.Message);
                var set = Directory.GetDirectories(dir.Combine("backups")).Single();
                var m = ManifestStore.Read(set);
                Assert.NotEqual(BackupStatus.Completed, m.Status);
                Assert.DoesNotContain(Directory.GetFiles(set), f => f.EndsWith(".tar"));
            }
        }
    }
}
