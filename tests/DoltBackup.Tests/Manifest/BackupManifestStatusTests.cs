using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Manifest
{
    public class BackupManifestStatusTests
    {
        private static BackupManifest With(params ItemStatus[] states)
        {
            var m = new BackupManifest();
            int i = 0;
            foreach (var s in states)
            {
                m.Databases.Add(new DatabaseBackupItem { Name = "db" + i++, Status = s });
            }
            return m;
        }

        [Fact]
        public void Completed_only_when_every_item_completed()
        {
            Assert.Equal(BackupStatus.Completed, With(ItemStatus.Completed, ItemStatus.Completed).RefreshStatus());
        }

        [Fact]
        public void A_skipped_item_is_never_success()
        {
            Assert.Equal(BackupStatus.PartiallyCompleted, With(ItemStatus.Completed, ItemStatus.Skipped).RefreshStatus());
            Assert.Equal(BackupStatus.Failed, With(ItemStatus.Skipped).RefreshStatus());
        }

        [Fact]
        public void Failures_make_the_set_partial_or_failed()
        {
            Assert.Equal(BackupStatus.PartiallyCompleted, With(ItemStatus.Completed, ItemStatus.Failed).RefreshStatus());
            Assert.Equal(BackupStatus.Failed, With(ItemStatus.Failed, ItemStatus.Failed).RefreshStatus());
        }

        [Fact]
        public void An_interrupted_sync_reads_as_running_never_completed()
        {
            Assert.Equal(BackupStatus.Running, With(ItemStatus.Completed, ItemStatus.Running).RefreshStatus());
            // Items never started after an interruption keep the set from saying Completed.
            Assert.Equal(BackupStatus.PartiallyCompleted, With(ItemStatus.Completed, ItemStatus.Configured).RefreshStatus());
        }

        [Fact]
        public void Registered_items_leave_the_set_configured()
        {
            Assert.Equal(BackupStatus.Configured, With(ItemStatus.Configured, ItemStatus.Configured).RefreshStatus());
            Assert.Equal(BackupStatus.Configured, new BackupManifest().RefreshStatus());
        }

        [Fact]
        public void A_set_level_error_blocks_completed()
        {
            var m = With(ItemStatus.Completed);
            m.AddError("set", "DoltBackup.X", "something failed");
            Assert.Equal(BackupStatus.PartiallyCompleted, m.RefreshStatus());
        }

        [Fact]
        public void Artifacts_and_snapshots_count_as_items()
        {
            var m = With(ItemStatus.Completed);
            m.Artifacts.Add(new BackupArtifact { Status = ItemStatus.Failed });
            Assert.Equal(BackupStatus.PartiallyCompleted, m.RefreshStatus());
            var s = With(ItemStatus.Completed);
            s.Snapshots.Add(new VolumeSnapshot { Status = ItemStatus.Running });
            Assert.Equal(BackupStatus.Running, s.RefreshStatus());
        }

        [Fact]
        public void Ids_sort_by_time_and_read_back()
        {
            string a = BackupId.Create("prod", new System.DateTime(2026, 1, 2, 3, 4, 5, System.DateTimeKind.Utc));
            string b = BackupId.Create("prod", new System.DateTime(2026, 11, 2, 3, 4, 5, System.DateTimeKind.Utc));
            Assert.Equal("20260102T030405Z-prod", a);
            Assert.True(string.CompareOrdinal(a, b) < 0);
            Assert.Equal(new System.DateTime(2026, 1, 2, 3, 4, 5, System.DateTimeKind.Utc), BackupId.TryParseTime(a));
            Assert.Null(BackupId.TryParseTime("garbage"));
        }

        [Theory]
        [InlineData("prod", true)]
        [InlineData("prod_2-b", true)]
        [InlineData("a.b", false)]
        [InlineData("a/b", false)]
        [InlineData("", false)]
        [InlineData("has space", false)]
        public void Backup_names_follow_Dolts_rules(string name, bool valid)
        {
            Assert.Equal(valid, BackupId.IsValidName(name));
        }
    }
}
