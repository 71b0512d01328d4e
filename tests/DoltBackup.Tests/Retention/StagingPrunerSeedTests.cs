using System;
using System.IO;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    /// <summary>
    /// The staging pruner keeps a -Versioned version's staging copy unless a newer version could seed the next run:
    /// the same rule as the seeding itself (a Completed -Versioned DoltBackup set of that name). A newer set of the same
    /// name that could not seed (another method, not versioned) must not let the seed go.
    /// </summary>
    public class StagingPrunerSeedTests
    {
        private static BackupManifest Staged(string root, string label, DateTime created, BackupMethod method, bool versioned)
        {
            string folder = Path.Combine(root, label);
            Directory.CreateDirectory(folder);
            var m = new BackupManifest
            {
                Id = label,
                Name = "prod",
                Method = method,
                CreatedUtc = created,
                Destination = new BackupDestination
                {
                    BackupFolder = folder,
                    BaseUrl = "file://" + folder,
                    Versioned = versioned,
                    SharedStores = versioned,
                },
            };
            m.Databases.Add(new DatabaseBackupItem { Name = "db1", Url = "file://" + Path.Combine(folder, "db1"), Status = ItemStatus.Completed });
            m.RefreshStatus();
            Assert.Equal(BackupStatus.Completed, m.Status);
            ManifestStore.Write(m);
            return m;
        }

        [Theory]
        [InlineData(BackupMethod.DoltBackup, false)]
        [InlineData(BackupMethod.Push, true)]
        public void A_newer_set_that_could_not_seed_the_next_version_does_not_let_the_seed_be_pruned(BackupMethod method, bool versioned)
        {
            using var dir = new TempDir();
            string root = dir.Combine("staging");
            var seed = Staged(root, "20261201T000000Z", DateTime.UtcNow.AddDays(-2), BackupMethod.DoltBackup, versioned: true);
            Staged(root, "20261202T000000Z", DateTime.UtcNow.AddDays(-1), method, versioned);

            Assert.Null(StagingPruner.For(seed, out string kept));
            Assert.Contains("no newer Completed version", kept);
        }

        [Fact]
        public void A_newer_versioned_set_lets_the_older_staging_copy_be_pruned()
        {
            using var dir = new TempDir();
            string root = dir.Combine("staging");
            var older = Staged(root, "20261201T000000Z", DateTime.UtcNow.AddDays(-2), BackupMethod.DoltBackup, versioned: true);
            Staged(root, "20261202T000000Z", DateTime.UtcNow.AddDays(-1), BackupMethod.DoltBackup, versioned: true);

            var pruner = StagingPruner.For(older, out string kept);
            Assert.Null(kept);
            Assert.NotNull(pruner);
            Assert.Equal("20261201T000000Z", pruner.Local.Id);
        }
    }
}
