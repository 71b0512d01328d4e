using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Restore
{
    /// <summary>FileCopy backups (a whole data directory) restored through Restore-DoltBackup with the FileCopy restore service.</summary>
    public class FileCopyRestoreOrchestrationTests
    {
        private static BackupManifest Backup(TempDir dir, out string data)
        {
            data = CopyServerDataDir(dir);
            var manifest = NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.TarGzip });
            ManifestStore.Write(manifest);
            return ManifestStore.Read(manifest.BackupFolder);
        }

        private static RestoreRunResults Run(BackupManifest m, RestoreOptions options, RecordingObserver observer)
        {
            var engine = new DoltEngineRestoreEngine(new RestoreFakeDolt());
            var plan = new RestorePlanner(new string[0], options.DataDir).Plan(m, options);
            return new RestoreOrchestrator(engine, null, null, observer, new FileCopyServiceRestorer()).Execute(plan, options);
        }

        [Fact]
        public void A_FileCopy_backup_is_unpacked_into_a_new_data_directory_with_every_file_checked()
        {
            using var dir = new TempDir();
            var m = Backup(dir, out string data);
            string target = dir.Combine("restored");
            var obs = new RecordingObserver();
            var r = Run(m, new RestoreOptions { DataDir = target }, obs);

            var group = Assert.Single(r.Artifacts);
            Assert.Equal(ArtifactGroup.FileCopy, group.Group);
            Assert.True(group.Status == RestoreStatus.Restored, group.Error + " " + string.Join(" | ", obs.Problems.Select(p => p.Message)));
            Assert.Equal(m.Artifacts.Count(a => a.Kind == FileCopyLayout.DataFileKind), group.RestoredCount);
            AssertSameTree(data, target);
            Assert.Equal(m.Databases.Select(d => d.Name), r.Databases.Select(d => d.TargetName));
            Assert.All(r.Databases, d => Assert.Equal(RestoreStatus.Restored, d.Status));
            Assert.Contains(obs.Asked, a => a.Contains(target) && a.Contains("SHA-256"));
        }

        [Fact]
        public void A_non_empty_data_directory_is_refused_without_Force_and_untouched()
        {
            using var dir = new TempDir();
            var m = Backup(dir, out _);
            string target = dir.Combine("busy");
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "keep.txt"), "precious");
            var obs = new RecordingObserver();
            var r = Run(m, new RestoreOptions { DataDir = target }, obs);

            Assert.Equal("DataDirExists", Assert.Single(obs.Problems).ErrorId);
            Assert.Equal(RestoreStatus.Skipped, Assert.Single(r.Artifacts).Status);
            Assert.All(r.Databases, d => Assert.Equal(RestoreStatus.Skipped, d.Status));
            Assert.Empty(obs.Asked);
            Assert.Equal(new[] { "keep.txt" }, RestoreFixtures.FilesUnder(target));
        }

        [Fact]
        public void WhatIf_creates_nothing_and_a_server_target_is_refused()
        {
            using var dir = new TempDir();
            var m = Backup(dir, out _);
            string target = dir.Combine("restored");
            var obs = new RecordingObserver { Answer = false };
            var r = Run(m, new RestoreOptions { DataDir = target }, obs);
            Assert.Empty(r.Artifacts);
            Assert.Single(obs.Asked);
            Assert.False(Directory.Exists(target));

            var server = new RecordingObserver();
            Run(m, new RestoreOptions(), server);
            Assert.Equal("FileCopyNeedsDataDir", Assert.Single(server.Problems).ErrorId);
        }

        [Fact]
        public void Restore_DoltBackup_restores_a_FileCopy_backup_into_a_DataDir_that_does_not_exist_yet()
        {
            using var dir = new TempDir();
            var m = Backup(dir, out string data);
            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", m.BackupFolder, target);
            Assert.True(r.Errors.Count == 0, r.AllText());
            var group = r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>().Single();
            Assert.Equal(RestoreStatus.Restored, group.Status);
            AssertSameTree(data, target);
        }
    }
}
