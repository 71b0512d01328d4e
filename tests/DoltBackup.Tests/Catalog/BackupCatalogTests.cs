using System;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Catalog;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Catalog
{
    public class BackupCatalogTests
    {
        private static readonly DateTime Now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void Lists_hundreds_of_sets_newest_first_exactly_as_ManifestStore_reads_them()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            // Written in a shuffled order so that the order on disk says nothing.
            foreach (int i in Enumerable.Range(0, 300).OrderBy(i => (i * 7919) % 300))
            {
                b.Add(i % 3 == 0 ? "prod" : "staging", TimeSpan.FromHours(i * 3 + 1), BackupRootBuilder.MixedStatus(i));
            }

            var listing = BackupCatalog.ListRoot(dir.Path);

            Assert.Empty(listing.Problems);
            Assert.Empty(listing.FoldersWithoutManifest);
            Assert.Equal(300, listing.Sets.Count);
            var expectedOrder = b.Sets.OrderByDescending(s => s.CreatedUtc).Select(s => s.Id).ToList();
            Assert.Equal(expectedOrder, listing.Sets.Select(s => s.Id).ToList());
            foreach (var s in listing.Sets.Take(40))
            {
                var canonical = ManifestStore.Read(s.BackupFolder);
                Assert.Equal(ManifestStore.ToJson(canonical), ManifestStore.ToJson(s));
                Assert.Equal(Path.Combine(dir.Path, s.Id), s.BackupFolder);
            }
            Assert.Equal(b.Sets.Count(s => s.Status == BackupStatus.Failed), listing.Sets.Count(s => s.Status == BackupStatus.Failed));
        }

        [Fact]
        public void Bad_and_foreign_manifests_become_problems_with_the_canonical_messages_and_do_not_stop_the_listing()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed);
            b.Add("prod", TimeSpan.FromDays(2), BackupStatus.Failed);
            WriteFolder(dir, "broken", "{ \"schemaVersion\": 1, \"id\": ");
            WriteFolder(dir, "foreign", "{ \"name\": \"not ours\" }");
            WriteFolder(dir, "array", "[1, 2, 3]");
            WriteFolder(dir, "future", "{ \"schemaVersion\": 99, \"id\": \"x\" }");
            WriteFolder(dir, "wrongtype", "{ \"schemaVersion\": 1, \"databases\": \"oops\" }");
            Directory.CreateDirectory(dir.Combine("lost+found"));
            File.WriteAllText(dir.Combine("README.txt"), "not a set");

            var listing = BackupCatalog.ListRoot(dir.Path);

            Assert.Equal(2, listing.Sets.Count);
            Assert.Equal(new[] { "array", "broken", "foreign", "future", "wrongtype" }, listing.Problems.Select(p => Path.GetFileName(Path.GetDirectoryName(p.Path))).ToArray());
            foreach (var p in listing.Problems)
            {
                var canonical = Assert.Throws<ManifestSchemaException>(() => ManifestStore.Read(p.Path));
                Assert.IsType<ManifestSchemaException>(p.Error);
                Assert.Equal(canonical.Message, p.Error.Message);
            }
            Assert.Contains("Update the module", listing.Problems.Single(p => p.Path.Contains("future")).Error.Message);
            Assert.Equal(new[] { dir.Combine("lost+found") }, listing.FoldersWithoutManifest.ToArray());
        }

        [Fact]
        public void The_fast_reader_accepts_what_ManifestStore_accepts_bom_comments_and_trailing_commas()
        {
            using var dir = new TempDir();
            var m = new BackupManifest { Id = BackupId.Create("prod", Now), Name = "prod", CreatedUtc = Now, Destination = new BackupDestination { BackupFolder = dir.Combine("s1") } };
            m.Databases.Add(new DatabaseBackupItem { Name = "a", Status = ItemStatus.Completed });
            string json = ManifestStore.ToJson(m);
            string tweaked = "// written by hand\n" + json.Replace("\"schemaVersion\": 1,", "\"schemaVersion\": 1, /* c */").TrimEnd().TrimEnd('}') + ",\n}";
            Directory.CreateDirectory(dir.Combine("s1"));
            File.WriteAllBytes(dir.Combine("s1", "manifest.json"), Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(tweaked)).ToArray());

            var fast = ManifestFileReader.Read(dir.Combine("s1", "manifest.json"));
            var canonical = ManifestStore.Read(dir.Combine("s1"));

            Assert.Equal(ManifestStore.ToJson(canonical), ManifestStore.ToJson(fast));
            Assert.Equal("a", fast.Databases.Single().Name);
            Assert.NotNull(fast.Snapshots);
            Assert.NotNull(fast.Errors);
        }

        [Fact]
        public void Sets_without_a_label_in_their_id_sort_by_createdUtc_and_ties_by_id()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            b.Add("prod", TimeSpan.FromHours(5), BackupStatus.Completed, id: "manual-copy");
            b.Add("prod", TimeSpan.FromHours(1), BackupStatus.Completed);
            b.Add("prod", TimeSpan.FromHours(9), BackupStatus.Completed, id: "a-tie");
            b.Add("prod", TimeSpan.FromHours(9), BackupStatus.Completed, id: "b-tie");

            var ids = BackupCatalog.ListRoot(dir.Path).Sets.Select(s => s.Id).ToArray();

            Assert.Equal(new[] { BackupId.Create("prod", Now.AddHours(-1)), "manual-copy", "b-tie", "a-tie" }, ids);
        }

        [Fact]
        public void Filters_by_name_or_id_wildcards_status_since_and_last()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            for (int i = 0; i < 30; i++)
            {
                b.Add(i % 2 == 0 ? "prod" : "staging", TimeSpan.FromDays(i), i % 5 == 4 ? BackupStatus.Failed : BackupStatus.Completed);
            }
            var all = BackupCatalog.ListRoot(dir.Path).Sets;

            var prod = new CatalogFilter { Name = new[] { "PR*" } }.Apply(all).ToList();
            Assert.Equal(15, prod.Count);
            Assert.All(prod, s => Assert.Equal("prod", s.Name));

            var byId = new CatalogFilter { Name = new[] { BackupId.Label(Now.AddDays(-3)) + "*" } }.Apply(all).Single();
            Assert.Equal(BackupId.Create("staging", Now.AddDays(-3)), byId.Id);

            var failed = new CatalogFilter { Status = new[] { BackupStatus.Failed } }.Apply(all).Select(s => s.Id).ToList();
            Assert.Equal(new[] { 4, 9, 14, 19, 24, 29 }.Select(i => BackupId.Create(i % 2 == 0 ? "prod" : "staging", Now.AddDays(-i))).ToList(), failed);

            var since = new CatalogFilter { Since = Now.AddDays(-10) }.Apply(all).ToList();
            Assert.Equal(11, since.Count); // days 0..10, the boundary included

            var lastTwoCompletedStaging = new CatalogFilter { Name = new[] { "staging" }, Status = new[] { BackupStatus.Completed }, Last = 2 }.Apply(all).Select(s => s.Id).ToList();
            Assert.Equal(new[] { BackupId.Create("staging", Now.AddDays(-1)), BackupId.Create("staging", Now.AddDays(-3)) }, lastTwoCompletedStaging);
        }

        [Fact]
        public void Size_sums_database_bytes_and_captured_files_and_is_null_when_nothing_is_recorded()
        {
            var m = new BackupManifest();
            Assert.Null(BackupSetSize.Of(m));
            m.Databases.Add(new DatabaseBackupItem { Name = "a", Bytes = 1000 });
            m.Databases.Add(new DatabaseBackupItem { Name = "b" });
            m.Artifacts.Add(new BackupArtifact { StoredPath = "config.yaml", Size = 24 });
            Assert.Equal(1024, BackupSetSize.Of(m));
        }

        [Fact]
        public void New_size_counts_only_what_a_version_did_not_share_with_an_earlier_one()
        {
            var m = new BackupManifest();
            Assert.Null(BackupSetSize.NewOf(m));
            m.Databases.Add(new DatabaseBackupItem { Name = "linked", Bytes = 10_000, NewBytes = 300 });
            m.Databases.Add(new DatabaseBackupItem { Name = "not versioned", Bytes = 700 });
            m.Databases.Add(new DatabaseBackupItem { Name = "unknown" });
            m.Artifacts.Add(new BackupArtifact { StoredPath = "config.yaml", Size = 24 });
            Assert.Equal(1024, BackupSetSize.NewOf(m));
            Assert.Equal(10_724, BackupSetSize.Of(m));
        }

        private static void WriteFolder(TempDir dir, string name, string manifestText)
        {
            Directory.CreateDirectory(dir.Combine(name));
            File.WriteAllText(dir.Combine(name, BackupManifest.FileName), manifestText);
        }
    }
}
