#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using Xunit;

namespace DoltBackup.Tests.Backup
{
    public class BackupSyncServiceTests
    {
        internal sealed class Collector : ISyncObserver
        {
            public ConcurrentQueue<SyncEvent> Events { get; } = new ConcurrentQueue<SyncEvent>();
            public void OnEvent(SyncEvent e) => Events.Enqueue(e);
        }

        private static BackupManifest Sync(BackupTestBed bed, BackupManifest m, int throttle = 4, Collector c = null, CancellationToken ct = default, BackupSyncService service = null)
            => (service ?? new BackupSyncService(bed.Engine)).SyncAsync(m, new SyncOptions { ThrottleLimit = throttle }, c, ct).GetAwaiter().GetResult();

        [Fact]
        public void Syncs_many_databases_records_state_and_writes_a_Completed_manifest()
        {
            using var bed = new BackupTestBed(40);
            bed.Engine.Databases["db007"].Tags["v1"] = FakeDoltEngine.Hash("v1");
            var m = bed.Register();
            var c = new Collector();
            var service = new BackupSyncService(bed.Engine);
            Sync(bed, m, 8, c, service: service);

            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.All(m.Databases, d =>
            {
                Assert.Equal(ItemStatus.Completed, d.Status);
                Assert.Equal(new[] { "dev", "main" }, d.Branches.Select(b => b.Name));
                Assert.Equal(bed.Engine.Databases[d.Name].WorkingHash, d.WorkingSetHash);
                Assert.NotNull(d.DurationMs);
                Assert.NotNull(d.Bytes);
                var stored = bed.Engine.Storage.Get(d.Url);
                Assert.Equal(d.Name, stored.SourceDatabase);
            });
            Assert.Equal("v1", m.FindDatabase("db007").Tags.Single().Name);
            Assert.Equal("2.3.1", m.Source.DoltVersion);
            var onDisk = ManifestStore.Read(m.BackupFolder);
            Assert.Equal(BackupStatus.Completed, onDisk.Status);
            Assert.All(onDisk.Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
            Assert.True(service.ManifestWrites >= 2);
            Assert.Equal(40, c.Events.Count(e => e.Kind == SyncEventKind.DatabaseFinished));
            Assert.Equal(40, c.Events.Count(e => e.Kind == SyncEventKind.DatabaseStarted));
        }

        [Fact]
        public void One_failure_does_not_stop_the_others_and_the_status_is_PartiallyCompleted()
        {
            using var bed = new BackupTestBed(5);
            var m = bed.Register();
            bed.Engine.SyncFailures["db003"] = "could not set destination root to the same value as this database's root.";
            var c = new Collector();
            Sync(bed, m, 2, c);
            Assert.Equal(BackupStatus.PartiallyCompleted, m.Status);
            Assert.Equal(ItemStatus.Failed, m.FindDatabase("db003").Status);
            Assert.Contains("could not set destination root", m.FindDatabase("db003").Error);
            Assert.Equal(4, m.Databases.Count(d => d.Status == ItemStatus.Completed));
            Assert.Single(m.Errors);
            Assert.Equal("db003", m.Errors[0].Target);
            var failed = c.Events.Single(e => e.Kind == SyncEventKind.DatabaseFinished && e.Error != null);
            Assert.Equal("db003", failed.Database);
            Assert.Equal(BackupStatus.PartiallyCompleted, ManifestStore.Read(m.BackupFolder).Status);
        }

        [Fact]
        public void All_failing_is_Failed_and_a_later_good_sync_is_Completed_again()
        {
            using var bed = new BackupTestBed(3);
            var m = bed.Register();
            foreach (var db in m.DatabaseNames)
            {
                bed.Engine.SyncFailures[db] = "boom";
            }
            Sync(bed, m);
            Assert.Equal(BackupStatus.Failed, m.Status);
            bed.Engine.SyncFailures.Clear();
            Sync(bed, m);
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Empty(m.Errors);
        }

        [Fact]
        public void Throttle_limit_bounds_and_reaches_the_concurrency()
        {
            using var bed = new BackupTestBed(24);
            var m = bed.Register();
            bed.Engine.SyncLatency = TimeSpan.FromMilliseconds(60);
            Sync(bed, m, 6);
            Assert.Equal(6, bed.Engine.MaxConcurrentSyncs);
        }

        [Fact]
        public void Throttle_limit_of_one_runs_one_at_a_time()
        {
            using var bed = new BackupTestBed(5);
            var m = bed.Register();
            bed.Engine.SyncLatency = TimeSpan.FromMilliseconds(20);
            Sync(bed, m, 1);
            Assert.Equal(1, bed.Engine.MaxConcurrentSyncs);
        }

        [Fact]
        public void Cancellation_leaves_a_manifest_that_never_says_Completed()
        {
            using var bed = new BackupTestBed(30);
            var m = bed.Register();
            bed.Engine.SyncLatency = TimeSpan.FromMilliseconds(100);
            using var cts = new CancellationTokenSource();
            int started = 0;
            bed.Engine.SyncStarted += _ =>
            {
                if (Interlocked.Increment(ref started) == 6)
                {
                    cts.Cancel();
                }
            };
            Sync(bed, m, 3, ct: cts.Token);
            Assert.NotEqual(BackupStatus.Completed, m.Status);
            Assert.Contains(m.Databases, d => d.Status == ItemStatus.Skipped);
            Assert.DoesNotContain(m.Databases, d => d.Status == ItemStatus.Running || d.Status == ItemStatus.Pending);
            Assert.Contains(m.Errors, e => e.ErrorId == "DoltBackup.SyncStopped");
            var onDisk = ManifestStore.Read(m.BackupFolder);
            Assert.NotEqual(BackupStatus.Completed, onDisk.Status);
            Assert.Equal(m.Databases.Count(d => d.Status == ItemStatus.Completed), onDisk.Databases.Count(d => d.Status == ItemStatus.Completed));
            Assert.True(bed.Engine.SyncsStarted < 30);
        }

        [Fact]
        public void A_second_concurrent_sync_of_the_same_set_gets_a_clear_error()
        {
            using var bed = new BackupTestBed(2);
            var m = bed.Register();
            using var held = BackupSetLock.TryAcquire(m.BackupFolder);
            var e = Assert.Throws<DoltEngineException>(() => Sync(bed, m));
            Assert.Equal("BackupSetBusy", e.ErrorId);
            Assert.Empty(bed.Engine.CallsOf("sync"));
        }

        [Fact]
        public void The_set_lock_is_held_during_the_sync_and_released_after()
        {
            using var bed = new BackupTestBed(2);
            var m = bed.Register();
            bool heldDuring = false;
            bed.Engine.SyncStarted += _ => heldDuring |= BackupSetLock.IsHeld(m.BackupFolder);
            Sync(bed, m);
            Assert.True(heldDuring);
            Assert.False(BackupSetLock.IsHeld(m.BackupFolder));
        }

        [Fact]
        public void The_ownership_marker_is_checked_at_every_sync()
        {
            using var bed = new BackupTestBed(2);
            var m = bed.Register();
            Sync(bed, m);
            string store = BackupUrls.LocalPath(m.FindDatabase("db001").Url);
            OwnershipMarkerStore.Claim(store, new OwnershipMarker { Database = "intruder", BackupName = "nightly" });
            int syncsBefore = bed.Engine.CallsOf("sync db001").Count();
            Sync(bed, m);
            Assert.Equal(ItemStatus.Failed, m.FindDatabase("db001").Status);
            Assert.Contains("intruder", m.FindDatabase("db001").Error);
            Assert.Equal(syncsBefore, bed.Engine.CallsOf("sync db001").Count());
            Assert.Equal(ItemStatus.Completed, m.FindDatabase("db002").Status);
        }

        [Fact]
        public void Without_the_marker_Dolt_would_silently_overwrite_another_databases_backup()
        {
            // What the fake shows of Dolt: two databases synced into one URL, the second silently replaces the first.
            using var bed = new BackupTestBed(2);
            string shared = bed.BaseUrl + "/shared";
            bed.Engine.AddBackupAsync("db001", "a", shared, default).GetAwaiter().GetResult();
            bed.Engine.AddBackupAsync("db002", "b", shared, default).GetAwaiter().GetResult();
            bed.Engine.SyncBackupAsync("db001", "a", default).GetAwaiter().GetResult();
            bed.Engine.SyncBackupAsync("db002", "b", default).GetAwaiter().GetResult();
            Assert.Equal("db002", bed.Engine.Storage.Get(shared).SourceDatabase);

            // DoltBackup refuses the second database at that URL: the store is db001's.
            var m1 = new BackupManifest { Id = "x-a", Name = "a", Destination = new BackupDestination { BackupFolder = bed.Dir.Combine("s1") } };
            m1.Databases.Add(new DatabaseBackupItem { Name = "db001", BackupName = "a", Url = shared, Status = ItemStatus.Configured });
            OwnershipMarkerStore.Claim(BackupUrls.LocalPath(shared), new OwnershipMarker { Database = "db001", BackupName = "a" });
            var m2 = new BackupManifest { Id = "x-b", Name = "b", Destination = new BackupDestination { BackupFolder = bed.Dir.Combine("s2") } };
            m2.Databases.Add(new DatabaseBackupItem { Name = "db002", BackupName = "b", Url = shared, Status = ItemStatus.Configured });
            Sync(bed, m1);
            Sync(bed, m2);
            Assert.Equal(ItemStatus.Completed, m1.Databases[0].Status);
            Assert.Equal(ItemStatus.Failed, m2.Databases[0].Status);
            Assert.Equal("db001", bed.Engine.Storage.Get(shared).SourceDatabase);
        }

        [Fact]
        public void A_lost_registration_is_restored_and_a_repointed_name_is_refused()
        {
            using var bed = new BackupTestBed(2);
            var m = bed.Register();
            bed.Engine.Databases["db001"].Backups.Remove("nightly");
            bed.Engine.Databases["db002"].Backups["nightly"] = "file:///somewhere/else";
            Sync(bed, m);
            Assert.Equal(ItemStatus.Completed, m.FindDatabase("db001").Status);
            Assert.Equal(m.FindDatabase("db001").Url, bed.Engine.Databases["db001"].Backups["nightly"]);
            Assert.Equal(ItemStatus.Failed, m.FindDatabase("db002").Status);
            Assert.Contains(m.Errors, e => e.ErrorId == "DoltBackup.BackupNameConflict");
        }

        [Fact]
        public void An_older_versioned_set_is_not_synced_into_the_newer_ones_urls()
        {
            using var bed = new BackupTestBed(1);
            var t = new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc);
            var old = bed.Register(bed.Request(r => { r.Versioned = true; r.NowUtc = t; }));
            var newer = bed.Register(bed.Request(r => { r.Versioned = true; r.NowUtc = t.AddDays(1); }));
            Sync(bed, newer);
            Sync(bed, old);
            Assert.Equal(BackupStatus.Completed, newer.Status);
            Assert.Equal(BackupStatus.Failed, old.Status);
            Assert.Null(bed.Engine.Storage.Get(old.Databases[0].Url));
        }

