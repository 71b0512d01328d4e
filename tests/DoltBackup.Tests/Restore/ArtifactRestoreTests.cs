using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>Configuration files through the capture restorer, and the grants script, driven by the orchestrator.</summary>
    public class ArtifactRestoreTests
    {
        /// <summary>Records the scripts it is given; reports every statement (';'-terminated) as run.</summary>
        private sealed class RecordingGrantsReplayer : IGrantsReplayer
        {
            public List<string> Scripts { get; } = new List<string>();
            public int FailCount { get; set; }
            public string Target => "server fake:3306";

            public GrantsReplaySummary Replay(string script, CancellationToken cancellationToken)
            {
                Scripts.Add(script);
                int statements = script.Count(c => c == ';');
                return new GrantsReplaySummary
                {
                    Succeeded = statements - FailCount, Failed = FailCount,
                    Failures = Enumerable.Range(0, FailCount).Select(i => $"line {i + 1}: GRANT ...: Access denied").ToList(),
                };
            }
        }

        private static string Original(TempDir dir, params string[] parts) => Path.Combine(dir.Combine("live"), Path.Combine(parts));

        private static string UnderRoot(string root, string original) => DoltBackup.Capture.ArtifactRestorer.MapToRoot(original, root);

        [Fact]
        public void Configuration_is_restored_under_a_new_root_with_its_hash_checked()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            var yaml = RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", Original(dir, "etc", "config.yaml"), "listener:\n  port: 3306\n");
            var repo = RestoreFixtures.AddArtifact(m, "RepoState", "config/databases/sales/repo_state.json", Original(dir, "data", "sales", ".dolt", "repo_state.json"), "{\"head\":\"refs/heads/main\"}");
            string root = dir.Combine("restored");
            var obs = new RecordingObserver();
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { ConfigRoot = root }, obs, new CaptureConfigArtifactRestorer());

            var group = Assert.Single(r.Artifacts);
            Assert.Equal(ArtifactGroup.Configuration, group.Group);
            Assert.Equal(RestoreStatus.Restored, group.Status);
            Assert.Equal(2, group.RestoredCount);
            foreach (var a in new[] { yaml, repo })
            {
                string target = UnderRoot(root, a.OriginalPath);
                Assert.True(File.Exists(target), target);
                Assert.Equal(a.Sha256, StoredArtifactReader.Sha256Hex(File.ReadAllBytes(target)));
                Assert.Equal(target, group.Files.Single(f => f.StoredPath == a.StoredPath).TargetPath);
            }
            Assert.False(Directory.Exists(dir.Combine("live")), "nothing may be written to the original paths when -ConfigRoot is given");
            // The prompt listed every file with its target.
            Assert.Contains(obs.Asked, a => a.Contains("config/server/config.yaml") && a.Contains(UnderRoot(root, yaml.OriginalPath)));
        }

        [Fact]
        public void WhatIf_lists_every_file_and_writes_nothing()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"), "sales");
            RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", Original(dir, "etc", "config.yaml"), "a: 1\n");
            RestoreFixtures.AddArtifact(m, "GlobalConfig", "config/global/config_global.json", Original(dir, "home", "config_global.json"), "{}");
            string root = dir.Combine("restored");
            var obs = new RecordingObserver { Answer = false };
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { ConfigRoot = root }, obs, new CaptureConfigArtifactRestorer());

            Assert.Empty(r.Artifacts);
            Assert.Empty(r.Databases);
            Assert.Contains(obs.Asked, a => a.Contains("config_global.json") && a.Contains("config.yaml"));
            Assert.Empty(RestoreFixtures.FilesUnder(root));
            Assert.False(Directory.Exists(dir.Combine("live")));
            Assert.Empty(dolt.Restores);
        }

        [Theory]
        [InlineData("../../outside.txt", null)]
        [InlineData("config/../../outside.txt", null)]
        [InlineData("config/evil.json", "relative/not-absolute.yaml")]
        [InlineData("config/evil.json", "/etc/../../escape.yaml")]
        public void Path_traversal_in_a_manifest_is_refused_and_nothing_is_written(string storedPath, string originalPath)
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", Original(dir, "etc", "config.yaml"), "good: true\n");
            // The evil entry: its bytes sit in the backup folder, its manifest entry points elsewhere.
            var evil = RestoreFixtures.AddArtifact(m, "GlobalConfig", "config/evil.json", Original(dir, "home", "evil.json"), "{\"evil\":1}");
            evil.StoredPath = storedPath;
            if (originalPath != null)
            {
                evil.OriginalPath = originalPath;
            }
            File.WriteAllText(dir.Combine("outside.txt"), "{\"evil\":1}");
            string root = dir.Combine("restored");
            var obs = new RecordingObserver();
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { ConfigRoot = root }, obs, new CaptureConfigArtifactRestorer());

            // Refused while the whole plan is checked: one problem naming the artifact, the group not attempted.
            var problem = Assert.Single(obs.Problems);
            Assert.Equal(originalPath == null ? "ArtifactPathUnsafe" : "ConfigTargetUnsafe", problem.ErrorId);
            Assert.Equal(storedPath, problem.Target);
            var group = Assert.Single(r.Artifacts);
            Assert.Equal(RestoreStatus.Skipped, group.Status);
            Assert.StartsWith("Not attempted", group.Error);
            Assert.Empty(obs.Asked);
            Assert.Empty(RestoreFixtures.FilesUnder(root));
            Assert.False(Directory.Exists(dir.Combine("live")));
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(dir.Path), "escape.yaml")));
        }

        [Fact]
        public void A_tampered_stored_file_is_refused_and_nothing_is_written()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", Original(dir, "etc", "config.yaml"), "listener:\n  port: 3306\n");
            RestoreFixtures.AddArtifact(m, "GlobalConfig", "config/global/config_global.json", Original(dir, "home", "config_global.json"), "{}");
            File.WriteAllText(Path.Combine(m.BackupFolder, "config", "server", "config.yaml"), "listener:\n  port: 6666\n");
            string root = dir.Combine("restored");
            var obs = new RecordingObserver();
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { ConfigRoot = root }, obs, new CaptureConfigArtifactRestorer());

            var problem = Assert.Single(obs.Problems);
            Assert.Equal("ArtifactHashMismatch", problem.ErrorId);
            Assert.Equal("config/server/config.yaml", problem.Target);
            Assert.Equal(RestoreStatus.Skipped, Assert.Single(r.Artifacts).Status);
            Assert.Empty(RestoreFixtures.FilesUnder(root));
        }

        [Fact]
        public void The_grants_script_is_checked_and_replayed()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"), "sales");
            const string script = "CREATE USER 'app'@'%' IDENTIFIED WITH mysql_native_password AS '*0123';\nGRANT SELECT ON `sales`.* TO 'app'@'%';\n";
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, script, secret: true);
            var grants = new RecordingGrantsReplayer();
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { IncludeGrants = true }, new RecordingObserver(), null, grants);

            Assert.Equal(script, Assert.Single(grants.Scripts));
            var group = r.Artifacts.Single(a => a.Group == ArtifactGroup.Grants);
            Assert.Equal(RestoreStatus.Restored, group.Status);
            Assert.Equal(2, group.StatementCount);
            Assert.Equal(RestoreStatus.Restored, Assert.Single(r.Databases).Status);
        }

        [Fact]
        public void Refused_grant_statements_make_the_group_Failed()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "GRANT A;\nGRANT B;\nGRANT C;\n", secret: true);
            var grants = new RecordingGrantsReplayer { FailCount = 1 };
            var group = Assert.Single(RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { IncludeGrants = true }, new RecordingObserver(), null, grants).Artifacts);
            Assert.Equal(RestoreStatus.Failed, group.Status);
            Assert.Equal("GrantsReplayFailed", group.ErrorId);
            Assert.Contains("1 of 3", group.Error);
        }

        [Theory]
        [InlineData("tamper")]
        [InlineData("../grants.sql")]
        [InlineData("/etc/passwd")]
        public void A_tampered_or_misplaced_grants_script_is_never_replayed(string how)
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            var a = RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "GRANT SELECT ON *.* TO 'app'@'%';\n", secret: true);
            if (how == "tamper")
            {
                File.AppendAllText(Path.Combine(m.BackupFolder, "grants", "grants.sql"), "GRANT ALL ON *.* TO 'evil'@'%';\n");
            }
            else
            {
                File.WriteAllText(dir.Combine("grants.sql"), "GRANT SELECT ON *.* TO 'app'@'%';\n");
                a.StoredPath = how;
            }
            var grants = new RecordingGrantsReplayer();
            var obs = new RecordingObserver();
            var group = Assert.Single(RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { IncludeGrants = true }, obs, null, grants).Artifacts);
            Assert.Equal(RestoreStatus.Skipped, group.Status);
            Assert.Equal(how == "tamper" ? "ArtifactHashMismatch" : "ArtifactPathUnsafe", Assert.Single(obs.Problems).ErrorId);
            Assert.Empty(grants.Scripts);
        }

        [Fact]
        public void Offline_there_is_no_server_to_replay_grants_on()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, dir.Combine("backup"));
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "GRANT A;\n", secret: true);
            var obs = new RecordingObserver();
            var group = Assert.Single(RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions { IncludeGrants = true }, obs, null, null).Artifacts);
            Assert.Equal(RestoreStatus.Skipped, group.Status);
            Assert.Equal("GrantsNeedServer", Assert.Single(obs.Problems).ErrorId);
        }
    }
}
