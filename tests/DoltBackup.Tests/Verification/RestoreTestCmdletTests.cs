using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Verification
{
    /// <summary>Test-DoltBackup -RestoreTest in a hosted PowerShell engine, against the in-memory Dolt fake (routed by -Server host name or data directory).</summary>
    public sealed class RestoreTestCmdletTests : IDisposable
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();
        private readonly string _server;

        public RestoreTestCmdletTests()
        {
            _server = FakeServers.Register(_dolt);
        }

        public void Dispose() => _dir.Dispose();

        private BackupManifest Backup(params string[] databases) => RestoreFixtures.ManifestOfFakeStores(_dolt, _dir.Combine("backup"), Array.Empty<string>(), databases);

        private static VerificationResult[] RestoreResults(PowerShellResult r)
            => r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().Where(v => v.Level == VerificationLevel.RestoreTest).ToArray();

        [Fact]
        public void Pipeline_manifests_are_restore_tested_on_the_server_and_the_scratch_databases_dropped()
        {
            Backup("sales", "hr");
            _dolt.AddDatabase("sales");
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] | Test-DoltBackup -RestoreTest -Server $args[1]", _dir.Combine("backup"), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var results = RestoreResults(r);
            Assert.Equal(new[] { "sales", "hr" }, results.Select(x => x.Target));
            Assert.All(results, x => Assert.Equal(VerificationStatus.Passed, x.Status));
            var restores = _dolt.CallsOf("restore").ToArray();
            Assert.Equal(2, restores.Length);
            Assert.All(restores, c => Assert.Matches(@" dbtest_[0-9a-f]{8}_(sales|hr)$", c));
            Assert.Equal(2, _dolt.CallsOf("drop").Count());
            Assert.Equal(new[] { "sales" }, _dolt.Databases.Keys);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
        }

        [Fact]
        public void A_head_mismatch_is_Failed_with_the_difference_and_the_scratch_database_is_dropped()
        {
            var m = Backup("sales");
            _dolt.Storage.Get(m.Databases[0].Url).Tags["v1"] = FakeDoltEngine.Hash("retagged");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -Server $args[1] -NewName sales_check", m.BackupFolder, _server);

            var result = Assert.Single(RestoreResults(r));
            Assert.Equal(VerificationStatus.Failed, result.Status);
            Assert.Contains("tag 'v1' is at " + FakeDoltEngine.Hash("retagged"), result.Message);
            Assert.Equal(new[] { "drop sales_check" }, _dolt.CallsOf("drop"));
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void A_restore_error_is_Failed_and_nothing_is_left_behind()
        {
            var m = Backup("sales", "hr");
            m.Databases[0].Url = RestoreFixtures.BaseUrl + "/gone";
            ManifestStore.Write(m);
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -Server $args[1] -Prefix t_", m.BackupFolder, _server);

            var results = RestoreResults(r);
            Assert.Equal(VerificationStatus.Failed, results.Single(x => x.Target == "sales").Status);
            Assert.Contains("/gone", results.Single(x => x.Target == "sales").Message);
            Assert.Equal(VerificationStatus.Passed, results.Single(x => x.Target == "hr").Status);
            Assert.Equal(new[] { "drop t_hr" }, _dolt.CallsOf("drop"));
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void WhatIf_restores_nothing_and_reports_no_restore_result()
        {
            var m = Backup("sales");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -Server $args[1] -WhatIf", m.BackupFolder, _server);

            Assert.Null(r.Terminating);
            Assert.Empty(RestoreResults(r));
            Assert.Empty(_dolt.CallsOf("restore"));
            Assert.Empty(_dolt.CallsOf("drop"));
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void Without_dolt_an_offline_restore_test_is_Skipped_with_the_reason_and_the_scratch_dir_removed()
        {
            var m = Backup("sales");
            string scratch = _dir.Combine("scratch");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1] -DoltPath $args[2]",
                m.BackupFolder, scratch, _dir.Combine("no-such-dolt"));

            var result = Assert.Single(RestoreResults(r));
            Assert.Equal(VerificationStatus.Skipped, result.Status);
            Assert.Contains("needs dolt or a running server", result.Message);
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void Offline_restore_tests_restore_into_the_scratch_data_dir_through_the_cli_engine()
        {
            var m = Backup("sales");
            string scratch = _dir.Combine("scratch");
            var offline = new FakeDoltEngine(_dolt.Storage);
            FakeServers.Register(offline, scratch);
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", m.BackupFolder, scratch);

            Assert.Equal(VerificationStatus.Passed, Assert.Single(RestoreResults(r)).Status);
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales" }, offline.CallsOf("restore"));
            Assert.True(FakeServers.LastRequest(scratch).IsOffline);
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void The_recorded_server_is_used_with_Credential_and_an_unreachable_one_is_Skipped_with_an_error()
        {
            var m = Backup("sales");
            m.Source = new BackupSource { Server = _server, Port = 3310 };
            ManifestStore.Write(m);
            _dolt.Unreachable = true;
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -Credential $args[1]", m.BackupFolder,
                new PSCredential("backup_admin", new System.Security.SecureString()));

            Assert.Equal(3310, FakeServers.LastRequest(_server).Server.Port);
            Assert.Equal(VerificationStatus.Skipped, Assert.Single(RestoreResults(r)).Status);
            Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("DoltBackup.ConnectionRefused", StringComparison.Ordinal));
        }

        [Fact]
        public void Restore_test_parameters_without_RestoreTest_are_refused()
        {
            var m = Backup("sales");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -Server $args[1]", m.BackupFolder, _server);

            var error = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.InvalidRestoreTestRequest,DoltBackup.Cmdlets.TestDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Empty(r.Output);
            Assert.Empty(_dolt.Calls);
        }

        [Fact]
        public void A_FileCopy_set_from_the_pipeline_is_unpacked_verified_and_the_scratch_dir_deleted()
        {
            string data = DoltBackup.Tests.FileCopy.FileCopyTestSupport.CopyServerDataDir(_dir);
            string scratch = _dir.Combine("scratch");
            using var host = new PowerShellHost();
            var r = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -SkipConfiguration | Test-DoltBackup -RestoreTest -ScratchDataDir $args[2]",
                data, _dir.Combine("backups"), scratch);

            Assert.True(r.Errors.Count == 0, r.AllText());
            var results = RestoreResults(r);
            Assert.Equal(new[] { "inventory", "sales" }, results.Select(x => x.Target).OrderBy(t => t));
            Assert.All(results, x => Assert.Equal(VerificationStatus.Passed, x.Status));
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void An_encrypted_FileCopy_set_is_restore_tested_with_its_key_and_refused_without_it()
        {
            string data = DoltBackup.Tests.FileCopy.FileCopyTestSupport.CopyServerDataDir(_dir);
            string scratch = _dir.Combine("scratch");
            var cert = DoltBackup.Tests.Encryption.TestKeys.NewCertificate("ops");
            using var host = new PowerShellHost();
            var made = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] -EncryptionCertificate $args[2] | Sync-DoltBackup -Format Tar -SkipConfiguration",
                data, _dir.Combine("backups"), DoltBackup.Tests.Encryption.TestKeys.PublicOnly(cert));
            string folder = ((DoltBackup.Manifest.BackupManifest)made.Output.Single().BaseObject).BackupFolder;

            var noKey = RestoreResults(host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", folder, scratch));
            Assert.Contains(noKey, x => x.Check == "RestoreTest.Key" && x.Status == VerificationStatus.Failed && x.Message.Contains(cert.Thumbprint));
            Assert.False(Directory.Exists(scratch));

            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1] -DecryptionCertificate $args[2]", folder, scratch, cert);
            Assert.True(r.Errors.Count == 0, r.AllText());
            var results = RestoreResults(r);
            Assert.Equal(new[] { "inventory", "sales" }, results.Select(x => x.Target).OrderBy(t => t));
            Assert.All(results, x => Assert.Equal(VerificationStatus.Passed, x.Status));
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void A_non_empty_scratch_dir_is_an_error_and_is_left_alone()
        {
            var m = Backup("sales");
            string scratch = _dir.Combine("scratch");
            Directory.CreateDirectory(scratch);
            File.WriteAllText(Path.Combine(scratch, "keep.txt"), "mine");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", m.BackupFolder, scratch);

            Assert.Equal("DoltBackup.InvalidRestoreTestRequest,DoltBackup.Cmdlets.TestDoltBackupCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Empty(RestoreResults(r));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(scratch, "keep.txt")));
        }
    }
}