        [Fact]
        public void An_unreachable_server_is_one_set_level_error_and_a_Failed_manifest()
        {
            using var bed = new BackupTestBed(3);
            var m = bed.Register();
            bed.Engine.Unreachable = true;
            var e = Assert.Throws<DoltEngineException>(() => Sync(bed, m));
            Assert.True(e.IsConnectionLevel);
            Assert.Equal(BackupStatus.Failed, ManifestStore.Read(m.BackupFolder).Status);
        }

        [Fact]
        public void Databases_left_out_are_Skipped_never_Completed()
        {
            using var bed = new BackupTestBed(3);
            var m = bed.Register();
            new BackupSyncService(bed.Engine).SyncAsync(m, new SyncOptions { Databases = new HashSet<string> { "db002" } }, null, default).GetAwaiter().GetResult();
            Assert.Equal(ItemStatus.Completed, m.FindDatabase("db002").Status);
            Assert.Equal(ItemStatus.Skipped, m.FindDatabase("db001").Status);
            Assert.Equal(BackupStatus.PartiallyCompleted, m.Status);
        }

        [Fact]
        public void Push_pushes_every_branch_and_warns_that_only_committed_data_travels()
        {
            using var bed = new BackupTestBed(2);
            foreach (var db in bed.Engine.Databases.Values)
            {
                db.Remotes["origin"] = "https://doltremoteapi.dolthub.com/org/x";
            }
            bed.Engine.Databases["db002"].Remotes.Clear();
            var m = bed.Register(bed.Request(r => { r.Method = BackupMethod.Push; r.Remote = "origin"; r.BaseUrl = null; r.BackupFolder = bed.Dir.Combine("push"); }));
            Assert.Single(m.Databases); // db002 has no such remote: not part of the set
            var c = new Collector();
            Sync(bed, m, c: c);
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(new[] { "push db001 origin dev", "push db001 origin main" }, bed.Engine.CallsOf("push").OrderBy(x => x));
            Assert.Contains(c.Events, e => e.Kind == SyncEventKind.Warning && e.Message.Contains("committed data only"));
        }

        [Fact]
        public void A_method_without_a_runner_is_refused()
        {
            using var bed = new BackupTestBed(1);
            var m = bed.Register();
            m.Method = BackupMethod.EbsSnapshot;
            var e = Assert.Throws<DoltEngineException>(() => Sync(bed, m));
            Assert.Equal("MethodNotAvailable", e.ErrorId);
        }

        [Fact]
        public void Extra_runners_plug_in_by_method()
        {
            using var bed = new BackupTestBed(2);
            var m = bed.Register();
            m.Method = BackupMethod.FileCopy;
            var runner = new CountingRunner();
            Sync(bed, m, service: new BackupSyncService(bed.Engine, new[] { runner }));
            Assert.Equal(2, runner.Items);
            Assert.Equal(BackupStatus.Completed, m.Status);
        }

        private sealed class CountingRunner : IBackupMethodRunner
        {
            public int Items;
            public BackupMethod Method => BackupMethod.FileCopy;
            public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
                => context.RunItemsAsync((item, ct) => { Interlocked.Increment(ref Items); return Task.FromResult(new ItemOutcome()); }, cancellationToken);
        }
    }
}
