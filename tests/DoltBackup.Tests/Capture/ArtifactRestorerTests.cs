using System;
using System.IO;
using System.Linq;
using DoltBackup.Capture;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Capture
{
    public class ArtifactRestorerTests
    {
        private static BackupManifest Captured(ServerRootCopy root, bool includeSecrets = false)
        {
            var manifest = root.NewManifest();
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options(includeSecrets));
            ManifestStore.Write(manifest);
            // What Restore-DoltBackup gets: the manifest as read back from disk.
            return ManifestStore.Read(root.BackupFolder);
        }

        private static string[] FilesUnder(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories) : new string[0];

        [Fact]
        public void Restores_every_file_under_a_new_root_with_the_same_bytes_and_modes()
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root, includeSecrets: true);
            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });

            Assert.True(report.Succeeded, string.Join("\n", report.Items.Select(i => i + " " + i.Reason)));
            // Every artifact but sql-server.info, a runtime file that is only restored when asked for explicitly.
            Assert.Equal(manifest.Artifacts.Count - 1, report.Items.Count);
            Assert.DoesNotContain(report.Items, i => i.Kind == ArtifactKind.ServerInfo);
            Assert.Equal(manifest.Artifacts.Count - 1, FilesUnder(root.RestoreRoot).Length);
            foreach (var item in report.Items)
            {
                Assert.Equal(ArtifactRestoreStatus.Restored, item.Status);
                Assert.Equal("Create", item.Action);
                Assert.Equal(ArtifactRestorer.MapToRoot(item.OriginalPath, root.RestoreRoot), item.TargetPath);
                Assert.StartsWith(root.RestoreRoot + Path.DirectorySeparatorChar, item.TargetPath);
                Assert.Equal(File.ReadAllBytes(item.OriginalPath), File.ReadAllBytes(item.TargetPath));
                if (!OperatingSystem.IsWindows())
                {
                    var mode = File.GetUnixFileMode(item.TargetPath);
                    if (item.Secret)
                    {
                        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
                    }
                    else
                    {
                        Assert.Equal(item.Artifact.Mode, "0" + Convert.ToString((int)mode, 8));
                    }
                }
            }
            // /.../data/config.yaml landed at <root>/.../data/config.yaml.
            Assert.True(File.Exists(root.RestoreRoot + root.ConfigPath));

            var info = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.ServerInfo);
            var explicitReport = new ArtifactRestorer().Restore(manifest, new[] { info }, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Equal(ArtifactRestoreStatus.Restored, explicitReport.Items.Single().Status);
            Assert.Equal(File.ReadAllBytes(root.ServerInfoFile), File.ReadAllBytes(root.RestoreRoot + root.ServerInfoFile));
        }

        [Fact]
        public void Restores_to_the_original_paths_and_leaves_identical_files_unchanged()
        {
            using var root = new ServerRootCopy(withProfile: false);
            var manifest = Captured(root);
            string repoState = Path.Combine(root.DataDir, "sales", ".dolt", "repo_state.json");
            byte[] original = File.ReadAllBytes(repoState);
            File.Delete(repoState);
            File.Delete(root.PrivilegesFile);

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions());
            Assert.True(report.Succeeded);
            Assert.Equal(original, File.ReadAllBytes(repoState));
            Assert.True(File.Exists(root.PrivilegesFile));
            Assert.Equal(2, report.Items.Count(i => i.Status == ArtifactRestoreStatus.Restored));
            Assert.All(report.Items.Where(i => i.Status != ArtifactRestoreStatus.Restored), i => Assert.Equal(ArtifactRestoreStatus.Unchanged, i.Status));
        }

        [Fact]
        public void An_existing_different_file_is_refused_without_force_and_nothing_is_written()
        {
            using var root = new ServerRootCopy(withProfile: false);
            var manifest = Captured(root);
            File.WriteAllText(root.ConfigPath, "listener:\n  port: 9999\n");
            string repoState = Path.Combine(root.DataDir, "inventory", ".dolt", "repo_state.json");
            File.Delete(repoState);

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions());
            var refused = report.Items.Single(i => i.Status == ArtifactRestoreStatus.Refused);
            Assert.Equal(root.ConfigPath, refused.TargetPath);
            Assert.Contains("-Force", refused.Reason);
            Assert.Equal(ArtifactRestoreStatus.NotWritten, report.Items.Single(i => i.OriginalPath == repoState).Status);
            Assert.False(File.Exists(repoState));
            Assert.Equal("listener:\n  port: 9999\n", File.ReadAllText(root.ConfigPath));

            var forced = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { Force = true });
            Assert.True(forced.Succeeded);
            Assert.Equal("Overwrite", forced.Items.Single(i => i.TargetPath == root.ConfigPath).Action);
            Assert.Contains("port: 3391", File.ReadAllText(root.ConfigPath));
            Assert.True(File.Exists(repoState));
        }

        [Fact]
        public void WhatIf_plans_every_file_and_writes_nothing()
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot, WhatIf = true });
            Assert.True(report.WhatIf);
            Assert.All(report.Items, i => Assert.Equal(ArtifactRestoreStatus.Planned, i.Status));
            Assert.Equal(manifest.Artifacts.Count, report.Items.Count);
            Assert.False(Directory.Exists(root.RestoreRoot));
        }

        [Theory]
        [InlineData("../outside.txt")]
        [InlineData("config/../../outside.txt")]
        [InlineData("/etc/passwd")]
        [InlineData("config\\..\\..\\outside.txt")]
        public void A_stored_path_outside_the_backup_folder_is_refused_and_nothing_is_written(string storedPath)
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(root.BackupFolder), "outside.txt"), "attacker");
            var victim = manifest.Artifacts.First(a => a.Kind == ArtifactKind.RepoState);
            victim.StoredPath = storedPath;

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            var refused = report.Items.Single(i => i.Status == ArtifactRestoreStatus.Refused);
            Assert.Same(victim, refused.Artifact);
            Assert.True(refused.Reason.Contains("absolute") || refused.Reason.Contains(".."), refused.Reason);
            Assert.All(report.Items.Where(i => i != refused), i => Assert.Equal(ArtifactRestoreStatus.NotWritten, i.Status));
            Assert.Empty(FilesUnder(root.RestoreRoot));
        }

        [Fact]
        public void A_stored_path_that_resolves_through_a_link_outside_the_backup_folder_is_refused()
        {
            if (OperatingSystem.IsWindows())
            {
                return; // symbolic links need a privilege on Windows; the reparse-point check refuses them there.
            }
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            // config/evil -> the server root's tls folder: config/evil/server.key would read the real private key.
            Directory.CreateSymbolicLink(Path.Combine(root.BackupFolder, "config", "evil"), Path.Combine(root.Root, "tls"));
            var victim = manifest.Artifacts.First(a => a.Kind == ArtifactKind.DatabaseConfig);
            var keyHash = HashedCopy.HashFile(root.TlsKey);
            victim.StoredPath = "config/evil/server.key";
            victim.Sha256 = keyHash.Sha256;
            victim.Size = keyHash.Size;

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            var refused = report.Items.Single(i => i.Status == ArtifactRestoreStatus.Refused);
            Assert.Contains("link", refused.Reason);
            Assert.Empty(FilesUnder(root.RestoreRoot));
        }

        [Fact]
        public void A_tampered_stored_file_or_manifest_hash_is_refused_and_nothing_is_written()
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            var yaml = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.ServerConfig);
            string stored = Path.Combine(root.BackupFolder, yaml.StoredPath);
            byte[] bytes = File.ReadAllBytes(stored);
            bytes[5] ^= 1; // same size, different content
            File.WriteAllBytes(stored, bytes);

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            var refused = report.Items.Single(i => i.Status == ArtifactRestoreStatus.Refused);
            Assert.Same(yaml, refused.Artifact);
            Assert.Contains("SHA-256", refused.Reason);
            Assert.Empty(FilesUnder(root.RestoreRoot));

            // A manifest whose recorded size or hash was edited is refused the same way.
            var fresh = Captured(root);
            var repo = fresh.Artifacts.First(a => a.Kind == ArtifactKind.RepoState);
            repo.Sha256 = new string('0', 64);
            var byHash = new ArtifactRestorer().Restore(fresh, new[] { repo }, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Equal(ArtifactRestoreStatus.Refused, byHash.Items.Single().Status);
            repo.Sha256 = HashedCopy.HashFile(Path.Combine(root.BackupFolder, repo.StoredPath)).Sha256;
            repo.Size += 1;
            var bySize = new ArtifactRestorer().Restore(fresh, new[] { repo }, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Contains("bytes", bySize.Items.Single().Reason);
            Assert.Empty(FilesUnder(root.RestoreRoot));
        }

        [Fact]
        public void A_target_outside_the_root_is_refused()
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            var relative = manifest.Artifacts.First(a => a.Kind == ArtifactKind.RepoState);
            relative.OriginalPath = "relative/repo_state.json";
            var dotdot = manifest.Artifacts.First(a => a.Kind == ArtifactKind.DatabaseConfig);
            dotdot.OriginalPath = "/srv/../../../etc/cron.d/evil";

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Equal(2, report.Items.Count(i => i.Status == ArtifactRestoreStatus.Refused));
            Assert.Contains("not absolute", report.Items.Single(i => i.Artifact == relative).Reason);
            Assert.Contains("..", report.Items.Single(i => i.Artifact == dotdot).Reason);
            Assert.Empty(FilesUnder(root.RestoreRoot));
        }

        [Fact]
        public void A_target_that_resolves_through_a_link_outside_the_root_is_refused()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            using var root = new ServerRootCopy();
            using var elsewhere = new TempDir();
            var manifest = Captured(root);
            // <restore root>/<first component of the original paths> is a link to a folder outside the root.
            string first = root.ConfigPath.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
            Directory.CreateDirectory(root.RestoreRoot);
            Directory.CreateSymbolicLink(Path.Combine(root.RestoreRoot, first), elsewhere.Path);

            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.All(report.Items, i => Assert.Equal(ArtifactRestoreStatus.Refused, i.Status));
            Assert.All(report.Items, i => Assert.Contains("link", i.Reason));
            Assert.Empty(FilesUnder(elsewhere.Path));
        }

        [Fact]
        public void A_stripped_profile_differs_from_the_live_global_config_and_is_refused_without_force()
        {
            using var root = new ServerRootCopy(withProfile: true);
            var manifest = Captured(root);
            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions());
            var refused = report.Items.Single(i => i.Status == ArtifactRestoreStatus.Refused);
            Assert.Equal(ArtifactKind.GlobalConfig, refused.Kind);
            Assert.Contains(root.ProfileValue, File.ReadAllText(root.GlobalConfigFile));
        }

        [Fact]
        public void Failed_artifacts_are_skipped_and_do_not_block_the_others()
        {
            using var root = new ServerRootCopy();
            string config = Path.Combine(root.DataDir, "sales", ".dolt", "config.json");
            File.Delete(config);
            Directory.CreateDirectory(config);
            var manifest = Captured(root);
            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Equal(ArtifactRestoreStatus.Skipped, report.Items.Single(i => i.OriginalPath == config).Status);
            Assert.Equal(manifest.Artifacts.Count - 1, report.Items.Count(i => i.Status == ArtifactRestoreStatus.Restored));
        }

        [Fact]
        public void Two_artifacts_aimed_at_one_target_are_refused()
        {
            using var root = new ServerRootCopy();
            var manifest = Captured(root);
            var a = manifest.Artifacts.First(x => x.Kind == ArtifactKind.RepoState);
            var b = manifest.Artifacts.Last(x => x.Kind == ArtifactKind.RepoState);
            b.OriginalPath = a.OriginalPath;
            var report = new ArtifactRestorer().Restore(manifest, null, new ArtifactRestoreOptions { TargetRoot = root.RestoreRoot });
            Assert.Equal(2, report.Items.Count(i => i.Status == ArtifactRestoreStatus.Refused));
            Assert.Empty(FilesUnder(root.RestoreRoot));
        }

        [Theory]
        [InlineData("/etc/dolt/config.yaml", "etc/dolt/config.yaml")]
        [InlineData("/config.yaml", "config.yaml")]
        public void MapToRoot_reroots_an_absolute_path(string original, string expected)
        {
            using var temp = new TempDir();
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            Assert.Equal(Path.Combine(temp.Path, expected), ArtifactRestorer.MapToRoot(original, temp.Path));
        }
    }
}
