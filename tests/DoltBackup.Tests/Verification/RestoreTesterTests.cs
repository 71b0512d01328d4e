using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.FileCopy;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Verification
{
    /// <summary>The restore test service against the restore fake (failures injectable) and, for FileCopy, real Dolt stores.</summary>
    public sealed class RestoreTesterTests
    {
        private readonly RestoreFakeDolt _dolt = new RestoreFakeDolt();
        private readonly RecordingObserver _host = new RecordingObserver();

        private List<VerificationResult> OnServer(BackupManifest m, RestoreTestOptions options = null)
        {
            var results = new List<VerificationResult>();
            new RestoreTester(_host).TestOnServer(m, _dolt, options ?? new RestoreTestOptions { Prefix = "dbtest_x_" }, results.Add);
            return results;
        }

        [Fact]
        public void Every_database_is_restored_under_the_prefix_verified_and_dropped()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales", "hr");
            var results = OnServer(m);

            Assert.Equal(new[] { "sales", "hr" }, results.Select(r => r.Target));
            Assert.All(results, r =>
            {
                Assert.Equal(VerificationStatus.Passed, r.Status);
                Assert.Equal(VerificationLevel.RestoreTest, r.Level);
                Assert.Equal("RestoreTest", r.Check);
            });
            Assert.Equal(new[] { "restore file:///backups/prod/sales dbtest_x_sales", "restore file:///backups/prod/hr dbtest_x_hr" }, _dolt.Restores);
            Assert.Equal(new[] { "dbtest_x_sales", "dbtest_x_hr" }, _dolt.Dropped.Select(d => d.Name));
            Assert.Empty(_dolt.Databases);
            Assert.False(_dolt.Disposed);
            // One scratch copy at a time: each is dropped before the next is restored.
            var calls = _dolt.Calls.ToList();
            Assert.True(calls.IndexOf("drop dbtest_x_sales") < calls.IndexOf("restore file:///backups/prod/hr dbtest_x_hr"), string.Join(" | ", calls));
        }

        [Fact]
        public void A_head_that_differs_fails_with_the_difference_and_the_scratch_copy_is_still_dropped()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");
            _dolt.Stores[m.Databases[0].Url].Branches["dev"] = RestoreFakeDolt.Hash("moved");
            var r = Assert.Single(OnServer(m));

            Assert.Equal(VerificationStatus.Failed, r.Status);
            Assert.Contains("branch 'dev' is at " + RestoreFakeDolt.Hash("moved"), r.Message);
            Assert.Equal(new[] { "dbtest_x_sales" }, _dolt.Dropped.Select(d => d.Name));
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void A_restore_error_fails_that_database_only()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales", "hr");
            _dolt.RestoreFailures["dbtest_x_sales"] = "failed to restore: permission denied";
            var results = OnServer(m);

            Assert.Equal(VerificationStatus.Failed, results.Single(r => r.Target == "sales").Status);
            Assert.Contains("permission denied", results.Single(r => r.Target == "sales").Message);
            Assert.Equal(VerificationStatus.Passed, results.Single(r => r.Target == "hr").Status);
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void The_scratch_copy_is_dropped_when_its_heads_cannot_be_read()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");
            _dolt.StateFailures.Add("dbtest_x_sales");
            var r = Assert.Single(OnServer(m));

            Assert.Equal(VerificationStatus.Failed, r.Status);
            Assert.Equal(new[] { "dbtest_x_sales" }, _dolt.Dropped.Select(d => d.Name));
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void An_existing_scratch_name_is_skipped_and_never_dropped()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");
            _dolt.AddDatabase("mine", "precious");
            var r = Assert.Single(OnServer(m, new RestoreTestOptions { NewName = "mine" }));

            Assert.Equal(VerificationStatus.Skipped, r.Status);
            Assert.Empty(_dolt.Restores);
            Assert.Empty(_dolt.Dropped);
            Assert.True(_dolt.Databases.ContainsKey("mine"));
        }

        [Fact]
        public void When_the_answer_is_no_nothing_is_restored_and_nothing_is_reported()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");
            _host.Answer = false;
            Assert.Empty(OnServer(m));
            Assert.Empty(_dolt.Restores);
            Assert.Contains(_host.Asked, a => a.Contains("dropped afterwards") || a.Contains("drop it afterwards"));
        }

        [Fact]
        public void An_unreachable_server_makes_every_database_Skipped_never_Passed()
        {
            var m = RestoreFixtures.Manifest(_dolt, null, "sales", "hr");
            _dolt.Unreachable = true;
            var results = OnServer(m);

            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.Equal(VerificationStatus.Skipped, r.Status));
            Assert.Single(_host.Problems);
        }

        [Fact]
        public void Offline_the_scratch_data_dir_is_deleted_afterwards()
        {
            using var dir = new TempDir();
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");
            string scratch = dir.Combine("scratch");
            string seen = null;
            var results = new List<VerificationResult>();
            new RestoreTester(_host).TestOffline(m, d => { seen = d; return _dolt; }, new RestoreTestOptions { ScratchDataDir = scratch }, results.Add);

            Assert.Equal(scratch, seen);
            Assert.Equal(VerificationStatus.Passed, Assert.Single(results).Status);
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales" }, _dolt.Restores);
            Assert.False(Directory.Exists(scratch));
            Assert.True(_dolt.Disposed);
        }

        [Fact]
        public void Offline_each_restored_database_directory_is_deleted_before_the_next_restore()
        {
            using var dir = new TempDir();
            var m = RestoreFixtures.Manifest(_dolt, null, "sales", "hr");
            string scratch = dir.Combine("scratch");
            var seenBeforeSecondRestore = new List<bool>();
            var offline = new DirectoryMakingEngine(_dolt, scratch, seenBeforeSecondRestore);
            var results = new List<VerificationResult>();
            new RestoreTester(_host).TestOffline(m, d => offline, new RestoreTestOptions { ScratchDataDir = scratch }, results.Add);

            Assert.All(results, r => Assert.Equal(VerificationStatus.Passed, r.Status));
            Assert.Equal(new[] { false, false }, seenBeforeSecondRestore);
            Assert.False(Directory.Exists(scratch));
        }

        /// <summary>The restore fake, plus the database directory a real offline restore creates; records whether an earlier one is still there.</summary>
        private sealed class DirectoryMakingEngine : DoltBackup.Engine.IDoltEngine
        {
            private readonly RestoreFakeDolt _inner;
            private readonly string _dataDir;
            private readonly List<bool> _earlierStillThere;
            private readonly List<string> _made = new List<string>();

            public DirectoryMakingEngine(RestoreFakeDolt inner, string dataDir, List<bool> earlierStillThere)
            {
                _inner = inner;
                _dataDir = dataDir;
                _earlierStillThere = earlierStillThere;
            }

            public string Description => "fake cli";
            public System.Threading.Tasks.Task<string> GetDoltVersionAsync(System.Threading.CancellationToken ct) => _inner.GetDoltVersionAsync(ct);
            public System.Threading.Tasks.Task<IReadOnlyList<string>> ListDatabasesAsync(System.Threading.CancellationToken ct) => _inner.ListDatabasesAsync(ct);
            public System.Threading.Tasks.Task<DoltBackup.Engine.DatabaseState> GetDatabaseStateAsync(string d, System.Threading.CancellationToken ct) => _inner.GetDatabaseStateAsync(d, ct);
            public System.Threading.Tasks.Task<IReadOnlyList<DoltBackup.Engine.DoltRemoteEntry>> ListBackupsAsync(string d, System.Threading.CancellationToken ct) => _inner.ListBackupsAsync(d, ct);
            public System.Threading.Tasks.Task<IReadOnlyList<DoltBackup.Engine.DoltRemoteEntry>> ListRemotesAsync(string d, System.Threading.CancellationToken ct) => _inner.ListRemotesAsync(d, ct);
            public System.Threading.Tasks.Task AddBackupAsync(string d, string n, string u, System.Threading.CancellationToken ct) => _inner.AddBackupAsync(d, n, u, ct);
            public System.Threading.Tasks.Task RemoveBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _inner.RemoveBackupAsync(d, n, ct);
            public System.Threading.Tasks.Task SyncBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _inner.SyncBackupAsync(d, n, ct);
            public System.Threading.Tasks.Task DropDatabaseAsync(string d, System.Threading.CancellationToken ct) => _inner.DropDatabaseAsync(d, ct);
            public System.Threading.Tasks.Task PushBranchAsync(string d, string r, string b, System.Threading.CancellationToken ct) => _inner.PushBranchAsync(d, r, b, ct);
            public System.Threading.Tasks.Task<IReadOnlyList<DoltBackup.Engine.DoltCommit>> GetBranchLogAsync(string d, string b, System.Threading.CancellationToken ct) => _inner.GetBranchLogAsync(d, b, ct);
            public System.Threading.Tasks.Task<string> GetCheckedOutBranchAsync(string d, System.Threading.CancellationToken ct) => _inner.GetCheckedOutBranchAsync(d, ct);
            public System.Threading.Tasks.Task MoveBranchAsync(string d, string b, string c, System.Threading.CancellationToken ct) => _inner.MoveBranchAsync(d, b, c, ct);
            public System.Threading.Tasks.Task DeleteBranchAsync(string d, string b, System.Threading.CancellationToken ct) => _inner.DeleteBranchAsync(d, b, ct);
            public System.Threading.Tasks.Task DeleteTagAsync(string d, string t, System.Threading.CancellationToken ct) => _inner.DeleteTagAsync(d, t, ct);

            public async System.Threading.Tasks.Task RestoreBackupAsync(string url, string database, bool force, System.Threading.CancellationToken ct)
            {
                _earlierStillThere.Add(_made.Any(Directory.Exists));
                await _inner.RestoreBackupAsync(url, database, force, ct);
                string path = Path.Combine(_dataDir, database, ".dolt", "noms");
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, "manifest"), "x");
                _made.Add(Path.Combine(_dataDir, database));
            }

            public void Dispose() => _inner.Dispose();
        }

        [Fact]
        public void Offline_a_non_empty_scratch_dir_is_refused_and_left_alone()
        {
            using var dir = new TempDir();
            string scratch = dir.Combine("scratch");
            Directory.CreateDirectory(scratch);
            File.WriteAllText(Path.Combine(scratch, "keep.txt"), "mine");
            var m = RestoreFixtures.Manifest(_dolt, null, "sales");

            Assert.Throws<System.ArgumentException>(() => new RestoreTester(_host).TestOffline(m, d => _dolt, new RestoreTestOptions { ScratchDataDir = scratch }, _ => { }));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(scratch, "keep.txt")));
            Assert.Empty(_dolt.Restores);
        }

        [Fact]
        public void FileCopy_sets_are_unpacked_verified_offline_and_deleted()
        {
            using var dir = new TempDir();
            string data = FileCopyTestSupport.CopyServerDataDir(dir);
            var m = FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(m, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.TarGzip });
            ManifestStore.Write(m);
            string scratch = dir.Combine("scratch");
            var results = new List<VerificationResult>();
            new RestoreTester(_host).TestFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreTestOptions { ScratchDataDir = scratch }, results.Add);

            Assert.Equal(new[] { "inventory", "sales" }, results.Select(r => r.Target).OrderBy(t => t));
            Assert.All(results, r => Assert.Equal(VerificationStatus.Passed, r.Status));
            Assert.False(Directory.Exists(scratch));
        }

        [Fact]
        public void A_damaged_FileCopy_archive_fails_and_the_scratch_dir_is_still_deleted()
        {
            using var dir = new TempDir();
            string data = FileCopyTestSupport.CopyServerDataDir(dir);
            var m = FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(m, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar });
            ManifestStore.Write(m);
            string archive = Directory.GetFiles(m.BackupFolder, "*.tar", SearchOption.AllDirectories).Single();
            var bytes = File.ReadAllBytes(archive);
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(archive, bytes);
            string scratch = dir.Combine("scratch");
            var results = new List<VerificationResult>();
            new RestoreTester(_host).TestFileCopy(ManifestStore.Read(m.BackupFolder), new RestoreTestOptions { ScratchDataDir = scratch }, results.Add);

            Assert.NotEmpty(results);
            Assert.All(results, r => Assert.Equal(VerificationStatus.Failed, r.Status));
            Assert.False(Directory.Exists(scratch));
        }
    }
}
