using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Verification
{
    /// <summary>The real file:// backups made by dolt_backup('sync') (archive v3), and path detection.</summary>
    public class BareStoreTests
    {
        private readonly ITestOutputHelper _out;

        public BareStoreTests(ITestOutputHelper output) => _out = output;

        [Theory]
        [InlineData("sales", 16)]
        [InlineData("inventory", 10)]
        public void Real_file_backups_pass_structure_and_deep(string db, int chunks)
        {
            using var dir = new TempDir();
            string store = dir.Combine(db);
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", db), store);
            Assert.Equal(BackupTargetKind.BareStore, BackupVerifier.DetectKind(store));
            var results = FixtureStores.Verify(store, deep: true);
            _out.WriteLine(FixtureStores.Describe(results));
            FixtureStores.AssertNoFailure(results);
            Assert.Contains(results, r => r.Check == "Archive.Footer" && r.Message.Contains($"version 3, {chunks} chunks"));
            Assert.Contains(results, r => r.Check == "Archive.Chunks" && r.Status == VerificationStatus.Passed);
            Assert.All(results, r => Assert.Equal(db, r.Target));
        }

        [Fact]
        public void A_data_dir_with_its_databases_and_stats_stores_passes()
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), data);
            Assert.Equal(BackupTargetKind.DataDirectory, BackupVerifier.DetectKind(data));
            Assert.Equal(BackupTargetKind.DoltDirectory, BackupVerifier.DetectKind(Path.Combine(data, "sales", ".dolt")));
            var results = FixtureStores.Verify(data, deep: true);
            _out.WriteLine(FixtureStores.Describe(results));
            FixtureStores.AssertNoFailure(results);
            var targets = results.Select(r => r.Target).Distinct().ToList();
            Assert.Contains("sales", targets);
            Assert.Contains("inventory", targets);
            Assert.Contains("sales (stats)", targets);
        }

        [Fact]
        public void An_unknown_path_is_refused_with_a_clear_message()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.Combine("notes.txt"), "x");
            var e = Assert.Throws<VerificationTargetException>(() => BackupVerifier.VerifyPath(dir.Path));
            Assert.Contains("not a backup folder", e.Message);
            Assert.Throws<VerificationTargetException>(() => BackupVerifier.VerifyPath(dir.Combine("missing")));
        }

        [Theory]
        [InlineData("file:///srv/dolt/backups/sales", "/srv/dolt/backups/sales")]
        [InlineData("aws://[table:bucket]/db", null)]
        public void File_urls_map_to_local_paths(string url, string expected)
        {
            if (System.OperatingSystem.IsWindows())
            {
                return;
            }
            Assert.Equal(expected, BackupVerifier.FileUrlToPath(url));
        }
    }
}
