using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// Restore-DoltBackup in a hosted PowerShell engine, against the sync branch's in-memory Dolt fake, which the engine
    /// factory's test hook routes to by -Server host name (or -DataDir), so tests in parallel do not disturb each other.
    /// </summary>
    public sealed class RestoreCmdletTests : IDisposable
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();
        private readonly string _server;

        public RestoreCmdletTests()
        {
            _server = FakeServers.Register(_dolt);
        }

        public void Dispose() => _dir.Dispose();

        private string[] Restores => _dolt.CallsOf("restore").ToArray();

        private BackupManifest Backup(params string[] databases) => RestoreFixtures.ManifestOfFakeStores(_dolt, _dir.Combine("backup"), new[] { "dev" }, databases);

        private static T[] Results<T>(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<T>().ToArray();

        private static string ErrorIds(PowerShellResult r)
            => string.Join(" ", r.Errors.Select(e => e.FullyQualifiedErrorId).Concat(new[] { r.Terminating?.ErrorRecord?.FullyQualifiedErrorId }).Where(x => x != null));

        [Fact]
        public void Restores_manifests_from_the_pipeline_through_the_server_and_reports_each_database_Verified()
        {
            Backup("sales", "hr");
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] | Restore-DoltBackup -Server ($args[1] + ':3307') -Confirm:$false", _dir.Combine("backup"), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var results = Results<DatabaseRestoreResult>(r);
            Assert.Equal(new[] { "sales", "hr" }, results.Select(x => x.TargetName));
            Assert.All(results, x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            var request = FakeServers.LastRequest(_server);
            Assert.Equal(3307, request.Server.Port);
            Assert.False(request.IsOffline);
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales", "restore file:///backups/prod/hr hr" }, Restores);
            Assert.Equal(_dolt.Storage.Get("file:///backups/prod/hr").Branches, _dolt.Databases["hr"].Branches);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
        }

        [Fact]
        public void An_existing_database_is_a_non_terminating_error_and_the_batch_goes_on()
        {
            Backup("sales", "hr");
            var live = _dolt.AddDatabase("sales", "live");
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Confirm:$false", _dir.Combine("backup"), _server);

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.DatabaseExists,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.Contains("-Force", e.ErrorDetails.RecommendedAction);
            Assert.Contains(".dolt_dropped_databases", e.ErrorDetails.RecommendedAction);
            var results = Results<DatabaseRestoreResult>(r);
            Assert.Equal(RestoreStatus.Skipped, results.Single(x => x.Database == "sales").Status);
            Assert.Equal(RestoreStatus.Restored, results.Single(x => x.Database == "hr").Status);
            Assert.Same(live, _dolt.Databases["sales"]);
        }

        [Fact]
        public void A_database_that_fails_to_restore_is_one_error_and_the_others_are_restored()
        {
            var m = Backup("sales", "hr", "ops");
            m.Databases[1].Url = RestoreFixtures.BaseUrl + "/gone";   // no store there: Dolt's restore fails
            ManifestStore.Write(m);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Confirm:$false", _dir.Combine("backup"), _server);

            Assert.Null(r.Terminating);
            var e = Assert.Single(r.Errors);
            Assert.Equal("hr", e.TargetObject);
            Assert.Contains("/gone", e.Exception.Message);
            var results = Results<DatabaseRestoreResult>(r);
            Assert.Equal(new[] { RestoreStatus.Restored, RestoreStatus.Failed, RestoreStatus.Restored }, results.Select(x => x.Status));
            Assert.False(_dolt.Databases.ContainsKey("hr"));
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
        }

        [Fact]
        public void Force_replaces_without_prompting()
        {
            Backup("sales");
            var live = _dolt.AddDatabase("sales", "live");
            using var host = new PowerShellHost();
            // The test host cannot prompt: a prompt would fail the command.
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Force -Verbose", _dir.Combine("backup"), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(RestoreStatus.Restored, Results<DatabaseRestoreResult>(r).Single().Status);
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales --force" }, Restores);
            Assert.NotSame(live, _dolt.Databases["sales"]);
            Assert.Equal(_dolt.Storage.Get("file:///backups/prod/sales").Branches, _dolt.Databases["sales"].Branches);
            Assert.Contains(r.Verbose, v => v.Contains(".dolt_dropped_databases"));
        }

        [Fact]
        public void ConfirmImpact_High_prompts_by_default_so_an_unattended_run_without_Force_restores_nothing()
        {
            Backup("sales");
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1]", _dir.Combine("backup"), _server);
            Assert.True(r.Terminating != null || r.Errors.Count > 0);
            Assert.Contains("cannot prompt", r.AllText());
            Assert.Empty(Restores);
        }

        [Fact]
        public void WhatIf_shows_every_database_file_and_script_and_changes_nothing()
        {
            var m = Backup("sales", "hr");
            var live = _dolt.AddDatabase("sales", "live");
            RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", _dir.Combine("live", "config.yaml"), "a: 1\n");
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "GRANT SELECT ON *.* TO 'app'@'%';\n", secret: true);
            ManifestStore.Write(m);
            string root = _dir.Combine("restored");
            using var host = new PowerShellHost();
            string text = host.Render("Restore-DoltBackup -Path $args[0] -Server $args[2] -Force -ConfigRoot $args[1] -IncludeGrants -WhatIf", _dir.Combine("backup"), root, _server);

            Assert.Contains("What if:", text);
            Assert.Contains("'sales'", text);
            Assert.Contains(".dolt_dropped_databases", text);
            Assert.Contains("'hr'", text);
            Assert.Contains("config/server/config.yaml", text);
            Assert.Contains("grants/grants.sql", text);
            Assert.Equal(new[] { "list" }, _dolt.Calls);
            Assert.Same(live, _dolt.Databases["sales"]);
            Assert.Empty(RestoreFixtures.FilesUnder(root));
            Assert.False(Directory.Exists(_dir.Combine("live")));
        }

        [Fact]
        public void A_newer_manifest_is_refused_before_the_target_is_touched()
        {
            Directory.CreateDirectory(_dir.Combine("new"));
            File.WriteAllText(_dir.Combine("new", "manifest.json"), "{\"schemaVersion\": 99, \"name\": \"x\"}");
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Confirm:$false", _dir.Combine("new"), _server);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.ManifestUnreadable", e.FullyQualifiedErrorId);
            Assert.Contains("Update-Module", e.Exception.Message);
            Assert.Null(FakeServers.LastRequest(_server));
            Assert.Empty(_dolt.Calls);
        }

        [Fact]
        public void NewName_with_several_databases_is_refused_and_a_subset_with_Database_works()
        {
            Backup("sales", "sales_eu", "hr");
            using var host = new PowerShellHost();
            var bad = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -NewName copy -Confirm:$false", _dir.Combine("backup"), _server);
            Assert.StartsWith("DoltBackup.InvalidRestoreRequest", Assert.Single(bad.Errors).FullyQualifiedErrorId);
            Assert.Empty(Restores);

            var subset = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Database sales_* -NewName copy -Confirm:$false", _dir.Combine("backup"), _server);
            Assert.Empty(subset.Errors);
            var one = Results<DatabaseRestoreResult>(subset).Single();
            Assert.Equal("sales_eu", one.Database);
            Assert.Equal("copy", one.TargetName);
            Assert.Equal(VerificationOutcome.Verified, one.Verification);
        }

        [Fact]
        public void Contradictory_naming_is_refused_before_the_target_is_contacted()
        {
            Backup("sales");
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -NewName a -Prefix b_ -Confirm:$false", _dir.Combine("backup"), _server);
            Assert.StartsWith("DoltBackup.InvalidRestoreRequest", ErrorIds(r));
            Assert.Null(FakeServers.LastRequest(_server));
            Assert.Empty(_dolt.Calls);
        }

        [Fact]
        public void A_tampered_head_is_reported_as_Mismatch_and_as_an_error()
        {
            var m = Backup("sales");
            m.Databases[0].Branches[0].Hash = "tttttttttttttttttttttttttttttttt";
            ManifestStore.Write(m);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server $args[1] -Confirm:$false", _dir.Combine("backup"), _server);
            var result = Results<DatabaseRestoreResult>(r).Single();
            Assert.Equal(VerificationOutcome.Mismatch, result.Verification);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.RestoreVerificationMismatch", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, e.CategoryInfo.Category);
        }

        [Fact]
        public void A_single_url_restores_one_database_unverified()
        {
            var store = new FakeDoltEngine.Db { WorkingHash = FakeDoltEngine.Hash("w") };
            store.Branches["main"] = FakeDoltEngine.Hash("m");
            _dolt.Storage.Put("file:///backups/x/sales", "sales", store);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Url file:///backups/x/sales -Name sales2 -Server $args[0] -Confirm:$false", _server);
            Assert.Empty(r.Errors);
            var one = Results<DatabaseRestoreResult>(r).Single();
            Assert.Equal("sales2", one.TargetName);
            Assert.Equal(VerificationOutcome.NotChecked, one.Verification);
            Assert.Equal(new[] { "restore file:///backups/x/sales sales2" }, Restores);
        }

        [Fact]
        public void DataDir_restores_offline_and_sees_plain_directories_in_the_way()
        {
            Backup("sales", "hr");
            string dataDir = _dir.Combine("data");
            Directory.CreateDirectory(Path.Combine(dataDir, "sales"));
            File.WriteAllText(Path.Combine(dataDir, "sales", "notes.txt"), "not a database");
            FakeServers.Register(_dolt, dataDir);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", _dir.Combine("backup"), dataDir);

            Assert.True(FakeServers.LastRequest(dataDir).IsOffline);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.DatabaseExists", e.FullyQualifiedErrorId);
            Assert.Contains("plain directory", e.Exception.Message);
            Assert.Equal(new[] { "restore file:///backups/prod/hr hr" }, Restores);
            Assert.True(File.Exists(Path.Combine(dataDir, "sales", "notes.txt")));
        }

        [Fact]
        public void DataDir_with_a_running_server_is_refused_and_points_to_the_server_parameters()
        {
            Backup("sales");
            string dataDir = _dir.Combine("served");
            Directory.CreateDirectory(Path.Combine(dataDir, ".dolt"));
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                // What a running sql-server leaves at its data-dir root (dolt-reference §5), with a port that answers.
                File.WriteAllText(Path.Combine(dataDir, ".dolt", "sql-server.info"), $"4242:{port}:not-shown-secret");
                FakeServers.Register(_dolt, dataDir);
                using var host = new PowerShellHost();
                var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", _dir.Combine("backup"), dataDir);

                var e = Assert.Single(r.Errors);
                Assert.StartsWith("DoltBackup.DataDirInUse", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.ResourceBusy, e.CategoryInfo.Category);
                Assert.Contains("-Port " + port, e.ErrorDetails.RecommendedAction);
                Assert.Contains("invisible", e.Exception.Message);
                Assert.DoesNotContain("not-shown-secret", r.AllText());
                Assert.Empty(_dolt.Calls);
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public void With_ConfigPath_a_plain_directory_in_the_servers_data_dir_is_named_before_Force_deletes_it()
        {
            Backup("sales");
            string dataDir = _dir.Combine("srv", "data");
            Directory.CreateDirectory(Path.Combine(dataDir, "sales"));
            string config = _dir.Combine("srv", "config.yaml");
            File.WriteAllText(config, $"listener:\n  host: {_server}\n  port: 3310\ndata_dir: {dataDir}\n");
            using var host = new PowerShellHost();
            var refused = host.Run("Restore-DoltBackup -Path $args[0] -ConfigPath $args[1] -Confirm:$false", _dir.Combine("backup"), config);
            var e = Assert.Single(refused.Errors);
            Assert.StartsWith("DoltBackup.DatabaseExists", e.FullyQualifiedErrorId);
            Assert.Contains("plain directory", e.Exception.Message);
            Assert.Empty(Restores);

            string text = host.Render("Restore-DoltBackup -Path $args[0] -ConfigPath $args[1] -Force -WhatIf", _dir.Combine("backup"), config);
            Assert.Contains("DELETES it recursively", text);
            Assert.Equal(3310, FakeServers.LastRequest(_server).Server.Port);
        }

        [Fact]
        public void DataDir_that_does_not_exist_or_is_combined_with_Server_is_refused()
        {
            Backup("sales");
            using var host = new PowerShellHost();
            var missing = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", _dir.Combine("backup"), _dir.Combine("nope"));
            // A statement-terminating error: the hosted script records it in the error stream.
            Assert.StartsWith("DoltBackup.DataDirNotFound", ErrorIds(missing));
            var both = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Server x -Confirm:$false", _dir.Combine("backup"), _dir.Path);
            Assert.StartsWith("DoltBackup.InvalidRestoreRequest", ErrorIds(both));
            Assert.Equal(_dir.Path, (both.Errors.FirstOrDefault() ?? both.Terminating?.ErrorRecord)?.TargetObject);
            Assert.Empty(Restores);
        }

        [Fact]
        public void ConfigRoot_restores_the_configuration_files_and_the_group_is_rendered()
        {
            var m = Backup("sales");
            string original = _dir.Combine("live", "etc", "config.yaml");
            var a = RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", original, "listener:\n  port: 3306\n");
            ManifestStore.Write(m);
            string root = _dir.Combine("restored");
            using var host = new PowerShellHost();
            host.SetLocation(_dir.Path);
            string text = host.Render("Restore-DoltBackup -Path ./backup -Server $args[0] -Database nothing* -ConfigRoot ./restored -Confirm:$false -ErrorAction SilentlyContinue", _server);

            string target = DoltBackup.Capture.ArtifactRestorer.MapToRoot(original, root);
            Assert.Equal(a.Sha256, StoredArtifactReader.Sha256Hex(File.ReadAllBytes(target)));
            Assert.False(File.Exists(original));
            Assert.Contains("Configuration", text);
            Assert.Contains("Restored", text);
            Assert.Contains(root, text);
            Assert.Empty(Restores);
        }

        [Fact]
        public void The_format_view_shows_database_target_status_and_verification()
        {
            Backup("sales");
            using var host = new PowerShellHost();
            string text = host.Render("Restore-DoltBackup -Path $args[0] -Server $args[1] -Prefix t_ -Confirm:$false", _dir.Combine("backup"), _server);
            Assert.Contains("Verification", text);
            Assert.Contains("t_sales", text);
            Assert.Contains("Verified", text);
            Assert.Contains("file:///backups/prod/sales", text);
        }
    }

}
