using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Catalog;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    public class BackupSetRemoverTests
    {
        private static readonly DateTime Now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

        /// <summary>Records the snapshots it is asked to delete; fails for the ids it is told to.</summary>
        private sealed class RecordingSnapshotDeleter : ISnapshotDeleter
        {
            public List<string> Deleted { get; } = new List<string>();
            public HashSet<string> FailFor { get; } = new HashSet<string>();

            public void DeleteSnapshot(VolumeSnapshot snapshot)
            {
                if (FailFor.Contains(snapshot.SnapshotId))
                {
                    throw new InvalidOperationException("InvalidSnapshot.InUse: snapshot is in use by ami-1");
                }
                Deleted.Add(snapshot.SnapshotId);
            }
        }

        /// <summary>Records the registrations it is asked to remove.</summary>
        private sealed class RecordingUnregistrar : IBackupUnregistrar
        {
            public List<string> Removed { get; } = new List<string>();

            public void Unregister(string database, string backupName) => Removed.Add(database + "/" + backupName);
        }

        /// <summary>A versioned set whose databases live at base/label/db (file://), made like Sync -Versioned would.</summary>
        private static BackupManifest AddVersioned(BackupRootBuilder b, string dataBase, TimeSpan age, string layout = "{base}/{label}/{db}")
        {
            return b.Add("prod", age, BackupStatus.Completed, customize: m =>
            {
                string label = m.Id.Substring(0, 16);
                m.Destination.Versioned = true;
                m.Destination.BaseUrl = "file://" + dataBase;
                foreach (var db in m.Databases)
                {
                    string path = layout.Replace("{base}", dataBase).Replace("{label}", label).Replace("{db}", db.Name);
                    db.Url = "file://" + path;
                    Directory.CreateDirectory(path);
                    File.WriteAllText(Path.Combine(path, "manifest"), "5:__DOLT__:x");
                }
            });
        }

        private static BackupRemovalResult Remove(BackupSetRemover remover, BackupManifest set, IEnumerable<BackupManifest> all, out RemovalFailure failure)
            => remover.Remove(set, "test", all.Where(s => !ReferenceEquals(s, set)).ToList(), out failure);

        [Fact]
        public void Deleting_a_versioned_file_set_deletes_its_folder_and_the_data_it_alone_owns()
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            var old = AddVersioned(b, data, TimeSpan.FromDays(3));
            var kept = AddVersioned(b, data, TimeSpan.FromDays(1));
            var remover = new BackupSetRemover(null, null, unregister: false);

            var result = Remove(remover, old, b.Sets, out var failure);

            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Deleted, result.Action);
            Assert.False(Directory.Exists(old.BackupFolder));
            Assert.Equal(old.Databases.Select(d => d.Url.Substring("file://".Length)).OrderBy(x => x), result.DataPaths.OrderBy(x => x));
            Assert.All(old.Databases, d => Assert.False(Directory.Exists(d.Url.Substring("file://".Length))));
            Assert.True(Directory.Exists(kept.BackupFolder));
            Assert.All(kept.Databases, d => Assert.True(File.Exists(Path.Combine(d.Url.Substring("file://".Length), "manifest"))));
            Assert.False(Directory.Exists(Path.Combine(data, old.Id.Substring(0, 16))), "the emptied version folder goes too");
            Assert.True(Directory.Exists(data));
        }

        [Fact]
        public void Data_shared_with_a_set_that_stays_is_never_deleted()
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            var old = AddVersioned(b, data, TimeSpan.FromDays(3));
            // A later set whose db0 points into the old set's version folder (a copy, an edit by hand: it uses that data).
            var sharer = b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, customize: m =>
            {
                m.Destination.Versioned = true;
                m.Destination.BaseUrl = "file://" + data;
                m.Databases[0].Url = old.Databases[0].Url;
                m.Databases[1].Url = "file://" + Path.Combine(data, m.Id.Substring(0, 16), "db1");
                Directory.CreateDirectory(Path.Combine(data, m.Id.Substring(0, 16), "db1"));
            });
            var remover = new BackupSetRemover(null, null, unregister: false);

            var result = Remove(remover, old, b.Sets, out var failure);

            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Deleted, result.Action);
            string shared = old.Databases[0].Url.Substring("file://".Length);
            Assert.True(File.Exists(Path.Combine(shared, "manifest")));
            Assert.False(Directory.Exists(old.Databases[1].Url.Substring("file://".Length)));
            Assert.Contains(result.LeftInPlace, l => l.Contains(old.Databases[0].Url) && l.Contains(sharer.Id));

            // When the sharer goes too, its own version's data goes; the old version's data is not the sharer's to delete.
            var second = Remove(remover, sharer, new BackupManifest[0], out failure);
            Assert.Null(failure);
            Assert.Equal(new[] { sharer.Databases[1].Url.Substring("file://".Length) }, second.DataPaths);
            Assert.False(Directory.Exists(sharer.Databases[1].Url.Substring("file://".Length)));
            Assert.True(File.Exists(Path.Combine(shared, "manifest")));
            Assert.Contains(second.LeftInPlace, l => l.Contains(old.Databases[0].Url) && l.Contains("version"));
        }

        [Fact]
        public void Data_that_the_manifest_does_not_own_stays()
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            string outside = dir.Combine("elsewhere", "db0");
            Directory.CreateDirectory(outside);
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            // Not versioned: every sync writes to the same URL.
            var plain = b.Add("prod", TimeSpan.FromDays(5), BackupStatus.Completed, customize: m =>
            {
                m.Destination.BaseUrl = "file://" + data;
                m.Databases[0].Url = "file://" + Path.Combine(data, "db0");
                Directory.CreateDirectory(Path.Combine(data, "db0"));
            });
            // Versioned, but one URL outside the base and one without the set's version in its path.
            var odd = b.Add("prod", TimeSpan.FromDays(4), BackupStatus.Completed, customize: m =>
            {
                m.Destination.Versioned = true;
                m.Destination.BaseUrl = "file://" + data;
                m.Databases[0].Url = "file://" + outside;
                m.Databases[1].Url = "file://" + Path.Combine(data, "current", "db1");
                Directory.CreateDirectory(Path.Combine(data, "current", "db1"));
            });
            // Versioned to a remote store.
            var remote = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed, customize: m =>
            {
                m.Destination.Versioned = true;
                m.Destination.BaseUrl = "aws://[table:bucket]/prod";
                m.Databases[0].Url = "aws://[table:bucket]/prod/" + m.Id.Substring(0, 16) + "/db0";
            });
            var remover = new BackupSetRemover(null, null, unregister: false);

            foreach (var set in new[] { plain, odd, remote })
            {
                var result = Remove(remover, set, new BackupManifest[0], out var failure);
                Assert.Null(failure);
                Assert.Equal(BackupRemovalAction.Deleted, result.Action);
                Assert.Empty(result.DataPaths);
                Assert.False(Directory.Exists(set.BackupFolder));
            }
            Assert.True(Directory.Exists(Path.Combine(data, "db0")));
            Assert.True(Directory.Exists(outside));
            Assert.True(Directory.Exists(Path.Combine(data, "current", "db1")));
        }

        [Fact]
        public void A_locked_set_is_skipped_and_left_whole()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            var set = AddVersioned(b, dir.Combine("data"), TimeSpan.FromDays(3));
            using var held = BackupSetLock.TryAcquire(set.BackupFolder);

            var result = Remove(new BackupSetRemover(null, null, false), set, b.Sets, out var failure);

            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Skipped, result.Action);
            Assert.Contains("lock", result.Reason);
            Assert.True(File.Exists(set.ManifestPath));
            Assert.All(set.Databases, d => Assert.True(Directory.Exists(d.Url.Substring("file://".Length))));
        }

        [Fact]
        public void An_ebs_set_without_the_snapshot_service_fails_and_stays()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            var set = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed, BackupMethod.EbsSnapshot, m =>
            {
                m.Databases.Clear();
                m.Snapshots.Add(new VolumeSnapshot { SnapshotId = "snap-0a", VolumeId = "vol-1", Status = ItemStatus.Completed });
            });

            var result = Remove(new BackupSetRemover(null, null, false), set, b.Sets, out var failure);
            Assert.Equal(BackupRemovalAction.Failed, result.Action);
            Assert.Equal("SnapshotServiceUnavailable", failure.ErrorId);
            Assert.True(File.Exists(set.ManifestPath));

            var factoryWithoutService = new BackupSetRemover(_ => null, null, false);
            Assert.Equal(BackupRemovalAction.Failed, Remove(factoryWithoutService, set, b.Sets, out failure).Action);
            Assert.True(File.Exists(set.ManifestPath));
        }

        [Fact]
        public void Ebs_snapshots_are_deleted_through_the_service_and_a_failure_keeps_the_set()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            BackupManifest Ebs(int days, params string[] snaps) => b.Add("prod", TimeSpan.FromDays(days), BackupStatus.Completed, BackupMethod.EbsSnapshot, m =>
            {
                m.Databases.Clear();
                m.Snapshots.AddRange(snaps.Select(s => new VolumeSnapshot { SnapshotId = s, Status = ItemStatus.Completed }));
            });
            var a = Ebs(3, "snap-1", "snap-2");
            var c = Ebs(2, "snap-3");
            var deleter = new RecordingSnapshotDeleter();
            deleter.FailFor.Add("snap-3");
            var remover = new BackupSetRemover(_ => deleter, null, false);

            var ok = Remove(remover, a, b.Sets, out var failure);
            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Deleted, ok.Action);
            Assert.Equal(new[] { "snap-1", "snap-2" }, deleter.Deleted);
            Assert.False(Directory.Exists(a.BackupFolder));

            var bad = Remove(remover, c, b.Sets, out failure);
            Assert.Equal(BackupRemovalAction.Failed, bad.Action);
            Assert.Equal("SnapshotDeleteFailed", failure.ErrorId);
            Assert.Contains("InUse", failure.Exception.Message);
            Assert.True(File.Exists(c.ManifestPath));
        }

        [Fact]
        public void Unregister_removes_registrations_no_kept_set_uses_and_fails_without_the_service()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            var old = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed, customize: m =>
            {
                m.Databases[0].BackupName = "prod_" + m.Id.Substring(0, 16);
                m.Databases[1].BackupName = "prod";
            });
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, customize: m => m.Databases[1].BackupName = "prod");

            var without = Remove(new BackupSetRemover(null, null, unregister: true), old, b.Sets, out var failure);
            Assert.Equal(BackupRemovalAction.Failed, without.Action);
            Assert.Equal("UnregisterServiceUnavailable", failure.ErrorId);
            Assert.True(File.Exists(old.ManifestPath));

            var unregistrar = new RecordingUnregistrar();
            var result = Remove(new BackupSetRemover(null, _ => unregistrar, unregister: true), old, b.Sets, out failure);
            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Deleted, result.Action);
            Assert.Equal(new[] { "db0/prod_" + old.Id.Substring(0, 16) }, unregistrar.Removed);
            Assert.Contains(result.LeftInPlace, l => l.Contains("registration 'prod'"));
        }

        [Fact]
        public void A_folder_that_holds_data_another_set_uses_is_not_deleted()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            var old = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed);
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, customize: m => m.Databases[0].Url = "file://" + Path.Combine(old.BackupFolder, "data", "db0"));

            var result = Remove(new BackupSetRemover(null, null, false), old, b.Sets, out var failure);

            Assert.Equal(BackupRemovalAction.Failed, result.Action);
            Assert.Equal("BackupFolderShared", failure.ErrorId);
            Assert.True(File.Exists(old.ManifestPath));
        }

        [Fact]
        public void File_urls_become_local_paths_only_when_absolute()
        {
            Assert.True(LocalPath.TryFromFileUrl("file:///srv/backups/a%20b/db", out var p));
            Assert.Equal(Path.GetFullPath("/srv/backups/a b/db"), p);
            Assert.False(LocalPath.TryFromFileUrl("file://relative/db", out _));
            Assert.False(LocalPath.TryFromFileUrl("file:///srv/../etc", out _));
            Assert.False(LocalPath.TryFromFileUrl("aws://[t:b]/db", out _));
            Assert.True(LocalPath.IsStrictlyUnder("/srv/a/b", "/srv/a"));
            Assert.False(LocalPath.IsStrictlyUnder("/srv/ab", "/srv/a"));
            Assert.False(LocalPath.IsStrictlyUnder("/srv/a", "/srv/a/"));
        }

        [Theory]
        [InlineData("{base}/{label}/{db}", true)]
        [InlineData("{base}/{label}-prod/{db}", true)]
        [InlineData("{base}/{db}/{label}", true)]
        [InlineData("{base}/{db}_{label}", true)]
        [InlineData("{base}/x{label}y/{db}", false)]
        [InlineData("{base}/{db}", false)]
        public void Data_is_owned_only_when_a_folder_below_the_base_is_the_sets_version(string layout, bool owned)
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            var set = AddVersioned(b, dir.Combine("data"), TimeSpan.FromDays(1), layout);

            var described = BackupDataOwnership.Describe(set, new BackupManifest[0], unregister: false);

            Assert.Equal(owned ? 2 : 0, described.DataPaths.Count);
            Assert.Equal(owned ? 0 : 2, described.LeftInPlace.Count);
        }

        [Fact]
        public void A_file_system_root_as_base_url_owns_nothing()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Combine("root"), Now);
            var set = AddVersioned(b, dir.Combine("data"), TimeSpan.FromDays(1));
            set.Destination.BaseUrl = "file:///";

            Assert.Empty(BackupDataOwnership.Describe(set, new BackupManifest[0], unregister: false).DataPaths);
        }
    }
}
