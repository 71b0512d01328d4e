using System;
using System.IO;
using System.Linq;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Linking;
using Xunit;

namespace DoltBackup.Tests.Backup
{
    /// <summary>Sync's seeding of -Versioned file:// stores: where it seeds from, and what it does when it cannot link.</summary>
    public class VersionSeedingTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 20, 2, 0, 0, DateTimeKind.Utc);

        private static BackupTestBed BedWithData()
        {
            var bed = new BackupTestBed(3);
            foreach (var db in bed.Engine.Databases.Values)
            {
                db.Commit(50_000);
            }
            return bed;
        }

        private static BackupManifest SyncVersion(BackupTestBed bed, DateTime at, string name = "nightly", BackupSyncServiceTests.Collector observer = null, IBackupMethodRunner runner = null)
        {
            var m = bed.Register(bed.Request(r => { r.Versioned = true; r.NowUtc = at; r.Name = name; }));
            var service = new BackupSyncService(bed.Engine, runner == null ? null : new[] { runner });
            service.SyncAsync(m, new SyncOptions(), observer, default).GetAwaiter().GetResult();
            return ManifestStore.Read(m.ManifestPath);
        }

        private static string Store(BackupManifest set, string db) => BackupUrls.LocalPath(set.FindDatabase(db).Url);

        [Fact]
        public void When_no_link_can_be_made_the_stores_are_copied_with_one_warning_and_the_backup_completes()
        {
            using var bed = BedWithData();
            var v1 = SyncVersion(bed, T0);
            var observer = new BackupSyncServiceTests.Collector();
            var linker = new FailingLinker();
            var v2 = SyncVersion(bed, T0.AddHours(1), observer: observer, runner: new DoltBackupMethodRunner(linker));

            Assert.Equal(BackupStatus.Completed, v2.Status);
            Assert.Single(observer.Events, e => e.Kind == SyncEventKind.Warning);
            Assert.Single(v2.Warnings, w => w.Contains("Hard links cannot be made") && w.Contains("cross-device"));
            foreach (var item in v2.Databases)
            {
                Assert.Equal(StoreSeedMethod.Copy, item.Seed.Method);
                Assert.Equal(v1.Id, item.Seed.FromSet);
                Assert.Equal(0, item.Seed.LinkedFiles);
                Assert.Equal(item.Bytes, item.NewBytes);
                foreach (var f in Directory.GetFiles(Store(v2, item.Name)))
                {
                    Assert.Equal(1, FileIdentity.Links(f));
                }
            }
            Assert.Equal(3, linker.Calls); // one attempt per store, then copies
        }

        [Fact]
        public void Versions_of_another_backup_name_under_the_same_base_are_never_shared()
        {
            using var bed = BedWithData();
            SyncVersion(bed, T0, name: "weekly");
            var nightly = SyncVersion(bed, T0.AddHours(1));
            Assert.All(nightly.Databases, d => Assert.Equal(StoreSeedMethod.FullSync, d.Seed.Method));
            Assert.All(nightly.Databases, d => Assert.Null(d.Seed.FromSet));
        }

        [Fact]
        public void A_previous_store_marked_for_another_database_is_not_shared()
        {
            using var bed = BedWithData();
            var v1 = SyncVersion(bed, T0);
            string marker = OwnershipMarkerStore.MarkerPath(Store(v1, "db002"));
            File.WriteAllText(marker, File.ReadAllText(marker).Replace("db002", "db999"));
            var v2 = SyncVersion(bed, T0.AddHours(1));
            Assert.Equal(StoreSeedMethod.HardLink, v2.FindDatabase("db001").Seed.Method);
            Assert.Equal(StoreSeedMethod.FullSync, v2.FindDatabase("db002").Seed.Method);
            Assert.Contains("not marked", v2.FindDatabase("db002").Seed.Note);
            Assert.Equal(BackupStatus.Completed, v2.Status);
        }

        [Fact]
        public async System.Threading.Tasks.Task Sets_that_are_not_versioned_record_no_seed_and_no_new_bytes()
        {
            using var bed = BedWithData();
            var m = bed.Register();
            await new BackupSyncService(bed.Engine).SyncAsync(m, new SyncOptions(), null, default);
            Assert.All(m.Databases, d => Assert.Null(d.Seed));
            Assert.All(m.Databases, d => Assert.Null(d.NewBytes));
            Assert.All(m.Databases, d => Assert.True(d.Bytes > 50_000));
        }
    }
}
