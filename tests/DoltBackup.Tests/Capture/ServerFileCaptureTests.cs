using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using DoltBackup.Capture;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Capture
{
    public class ServerFileCaptureTests
    {
        private static string Sha256Hex(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

        private static string Stored(BackupManifest m, BackupArtifact a) => Path.Combine(m.BackupFolder, a.StoredPath.Replace('/', Path.DirectorySeparatorChar));

        private static void AssertArtifactMatchesStoredFile(BackupManifest manifest, BackupArtifact a)
        {
            Assert.Equal(ItemStatus.Completed, a.Status);
            Assert.True(Path.IsPathRooted(a.OriginalPath), a.OriginalPath);
            Assert.StartsWith("config/", a.StoredPath);
            Assert.DoesNotContain("\\", a.StoredPath);
            Assert.DoesNotContain("..", a.StoredPath);
            string stored = Stored(manifest, a);
            Assert.True(File.Exists(stored), stored);
            Assert.Equal(new FileInfo(stored).Length, a.Size);
            Assert.Equal(Sha256Hex(stored), a.Sha256);
        }

        [Fact]
        public void Captures_every_file_of_the_server_root_and_leaves_secrets_out_by_default()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            var result = new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());

            var byKind = manifest.Artifacts.ToLookup(a => a.Kind);
            Assert.Equal(root.ConfigPath, byKind[ArtifactKind.ServerConfig].Single().OriginalPath);
            Assert.Equal(root.TlsCert, byKind[ArtifactKind.TlsCertificate].Single().OriginalPath);
            Assert.Equal(root.GlobalConfigFile, byKind[ArtifactKind.GlobalConfig].Single().OriginalPath);
            Assert.Equal(new[] { "inventory", "sales" }, byKind[ArtifactKind.DatabaseConfig].Select(a => a.Database).OrderBy(x => x));
            Assert.Equal(new[] { "inventory", "sales" }, byKind[ArtifactKind.RepoState].Select(a => a.Database).OrderBy(x => x));
            Assert.Equal(root.PrivilegesFile, byKind[ArtifactKind.PrivilegeFile].Single().OriginalPath);
            Assert.Equal(root.BranchControlFile, byKind[ArtifactKind.BranchControlFile].Single().OriginalPath);
            Assert.Empty(byKind[ArtifactKind.TlsKey]);
            Assert.Empty(byKind[ArtifactKind.GlobalCredential]);
            Assert.Empty(byKind[ArtifactKind.ServerInfo]);
            foreach (var a in manifest.Artifacts)
            {
                AssertArtifactMatchesStoredFile(manifest, a);
                Assert.False(a.Secret, a.Kind);
                if (OperatingSystem.IsLinux())
                {
                    Assert.Matches("^0[0-7]{3}$", a.Mode);
                }
            }
            // Every stored byte equals the original (except config_global.json, whose profile key was removed).
            foreach (var a in manifest.Artifacts.Where(a => a.Kind != ArtifactKind.GlobalConfig))
            {
                Assert.Equal(File.ReadAllBytes(a.OriginalPath), File.ReadAllBytes(Stored(manifest, a)));
            }

            var omitted = manifest.Omitted.ToLookup(o => o.Kind);
            Assert.Equal(root.TlsKey, omitted[ArtifactKind.TlsKey].Single().OriginalPath);
            Assert.Equal(root.JwkFile, omitted[ArtifactKind.GlobalCredential].Single().OriginalPath);
            Assert.Equal(root.ServerInfoFile, omitted[ArtifactKind.ServerInfo].Single().OriginalPath);
            Assert.Equal(root.GlobalConfigFile, omitted[ArtifactKind.GlobalConfigProfile].Single().OriginalPath);
            Assert.All(manifest.Omitted, o => Assert.Contains("-IncludeSecrets", o.Reason));

            var secretWarnings = manifest.Warnings.Where(w => w.Contains("secret")).ToList();
            Assert.Single(secretWarnings);
            Assert.Contains("4 secret", secretWarnings[0]);
            Assert.Empty(manifest.Errors);
            Assert.Empty(result.Errors);
            Assert.Equal(root.DataDir, manifest.Source.DataDir);
            Assert.Equal(root.ConfigPath, manifest.Source.ConfigPath);
        }

        [Fact]
        public void Secret_bytes_appear_nowhere_in_the_backup_folder_by_default()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());
            ManifestStore.Write(manifest);

            Assert.True(Directory.GetFiles(root.BackupFolder, "*", SearchOption.AllDirectories).Length >= 10);
            foreach (var (name, bytes) in root.Secrets())
            {
                Assert.True(bytes.Length > 10, name);
                Assert.Empty(ServerRootCopy.FilesContaining(root.BackupFolder, bytes));
            }
            // The rest of config_global.json was kept.
            var global = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.GlobalConfig);
            string stored = File.ReadAllText(Stored(manifest, global));
            Assert.Contains("\"user.creds\":\"7fid9iikc22ddllam7uuc5611nr5euu7bkn7kubo2vgv0\"", stored);
            Assert.Contains("sqlserver.global.server_uuid", stored);
            Assert.DoesNotContain("profile", stored);
        }

        [Fact]
        public void With_IncludeSecrets_secrets_are_stored_owner_only_and_marked_secret()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options(includeSecrets: true));
            ManifestStore.Write(manifest);

            var secrets = manifest.Artifacts.Where(a => a.Secret).ToDictionary(a => a.Kind);
            Assert.Equal(new[] { ArtifactKind.GlobalConfig, ArtifactKind.GlobalCredential, ArtifactKind.ServerInfo, ArtifactKind.TlsKey }.OrderBy(x => x),
                secrets.Keys.OrderBy(x => x));
            Assert.Equal(root.TlsKey, secrets[ArtifactKind.TlsKey].OriginalPath);
            Assert.Equal(root.JwkFile, secrets[ArtifactKind.GlobalCredential].OriginalPath);
            foreach (var a in secrets.Values)
            {
                AssertArtifactMatchesStoredFile(manifest, a);
                Assert.Equal(File.ReadAllBytes(a.OriginalPath), File.ReadAllBytes(Stored(manifest, a)));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Stored(manifest, a)));
                }
            }
            foreach (var (name, bytes) in root.Secrets())
            {
                Assert.NotEmpty(ServerRootCopy.FilesContaining(Path.Combine(root.BackupFolder, "config"), bytes));
            }
            Assert.Empty(manifest.Omitted);
            Assert.DoesNotContain(manifest.Warnings, w => w.Contains("secret"));
            // The manifest itself never holds secret values, only the files do.
            string json = File.ReadAllText(manifest.ManifestPath);
            Assert.DoesNotContain(ServerRootCopy.ServerInfoSecret, json);
            Assert.DoesNotContain(root.ProfileValue, json);
        }

        [Fact]
        public void Privileges_file_is_stored_owner_only()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());
            var privileges = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.PrivilegeFile);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Stored(manifest, privileges)));
            }
        }

        [Fact]
        public void While_a_server_runs_branch_control_is_omitted_and_privileges_still_copied()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            var probe = new StatedActivity(true);
            var options = root.Options();
            options.ServerRunning = null;
            var result = new ServerFileCapture(probe).CaptureInto(manifest, options);

            Assert.Equal(new[] { root.DataDir }, probe.Probed);
            Assert.True(result.ServerRunning);
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == ArtifactKind.BranchControlFile);
            var omitted = manifest.Omitted.Single(o => o.Kind == ArtifactKind.BranchControlFile);
            Assert.Equal(root.BranchControlFile, omitted.OriginalPath);
            Assert.Contains("Export-DoltGrants", omitted.Reason);
            AssertArtifactMatchesStoredFile(manifest, manifest.Artifacts.Single(a => a.Kind == ArtifactKind.PrivilegeFile));
            Assert.False(File.Exists(Path.Combine(root.BackupFolder, "config", "doltcfg", "branch_control.db")));
        }

        [FlockFact]
        public void The_real_probe_sees_a_noms_lock_held_by_another_process_and_omits_branch_control()
        {
            using var root = new ServerRootCopy(withServerInfo: false);
            string lockPath = Path.Combine(root.DataDir, "sales", ".dolt", "noms", "LOCK");
            string ready = Path.Combine(root.Root, "ready");
            var psi = new System.Diagnostics.ProcessStartInfo("flock") { UseShellExecute = false };
            foreach (var arg in new[] { "-x", lockPath, "sh", "-c", $"touch '{ready}'; exec sleep 60" })
            {
                psi.ArgumentList.Add(arg);
            }
            using var holder = System.Diagnostics.Process.Start(psi);
            try
            {
                for (int i = 0; i < 100 && !File.Exists(ready); i++)
                {
                    System.Threading.Thread.Sleep(50);
                }
                Assert.True(File.Exists(ready), "the flock helper did not start");
                var manifest = root.NewManifest();
                var options = root.Options();
                options.ServerRunning = null;
                var result = new ServerFileCapture().CaptureInto(manifest, options);
                Assert.True(result.ServerRunning);
                Assert.Contains(manifest.Omitted, o => o.Kind == ArtifactKind.BranchControlFile);
                Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == ArtifactKind.BranchControlFile);
            }
            finally
            {
                holder.Kill(entireProcessTree: true);
                holder.WaitForExit();
            }
        }

        [Fact]
        public void The_real_probe_sees_a_stopped_server_root_as_unused()
        {
            using var root = new ServerRootCopy(withServerInfo: false);
            var manifest = root.NewManifest();
            var options = root.Options();
            options.ServerRunning = null;
            var result = new ServerFileCapture().CaptureInto(manifest, options);
            Assert.False(result.ServerRunning);
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.BranchControlFile && a.Status == ItemStatus.Completed);
        }

        [Fact]
        public void A_missing_optional_file_is_not_an_error()
        {
            using var root = new ServerRootCopy();
            File.Delete(Path.Combine(root.DataDir, "inventory", ".dolt", "config.json"));
            File.Delete(root.BranchControlFile);
            var manifest = root.NewManifest();
            var result = new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());

            Assert.Empty(manifest.Errors);
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == ArtifactKind.DatabaseConfig && a.Database == "inventory");
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == ArtifactKind.BranchControlFile);
            Assert.DoesNotContain(manifest.Omitted, o => o.Kind == ArtifactKind.BranchControlFile);
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.RepoState && a.Database == "inventory");
            Assert.All(manifest.Artifacts, a => Assert.Equal(ItemStatus.Completed, a.Status));
        }

        [Fact]
        public void An_unreadable_file_fails_that_artifact_and_the_rest_goes_on()
        {
            using var root = new ServerRootCopy();
            // A directory where Dolt expects config.json: it exists, but cannot be read as a file (this works as root too).
            string config = Path.Combine(root.DataDir, "sales", ".dolt", "config.json");
            File.Delete(config);
            Directory.CreateDirectory(config);
            var manifest = root.NewManifest();
            var result = new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());

            var failed = manifest.Artifacts.Single(a => a.Status == ItemStatus.Failed);
            Assert.Equal(ArtifactKind.DatabaseConfig, failed.Kind);
            Assert.Equal("sales", failed.Database);
            Assert.Equal(config, failed.OriginalPath);
            Assert.Null(failed.StoredPath);
            Assert.False(string.IsNullOrEmpty(failed.Error));
            var error = manifest.Errors.Single();
            Assert.Equal(config, error.Target);
            Assert.Equal(ServerFileCapture.CaptureFailedErrorId, error.ErrorId);
            Assert.Same(error, result.Errors.Single());
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.RepoState && a.Database == "sales" && a.Status == ItemStatus.Completed);
            Assert.Equal(8, manifest.Artifacts.Count(a => a.Status == ItemStatus.Completed));
            Assert.Empty(Directory.GetFiles(root.BackupFolder, "*.tmp", SearchOption.AllDirectories));
        }

        [NotRootFact]
        public void A_file_without_read_permission_fails_that_artifact()
        {
            using var root = new ServerRootCopy();
            string repoState = Path.Combine(root.DataDir, "inventory", ".dolt", "repo_state.json");
            File.SetUnixFileMode(repoState, UnixFileMode.None);
            try
            {
                var manifest = root.NewManifest();
                new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options());
                var failed = manifest.Artifacts.Single(a => a.Status == ItemStatus.Failed);
                Assert.Equal(repoState, failed.OriginalPath);
                Assert.Single(manifest.Errors);
                Assert.Equal(8, manifest.Artifacts.Count(a => a.Status == ItemStatus.Completed));
            }
            finally
            {
                File.SetUnixFileMode(repoState, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        [Fact]
        public void Only_the_named_databases_are_captured_and_an_unknown_name_warns()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            var options = root.Options();
            options.Databases = new[] { "sales", "nosuchdb" };
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, options);

            Assert.Equal(new[] { "sales", "sales" }, manifest.Artifacts.Where(a => a.Database != null).Select(a => a.Database));
            Assert.Contains(manifest.Warnings, w => w.Contains("'nosuchdb'"));
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.PrivilegeFile);
        }

        [Fact]
        public void A_repo_state_with_a_remote_from_the_dolt_fixtures_is_captured_byte_for_byte()
        {
            using var temp = new TempDir();
            string dataDir = temp.Combine("data");
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, "clone-with-remote"), Path.Combine(dataDir, "small_clone", ".dolt"));
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, "journal"), Path.Combine(dataDir, "signed", ".dolt"));
            var manifest = new BackupManifest { Name = "t", Destination = new BackupDestination { BackupFolder = temp.Combine("backup") } };
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest,
                new CaptureOptions { DataDir = dataDir, GlobalConfigDir = temp.Combine("no-global"), ServerRunning = false });

            var repoState = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.RepoState && a.Database == "small_clone");
            AssertArtifactMatchesStoredFile(manifest, repoState);
            Assert.Contains("http://localhost:3903/test-org/test-repo", File.ReadAllText(Stored(manifest, repoState)));
            Assert.Equal(Sha256Hex(Path.Combine(RepoPaths.DoltFixtures, "clone-with-remote", "repo_state.json")), repoState.Sha256);
            // clone-with-remote has no config.json (not an error); journal has "{}".
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == ArtifactKind.DatabaseConfig && a.Database == "small_clone");
            Assert.Equal(2, manifest.Artifacts.Single(a => a.Kind == ArtifactKind.DatabaseConfig && a.Database == "signed").Size);
            Assert.Empty(manifest.Errors);
            Assert.Empty(manifest.Warnings);
        }

        [Fact]
        public void Relative_paths_of_the_yaml_are_resolved_against_the_server_working_directory()
        {
            using var temp = new TempDir();
            string work = temp.Combine("work");
            Directory.CreateDirectory(Path.Combine(work, "dbs", "app", ".dolt", "noms"));
            File.WriteAllText(Path.Combine(work, "dbs", "app", ".dolt", "repo_state.json"), "{\"head\":\"refs/heads/main\"}");
            Directory.CreateDirectory(Path.Combine(work, "grants"));
            File.WriteAllBytes(Path.Combine(work, "grants", "privs.db"), new byte[] { 1, 2, 3 });
            File.WriteAllBytes(Path.Combine(work, "branch.db"), new byte[] { 4, 5 });
            Directory.CreateDirectory(Path.Combine(work, "certs"));
            File.WriteAllText(Path.Combine(work, "certs", "ca.pem"), "CA");
            File.WriteAllText(Path.Combine(work, "jwks.json"), "{\"keys\":[]}");
            string etc = temp.Combine("etc");
            Directory.CreateDirectory(etc);
            string yaml = Path.Combine(etc, "server.yaml");
            File.WriteAllText(yaml, "data_dir: dbs\nprivilege_file: grants/privs.db\nbranch_control_file: branch.db\nlistener:\n  ca_cert: certs/ca.pem\n  tls_key: ${TLS_KEY_PATH}\njwks:\n  - name: jwks\n    location_url: file:///jwks.json\n    claims: {iss: x}\n");

            var manifest = new BackupManifest { Name = "t", Destination = new BackupDestination { BackupFolder = temp.Combine("backup") } };
            var result = new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, new CaptureOptions
            {
                ConfigPath = yaml,
                ServerWorkingDirectory = work,
                GlobalConfigDir = temp.Combine("none"),
                ServerRunning = false,
                GetEnvironment = n => n == "TLS_KEY_PATH" ? "certs/missing.key" : null,
            });

            Assert.Equal(Path.Combine(work, "dbs"), result.DataDir);
            var originals = manifest.Artifacts.ToDictionary(a => a.Kind, a => a.OriginalPath);
            Assert.Equal(Path.Combine(work, "grants", "privs.db"), originals[ArtifactKind.PrivilegeFile]);
            Assert.Equal(Path.Combine(work, "branch.db"), originals[ArtifactKind.BranchControlFile]);
            Assert.Equal(Path.Combine(work, "certs", "ca.pem"), originals[ArtifactKind.TlsCa]);
            Assert.Equal(Path.Combine(work, "jwks.json"), originals[ArtifactKind.JwksFile]);
            Assert.Equal(Path.Combine(work, "dbs", "app", ".dolt", "repo_state.json"), originals[ArtifactKind.RepoState]);
            Assert.Equal(yaml, originals[ArtifactKind.ServerConfig]);
            // The named but missing key: a warning, not an error, and not counted as a secret left out.
            Assert.Contains(manifest.Warnings, w => w.Contains("listener.tls_key") && w.Contains("does not exist"));
            Assert.Empty(manifest.Errors);
            // The stored YAML keeps the ${VAR} placeholder: what Dolt reads, not an expansion.
            var stored = File.ReadAllText(Stored(manifest, manifest.Artifacts.Single(a => a.Kind == ArtifactKind.ServerConfig)));
            Assert.Contains("${TLS_KEY_PATH}", stored);
        }

        [Fact]
        public void Literal_passwords_in_the_yaml_are_replaced_in_the_stored_copy_unless_secrets_are_included()
        {
            using var temp = new TempDir();
            string yaml = temp.Combine("config.yaml");
            string text = "log_level: info\nuser:\n  name: root\n  password: \"hunter2-literal\"\nmcp_server:\n  port: 7007\n  user: mcp\n  password: ${MCP_PASSWORD}\n" +
                          "golden_mysql_conn: root:golden-literal@tcp(127.0.0.1:3306)/\nlistener:\n  port: 3391\n";
            File.WriteAllText(yaml, text);
            var options = new CaptureOptions
            {
                ConfigPath = yaml,
                DataDir = temp.Path,
                GlobalConfigDir = temp.Combine("none"),
                ServerRunning = false,
                GetEnvironment = n => n == "MCP_PASSWORD" ? "mcp-env-secret" : null,
            };
            var manifest = new BackupManifest { Name = "t", Destination = new BackupDestination { BackupFolder = temp.Combine("backup") } };
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, options);

            var artifact = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.ServerConfig);
            Assert.False(artifact.Secret);
            string stored = File.ReadAllText(Stored(manifest, artifact));
            Assert.DoesNotContain("hunter2-literal", stored);
            Assert.DoesNotContain("golden-literal", stored);
            Assert.DoesNotContain("mcp-env-secret", stored);
            Assert.Contains("password: ${MCP_PASSWORD}", stored);
            Assert.Contains("port: 3391", stored);
            Assert.Equal(new[] { "golden_mysql_conn", "user.password" },
                manifest.Omitted.Where(o => o.Kind == ArtifactKind.ServerConfigSecret).Select(o => o.Reason.Split(' ')[4]).OrderBy(x => x));
            // The stored copy is still YAML that the reader accepts.
            var reparsed = DoltBackup.Config.SqlServerConfigReader.Parse(stored, temp.Path, options.GetEnvironment);
            Assert.Equal(3391, reparsed.ListenerPort);

            var withSecrets = new BackupManifest { Name = "t", Destination = new BackupDestination { BackupFolder = temp.Combine("backup2") } };
            options.IncludeSecrets = true;
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(withSecrets, options);
            var secretArtifact = withSecrets.Artifacts.Single(a => a.Kind == ArtifactKind.ServerConfig);
            Assert.True(secretArtifact.Secret);
            Assert.Equal(text, File.ReadAllText(Stored(withSecrets, secretArtifact)));
        }

        [Fact]
        public void Capturing_again_without_secrets_replaces_the_artifacts_and_deletes_the_stored_secrets()
        {
            using var root = new ServerRootCopy();
            var manifest = root.NewManifest();
            var capture = new ServerFileCapture(new StatedActivity(false));
            capture.CaptureInto(manifest, root.Options(includeSecrets: true));
            int first = manifest.Artifacts.Count;
            Assert.NotEmpty(ServerRootCopy.FilesContaining(root.BackupFolder, File.ReadAllBytes(root.TlsKey)));

            capture.CaptureInto(manifest, root.Options());
            Assert.Equal(first - 3, manifest.Artifacts.Count); // TLS key, jwk, sql-server.info
            Assert.Equal(manifest.Artifacts.Count, manifest.Artifacts.Select(a => a.StoredPath).Distinct().Count());
            Assert.Single(manifest.Warnings, w => w.Contains("secret"));
            foreach (var (name, bytes) in root.Secrets())
            {
                Assert.Empty(ServerRootCopy.FilesContaining(root.BackupFolder, bytes));
            }
        }

        [Fact]
        public void Bad_input_is_refused_before_anything_is_written()
        {
            using var root = new ServerRootCopy();
            File.AppendAllText(root.ConfigPath, "remotesapi:\n  port: ${DOLTBACKUP_TEST_UNSET_VARIABLE}\n");
            var manifest = root.NewManifest();
            var ex = Assert.Throws<DoltBackup.Common.DoltBackupException>(() =>
                new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, root.Options()));
            Assert.Contains("DOLTBACKUP_TEST_UNSET_VARIABLE", ex.Message);
            Assert.Empty(manifest.Artifacts);
            Assert.Empty(Directory.GetFileSystemEntries(root.BackupFolder));

            var options = root.Options();
            options.ConfigPath = null;
            options.DataDir = Path.Combine(root.Root, "no-such-dir");
            Assert.Throws<DirectoryNotFoundException>(() => new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest, options));
            Assert.Empty(Directory.GetFileSystemEntries(root.BackupFolder));
        }

        [Fact]
        public void Without_a_yaml_the_doltcfg_of_the_parent_is_used_when_the_data_dir_has_none()
        {
            using var temp = new TempDir();
            string dataDir = temp.Combine("srv", "dbs");
            Directory.CreateDirectory(Path.Combine(dataDir, "app", ".dolt", "noms"));
            Directory.CreateDirectory(temp.Combine("srv", ".doltcfg"));
            File.WriteAllBytes(temp.Combine("srv", ".doltcfg", "privileges.db"), new byte[] { 9, 9, 9 });
            var manifest = new BackupManifest { Name = "t", Destination = new BackupDestination { BackupFolder = temp.Combine("backup") } };
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest,
                new CaptureOptions { DataDir = dataDir, GlobalConfigDir = temp.Combine("none"), ServerRunning = false });
            Assert.Equal(temp.Combine("srv", ".doltcfg", "privileges.db"), manifest.Artifacts.Single(a => a.Kind == ArtifactKind.PrivilegeFile).OriginalPath);
            Assert.Contains(manifest.Warnings, w => w.Contains("--data-dir"));

            // Once the data directory has its own .doltcfg, that one is used.
            Directory.CreateDirectory(Path.Combine(dataDir, ".doltcfg"));
            File.WriteAllBytes(Path.Combine(dataDir, ".doltcfg", "privileges.db"), new byte[] { 1 });
            new ServerFileCapture(new StatedActivity(false)).CaptureInto(manifest,
                new CaptureOptions { DataDir = dataDir, GlobalConfigDir = temp.Combine("none"), ServerRunning = false });
            Assert.Equal(Path.Combine(dataDir, ".doltcfg", "privileges.db"), manifest.Artifacts.Single(a => a.Kind == ArtifactKind.PrivilegeFile).OriginalPath);
            Assert.DoesNotContain(manifest.Warnings, w => w.Contains("--data-dir"));
        }

        [Fact]
        public void The_global_directory_defaults_to_DOLT_ROOT_PATH_then_HOME()
        {
            Assert.Equal(Path.GetFullPath("/opt/doltroot/.dolt"),
                ServerFileCapture.DefaultGlobalConfigDir(n => n == "DOLT_ROOT_PATH" ? "/opt/doltroot" : n == "HOME" ? "/home/u" : null));
            Assert.Equal(Path.GetFullPath("/home/u/.dolt"), ServerFileCapture.DefaultGlobalConfigDir(n => n == "HOME" ? "/home/u" : null));
        }
    }

    /// <summary>A fact that holds a lock with util-linux flock from another process, as a running Dolt would.</summary>
    public sealed class FlockFactAttribute : FactAttribute
    {
        public FlockFactAttribute()
        {
            if (OperatingSystem.IsWindows() || ExternalTools.Find("flock", "/usr/bin") == null)
            {
                Skip = "util-linux flock is not available to hold a lock from another process.";
            }
        }
    }

    /// <summary>A fact that needs file permissions to deny reading: root reads everything, so it is skipped as root.</summary>
    public sealed class NotRootFactAttribute : FactAttribute
    {
        public NotRootFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "Unix permission bits only.";
            }
            else if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root")
            {
                Skip = "Running as root, which can read a file with mode 000: the directory-instead-of-file test covers unreadable files here.";
            }
        }
    }
}
