using System;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// Issue 16, point 2: an untrusted manifest stops the whole restore before the first write. One bad configuration
    /// artifact (a stored path with '..', an absolute one, a stored file replaced by a link, an altered file) used to
    /// let a FileCopy set unpack its whole data directory (and a DoltBackup set restore its databases) while only the
    /// configuration was refused. Now nothing is written and every problem is reported.
    /// </summary>
    public sealed class RestorePlanValidationTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();
        private readonly string _target;
        private readonly string _root;

        public RestorePlanValidationTests()
        {
            _target = _dir.Combine("restored");
            _root = _dir.Combine("config-root");
        }

        public void Dispose() => _dir.Dispose();

        public static readonly TheoryData<string> BadKinds = new TheoryData<string> { "dotdot", "absolute", "symlink", "altered" };

        private const string ConfigText = "listener:\n  port: 3306\n";

        /// <summary>Adds a good and a configuration artifact, then spoils the second one as <paramref name="kind"/> says; returns the expected error id.</summary>
        private string AddSpoiledConfig(BackupManifest m, string kind)
        {
            RestoreFixtures.AddArtifact(m, "GlobalConfig", "config/global/config_global.json", _dir.Combine("live", "home", "config_global.json"), "{}");
            var a = RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", _dir.Combine("live", "etc", "config.yaml"), ConfigText);
            string stored = Path.Combine(m.BackupFolder, "config", "server", "config.yaml");
            string outside = _dir.Combine("outside.yaml");
            File.WriteAllText(outside, ConfigText); // the same bytes: only the path gives it away
            switch (kind)
            {
                case "dotdot":
                    a.StoredPath = "config/../../outside.yaml";
                    break;
                case "absolute":
                    a.StoredPath = outside;
                    break;
                case "symlink":
                    File.Delete(stored);
                    File.CreateSymbolicLink(stored, outside);
                    break;
                default:
                    File.AppendAllText(stored, "# changed\n");
                    break;
            }
            ManifestStore.Write(m);
            return kind == "altered" ? "ArtifactHashMismatch" : "ArtifactPathUnsafe";
        }

        private BackupManifest FileCopySet()
        {
            string data = CopyServerDataDir(_dir);
            var m = NewManifest(_dir.Combine("backup"));
            FileCopyBackup.Run(m, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.TarGzip });
            ManifestStore.Write(m);
            return ManifestStore.Read(m.BackupFolder);
        }

        /// <summary>Records a different size and SHA-256 for one data file of the archive: the archive no longer matches its manifest.</summary>
        private static string AlterOneDataFile(BackupManifest m)
        {
            var file = m.Artifacts.First(a => a.Kind == FileCopyLayout.DataFileKind && a.Size > 0);
            file.Sha256 = new string('0', 64);
            ManifestStore.Write(m);
            return file.StoredPath;
        }

        private static RestoreRunResults RunFileCopy(BackupManifest m, RestoreOptions options, RecordingObserver observer)
        {
            var engine = new DoltEngineRestoreEngine(new RestoreFakeDolt());
            var plan = new RestorePlanner(new string[0], options.DataDir).Plan(m, options);
            return new RestoreOrchestrator(engine, new CaptureConfigArtifactRestorer(), null, observer, new FileCopyServiceRestorer()).Execute(plan, options);
        }

        private void AssertNothingWritten()
        {
            Assert.False(Directory.Exists(_target), "the data directory must not be created");
            Assert.Empty(RestoreFixtures.FilesUnder(_root));
            Assert.False(Directory.Exists(_dir.Combine("live")));
            // No staging folder left (or made) beside the target either.
            Assert.DoesNotContain(Directory.GetDirectories(_dir.Path), d => Path.GetFileName(d).StartsWith(".", StringComparison.Ordinal));
        }

        [Theory]
        [MemberData(nameof(BadKinds))]
        public void A_FileCopy_set_with_one_bad_configuration_artifact_writes_nothing_at_all(string kind)
        {
            var m = FileCopySet();
            string expected = AddSpoiledConfig(m, kind);
            var obs = new RecordingObserver();
            var r = RunFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreOptions { DataDir = _target, ConfigRoot = _root }, obs);

            var problem = Assert.Single(obs.Problems);
            Assert.Equal(expected, problem.ErrorId);
            AssertNothingWritten();
            Assert.Empty(obs.Asked); // nothing was even offered
            Assert.Equal(new[] { ArtifactGroup.FileCopy, ArtifactGroup.Configuration }, r.Artifacts.Select(a => a.Group));
            Assert.All(r.Artifacts, a => Assert.Equal(RestoreStatus.Skipped, a.Status));
            Assert.Equal(new[] { "inventory", "sales" }, r.Databases.Select(d => d.Database).OrderBy(d => d));
            Assert.All(r.Databases, d => Assert.Equal(RestoreStatus.Skipped, d.Status));
            Assert.Contains(obs.Warnings, w => w.StartsWith("Nothing was restored", StringComparison.Ordinal) && w.Contains(expected));
        }

        [Theory]
        [MemberData(nameof(BadKinds))]
        public void A_DoltBackup_set_with_one_bad_configuration_artifact_restores_no_database(string kind)
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, _dir.Combine("backup"), "sales", "hr");
            string expected = AddSpoiledConfig(m, kind);
            var obs = new RecordingObserver();
            var r = RestoreOrchestratorTests.Run(dolt, ManifestStore.Read(m.BackupFolder), new RestoreOptions { ConfigRoot = _root }, obs, new CaptureConfigArtifactRestorer());

            Assert.Equal(expected, Assert.Single(obs.Problems).ErrorId);
            Assert.Empty(dolt.Restores);
            Assert.Empty(RestoreFixtures.FilesUnder(_root));
            Assert.All(r.Databases, d => Assert.Equal(RestoreStatus.Skipped, d.Status));
            Assert.All(r.Databases, d => Assert.StartsWith("Not attempted", d.Error));
            Assert.Equal(RestoreStatus.Skipped, Assert.Single(r.Artifacts).Status);
        }

        [Fact]
        public void Every_problem_is_reported_a_bad_configuration_file_and_an_archive_entry_that_differs_from_its_manifest()
        {
            var m = FileCopySet();
            AddSpoiledConfig(m, "dotdot");
            string entry = AlterOneDataFile(m);
            var obs = new RecordingObserver();
            RunFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreOptions { DataDir = _target, ConfigRoot = _root }, obs);

            Assert.Equal(2, obs.Problems.Count);
            Assert.Contains(obs.Problems, p => p.ErrorId == "ArtifactPathUnsafe" && p.Target == "config/../../outside.yaml");
            Assert.Contains(obs.Problems, p => p.ErrorId == "ArtifactHashMismatch" && p.Target == entry);
            AssertNothingWritten();
        }

        [Fact]
        public void Every_problem_is_reported_a_bad_configuration_file_and_a_tampered_grants_script_of_a_DoltBackup_set()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, _dir.Combine("backup"), "sales");
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "GRANT SELECT ON *.* TO 'app'@'%';\n", secret: true);
            File.AppendAllText(Path.Combine(m.BackupFolder, "grants", "grants.sql"), "GRANT ALL ON *.* TO 'evil'@'%';\n");
            AddSpoiledConfig(m, "absolute");
            var obs = new RecordingObserver();
            var grants = new CountingGrantsReplayer();
            var r = RestoreOrchestratorTests.Run(dolt, ManifestStore.Read(m.BackupFolder), new RestoreOptions { ConfigRoot = _dir.Combine("config-root"), IncludeGrants = true },
                obs, new CaptureConfigArtifactRestorer(), grants);

            Assert.Equal(new[] { "ArtifactHashMismatch", "ArtifactPathUnsafe" }, obs.Problems.Select(p => p.ErrorId).OrderBy(x => x));
            Assert.Empty(dolt.Restores);
            Assert.Equal(0, grants.Calls);
            Assert.Equal(new[] { ArtifactGroup.Configuration, ArtifactGroup.Grants }, r.Artifacts.Select(a => a.Group));
            Assert.All(r.Artifacts, a => Assert.Equal(RestoreStatus.Skipped, a.Status));
        }

        [Fact]
        public void An_unsafe_database_name_in_the_manifest_stops_the_other_databases_too()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales", "hr");
            m.Databases[1].Name = "../../etc";
            var obs = new RecordingObserver();
            var r = RestoreOrchestratorTests.Run(dolt, m, new RestoreOptions(), obs);

            Assert.Empty(dolt.Restores);
            Assert.Equal("InvalidDatabaseName", r.Databases.Single(d => d.Database == "../../etc").ErrorId);
            var sales = r.Databases.Single(d => d.Database == "sales");
            Assert.Equal(RestoreStatus.Skipped, sales.Status);
            Assert.Null(sales.ErrorId);
            Assert.StartsWith("Not attempted", sales.Error);
        }

        [Fact]
        public void A_data_file_that_leaves_the_data_directory_is_refused_before_anything_is_unpacked()
        {
            var m = FileCopySet();
            var file = m.Artifacts.First(a => a.Kind == FileCopyLayout.DataFileKind);
            file.StoredPath = "../escaped";
            ManifestStore.Write(m);
            var obs = new RecordingObserver();
            RunFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreOptions { DataDir = _target }, obs);

            // The manifest names a path outside the data dir, and the archive holds an entry the manifest no longer records.
            Assert.Contains(obs.Problems, p => p.ErrorId == "ArtifactPathUnsafe" && p.Target == "../escaped");
            Assert.All(obs.Problems, p => Assert.NotEqual("DataDirExists", p.ErrorId));
            AssertNothingWritten();
        }

        [Fact]
        public void A_plain_tree_set_whose_data_files_were_replaced_by_a_link_and_altered_reports_both_and_writes_nothing()
        {
            string data = CopyServerDataDir(_dir);
            var m = NewManifest(_dir.Combine("backup"));
            FileCopyBackup.Run(m, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tree });
            ManifestStore.Write(m);
            var files = m.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind && a.Size > 0).Take(2).ToList();
            string linked = Path.Combine(m.BackupFolder, files[0].StoredPath);
            string outside = _dir.Combine("same-bytes");
            File.Copy(linked, outside);
            File.Delete(linked);
            File.CreateSymbolicLink(linked, outside); // same bytes, but read through a link out of the set folder
            File.AppendAllText(Path.Combine(m.BackupFolder, files[1].StoredPath), "x");
            var obs = new RecordingObserver();
            RunFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreOptions { DataDir = _target }, obs);

            Assert.Equal(2, obs.Problems.Count);
            Assert.Contains(obs.Problems, p => p.ErrorId == "ArtifactPathUnsafe" && p.Target == files[0].StoredPath);
            Assert.Contains(obs.Problems, p => p.ErrorId == "ArtifactHashMismatch" && p.Target == files[1].StoredPath);
            AssertNothingWritten();
        }

        // ---- Through PowerShell, as a user sees it ----

        private static string Ids(PowerShellResult r) => string.Join(" ", r.Errors.Select(e => e.FullyQualifiedErrorId).OrderBy(x => x, StringComparer.Ordinal));

        [Theory]
        [MemberData(nameof(BadKinds))]
        public void Restore_DoltBackup_of_a_FileCopy_set_with_a_bad_configuration_artifact_writes_nothing(string kind)
        {
            var m = FileCopySet();
            string expected = AddSpoiledConfig(m, kind);
            FakeServers.Register(new FakeDoltEngine(), _target);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -ConfigRoot $args[2] -Confirm:$false", m.BackupFolder, _target, _root);

            var e = Assert.Single(r.Errors);
            Assert.Equal($"DoltBackup.{expected},DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            string stored = kind == "dotdot" ? "config/../../outside.yaml" : kind == "absolute" ? _dir.Combine("outside.yaml") : "config/server/config.yaml";
            Assert.Equal(stored, e.TargetObject);
            Assert.NotNull(e.ErrorDetails.RecommendedAction);
            AssertNothingWritten();
            var output = r.Output.Select(o => o.BaseObject).ToList();
            Assert.All(output.OfType<ArtifactGroupRestoreResult>(), a => Assert.Equal(RestoreStatus.Skipped, a.Status));
            Assert.All(output.OfType<DatabaseRestoreResult>(), d => Assert.Equal(RestoreStatus.Skipped, d.Status));
            Assert.Equal(2, output.OfType<DatabaseRestoreResult>().Count());
            Assert.Contains(r.Warnings, w => w.StartsWith("Nothing was restored", StringComparison.Ordinal));
        }

        [Theory]
        [MemberData(nameof(BadKinds))]
        public void Restore_DoltBackup_of_a_DoltBackup_set_with_a_bad_configuration_artifact_restores_nothing(string kind)
        {
            var dolt = new FakeDoltEngine();
            string server = FakeServers.Register(dolt);
            var m = RestoreFixtures.ManifestOfFakeStores(dolt, _dir.Combine("backup"), new string[0], "sales", "hr");
            string expected = AddSpoiledConfig(m, kind);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -ConfigRoot $args[2] -Confirm:$false", m.BackupFolder, server, _root);

            Assert.Equal($"DoltBackup.{expected},DoltBackup.Cmdlets.RestoreDoltBackupCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Empty(dolt.CallsOf("restore"));
            Assert.Empty(RestoreFixtures.FilesUnder(_root));
            var results = r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().ToList();
            Assert.Equal(new[] { "sales", "hr" }, results.Select(x => x.Database));
            Assert.All(results, x => Assert.Equal(RestoreStatus.Skipped, x.Status));
        }

        [Fact]
        public void Restore_DoltBackup_reports_both_problems_and_WhatIf_shows_them_too()
        {
            var m = FileCopySet();
            AddSpoiledConfig(m, "symlink");
            AlterOneDataFile(m);
            FakeServers.Register(new FakeDoltEngine(), _target);
            using var host = new PowerShellHost();
            const string both = "DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.RestoreDoltBackupCommand DoltBackup.ArtifactPathUnsafe,DoltBackup.Cmdlets.RestoreDoltBackupCommand";

            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -ConfigRoot $args[2] -Force", m.BackupFolder, _target, _root);
            Assert.Equal(both, Ids(r));
            AssertNothingWritten();

            var whatIf = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -ConfigRoot $args[2] -WhatIf", m.BackupFolder, _target, _root);
            Assert.Equal(both, Ids(whatIf));
            AssertNothingWritten();
        }

        [Fact]
        public void Test_DoltBackup_RestoreTest_does_not_bypass_the_check_of_a_FileCopy_set()
        {
            var m = FileCopySet();
            AlterOneDataFile(m);
            string scratch = _dir.Combine("scratch");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", m.BackupFolder, scratch);

            Assert.Equal("DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.TestDoltBackupCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            var results = r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().Where(x => x.Level == VerificationLevel.RestoreTest).ToList();
            Assert.Equal(2, results.Count);
            Assert.All(results, x => Assert.Equal(VerificationStatus.Failed, x.Status));
            Assert.All(results, x => Assert.Contains("before anything was unpacked", x.Message));
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void The_Pester_recipe_a_FileCopy_set_made_by_the_cmdlets_and_edited_as_JSON_is_refused_whole()
        {
            // The steps of tests/pester/Restore.Tests.ps1 ("untrusted FileCopy set"): the set made by the cmdlets, the
            // manifest edited as plain JSON (this engine has no ConvertFrom-Json: System.Text.Json does the same here).
            string data = CopyServerDataDir(_dir);
            using var host = new PowerShellHost();
            var set = (BackupManifest)host.Invoke("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -SkipConfiguration",
                data, _dir.Combine("backups")).Single().BaseObject;
            string manifestPath = Path.Combine(set.BackupFolder, "manifest.json");
            string outside = _dir.Combine("outside.yaml");
            File.WriteAllText(outside, "listener: {port: 3306}");
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath));
            var artifacts = json["artifacts"].AsArray();
            artifacts.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = "ServerConfig", ["storedPath"] = "config/../../outside.yaml", ["originalPath"] = "/etc/dolt/config.yaml",
                ["size"] = new FileInfo(outside).Length, ["sha256"] = StoredArtifactReader.Sha256Hex(File.ReadAllBytes(outside)),
                ["secret"] = false, ["status"] = "Completed",
            });
            artifacts.First(x => (string)x["kind"] == "DataFile" && (long)x["size"] > 0)["sha256"] = new string('0', 64);
            File.WriteAllText(manifestPath, json.ToJsonString());
            FakeServers.Register(new FakeDoltEngine(), _target);

            foreach (string whatIf in new[] { "$false", "$true" })
            {
                var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -ConfigRoot $args[2] -Force -WhatIf:" + whatIf, set.BackupFolder, _target, _root);

                Assert.Equal("DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.RestoreDoltBackupCommand DoltBackup.ArtifactPathUnsafe,DoltBackup.Cmdlets.RestoreDoltBackupCommand", Ids(r));
                AssertNothingWritten();
            }
        }

        private sealed class CountingGrantsReplayer : IGrantsReplayer
        {
            public int Calls { get; private set; }
            public string Target => "server fake:3306";

            public GrantsReplaySummary Replay(string script, System.Threading.CancellationToken cancellationToken)
            {
                Calls++;
                return new GrantsReplaySummary();
            }
        }
    }
}
