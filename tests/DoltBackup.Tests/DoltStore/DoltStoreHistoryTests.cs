using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using DoltBackup.DoltStore;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Verification;
using Xunit;

namespace DoltBackup.Tests.DoltStore
{
    /// <summary>The offline reader of a Dolt store's refs and commits, on real stores written by Dolt and on synthetic ones.</summary>
    public sealed class DoltStoreHistoryTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private string ServerBackup(string database)
        {
            string copy = _dir.Combine("backups", database);
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", database), copy);
            return copy;
        }

        private static JsonElement Expected(string database)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.ServerFixture, "expected.json")));
            return doc.RootElement.GetProperty("databases").GetProperty(database).Clone();
        }

        private static Dictionary<string, string> Map(JsonElement e) => e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

        /// <summary>Follows the first-parent line from <paramref name="head"/> to the root commit.</summary>
        private static List<StoreCommit> FirstParentLine(DoltStoreHistory h, string head)
        {
            var line = new List<StoreCommit>();
            for (string c = head; c != null;)
            {
                var commit = h.Commit(c);
                line.Add(commit);
                c = commit.Parents.FirstOrDefault();
            }
            return line;
        }

        [Theory]
        [InlineData("sales")]
        [InlineData("inventory")]
        public void The_backups_of_a_real_Dolt_server_give_the_branch_heads_and_tags_the_server_reported(string database)
        {
            using var h = DoltStoreHistory.Open(ServerBackup(database));

            var expected = Expected(database);
            Assert.Equal(Map(expected.GetProperty("branches")).OrderBy(kv => kv.Key), h.Branches);
            Assert.Equal(Map(expected.GetProperty("tags")).OrderBy(kv => kv.Key), h.Tags);
            Assert.Contains("workingSets/heads/main", h.Datasets.Keys);
        }

        [Fact]
        public void Every_branch_of_a_real_backup_is_walked_to_the_root_commit_with_dates_messages_and_heights()
        {
            using var h = DoltStoreHistory.Open(ServerBackup("sales"));

            var main = FirstParentLine(h, h.Branches["main"]);
            Assert.Equal(new[] { "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj", "tln0511ojtv5rp3o9d9kg1f53gcm0oin" }, main.Select(c => c.Hash));
            Assert.Equal("orders", main[0].Message);
            Assert.Equal("root", main[0].Committer);
            Assert.Equal(new DateTime(2026, 11, 23, 19, 3, 46, 853, DateTimeKind.Utc), main[0].DateUtc);
            Assert.Equal(DateTimeKind.Utc, main[0].DateUtc.Kind);
            var root = main.Last();
            Assert.Empty(root.Parents);
            Assert.Equal(1UL, root.Height);
            Assert.Equal("Initialize data repository", root.Message);
            Assert.Equal("Fixture Maker", root.Committer);

            var feature = FirstParentLine(h, h.Branches["feature"]);
            Assert.Equal(new[] { 3UL, 2UL, 1UL }, feature.Select(c => c.Height));
            Assert.Equal("feature order", feature[0].Message);
            Assert.Equal(main, feature.Skip(1));
        }

        [Theory]
        [InlineData("classic-tables", 2)]
        [InlineData("archives-v1", 43)]
        [InlineData("archives-v2", 53)]
        [InlineData("clone-with-remote", 44)]
        [InlineData("journal", 1)]
        public void Table_files_archives_and_a_journal_are_read_to_the_root_commit(string fixture, int commits)
        {
            string doltDir = FixtureStores.CopyAsDoltDir(_dir, fixture);
            using var h = DoltStoreHistory.Open(Path.Combine(doltDir, "noms"));

            var line = FirstParentLine(h, h.Branches["main"]);
            Assert.Equal(commits, line.Count);
            Assert.Empty(line.Last().Parents);
            Assert.Equal("Initialize data repository", line.Last().Message);
            Assert.Equal(Enumerable.Range(1, commits).Reverse().Select(i => (ulong)i), line.Select(c => c.Height));
            Assert.True(line.Zip(line.Skip(1), (a, b) => a.DateUtc >= b.DateUtc).All(x => x));
            Assert.True(h.ChunksRead < h.StoreChunkCount);
        }

        [Fact]
        public void A_journal_store_takes_its_root_from_the_journal_and_an_archive_store_tags_name_commits()
        {
            using (var h = DoltStoreHistory.Open(Path.Combine(FixtureStores.CopyAsDoltDir(_dir, "journal"), "noms")))
            {
                Assert.Equal("ks7opmhoahmj7bqrr9ju527n6ukl0gr2", h.Branches["main"]);
            }
            using (var h = DoltStoreHistory.Open(ServerBackup("inventory")))
            {
                Assert.Equal(h.Branches["main"], h.Tags["v1"]);
            }
        }

        [Fact]
        public void Only_the_chunks_asked_for_are_read()
        {
            using var h = DoltStoreHistory.Open(Path.Combine(FixtureStores.CopyAsDoltDir(_dir, "archives-v2"), "noms"));
            Assert.Equal(1, h.ChunksRead); // the root chunk, whose address map is embedded
            h.Commit(h.Branches["main"]);
            h.Commit(h.Branches["main"]);
            Assert.Equal(2, h.ChunksRead);
            Assert.Equal(1, h.CommitsRead);
            Assert.Equal(232, h.StoreChunkCount);
        }

        [Fact]
        public void An_address_map_of_several_levels_is_read_whole()
        {
            var s = new SyntheticDoltStore();
            string c = s.Commit("init", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            for (int i = 0; i < 30; i++)
            {
                s.Branch("b" + i.ToString("00"), c);
            }
            s.Tag("t1", c);
            s.Write(_dir.Combine("multi"), leafSize: 4);

            using var h = DoltStoreHistory.Open(_dir.Combine("multi"));
            Assert.Equal(30, h.Branches.Count);
            Assert.All(h.Branches.Values, v => Assert.Equal(c, v));
            Assert.Equal(c, h.Tags["t1"]);
            Assert.Equal(1 + 8 + 1, h.ChunksRead); // root, 8 leaves, the tag
            var commit = h.Commit(c);
            Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), commit.DateUtc);
            Assert.Equal(new DateTime(2025, 12, 31, 23, 0, 0, DateTimeKind.Utc), commit.AuthorDateUtc);
            Assert.Equal("Committer Name", commit.Committer);
        }

        [Fact]
        public void In_a_store_of_thousands_of_chunks_each_chunk_is_found_by_its_index_on_disk()
        {
            var s = new SyntheticDoltStore();
            var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            string head = s.Commit("commit 0", t0);
            for (int i = 1; i < 3000; i++)
            {
                head = s.Commit("commit " + i, t0.AddMinutes(i), head);
            }
            s.Branch("main", head);
            s.Write(_dir.Combine("big"));

            using var h = DoltStoreHistory.Open(_dir.Combine("big"));
            Assert.Equal(1, h.ChunksRead);
            var line = FirstParentLine(h, h.Branches["main"]);
            Assert.Equal(3000, line.Count);
            Assert.Equal(Enumerable.Range(0, 3000).Reverse().Select(i => "commit " + i), line.Select(c => c.Message));
            Assert.Equal(Enumerable.Range(0, 3000).Reverse().Select(i => t0.AddMinutes(i)), line.Select(c => c.DateUtc));
            Assert.Equal(3001, h.ChunksRead);
        }

        [Fact]
        public void A_store_of_another_format_a_missing_file_or_a_damaged_chunk_is_refused_with_the_reason()
        {
            string old = ServerBackup("sales");
            string manifest = Path.Combine(old, "manifest");
            string text = File.ReadAllText(manifest);
            File.WriteAllText(manifest, text.Replace("__DOLT__", "__LD_1__"));
            var e = Assert.Throws<DoltStoreFormatException>(() => DoltStoreHistory.Open(old));
            Assert.Contains("__LD_1__", e.Message);

            File.WriteAllText(manifest, text);
            string archive = Directory.GetFiles(old, "*.darc").Single();
            File.Move(archive, archive + ".gone");
            e = Assert.Throws<DoltStoreFormatException>(() => DoltStoreHistory.Open(old));
            Assert.Contains("missing", e.Message);

            Assert.Throws<DoltStoreFormatException>(() => DoltStoreHistory.Open(_dir.Path));

            var s = new SyntheticDoltStore();
            s.Branch("main", s.Commit("only", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
            string dir = _dir.Combine("damaged");
            s.Write(dir);
            string table = Directory.GetFiles(dir).Single(f => Path.GetFileName(f) != "manifest");
            var bytes = File.ReadAllBytes(table);
            bytes[2] ^= 0xff; // inside the first chunk record: its CRC no longer matches
            File.WriteAllBytes(table, bytes);
            e = Assert.ThrowsAny<DoltStoreFormatException>(() =>
            {
                using var h = DoltStoreHistory.Open(dir);
                h.Commit(h.Branches["main"]);
            });
            Assert.Contains("damaged", e.Message);
        }

        [Fact]
        public void A_chunk_that_is_not_a_commit_is_refused()
        {
            using var h = DoltStoreHistory.Open(ServerBackup("sales"));
            var e = Assert.Throws<DoltStoreFormatException>(() => h.Commit(h.Datasets["workingSets/heads/main"]));
            Assert.Contains("'DCMT'", e.Message);
            Assert.Contains("'WRST'", e.Message);
            e = Assert.Throws<DoltStoreFormatException>(() => h.Commit("00000000000000000000000000000001"));
            Assert.Contains("missing chunk", e.Message);
        }
    }
}
