using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Linking;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Linking
{
    /// <summary>Which store files are shared by a hard link, and how a store is seeded (or copied when links fail).</summary>
    public class StoreSeederTests
    {
        private const string Table = "0123456789abcdefghijklmnopqrstuv";
        private const string Archive = "vgk9hjquet44n1nhldg1in1449sib2b5.darc";

        [Theory]
        [InlineData(Table, StoreFileTreatment.Link)]
        [InlineData(Archive, StoreFileTreatment.Link)]
        [InlineData("oldgen/" + Table, StoreFileTreatment.Link)]
        [InlineData("oldgen/" + Archive, StoreFileTreatment.Link)]
        [InlineData("manifest", StoreFileTreatment.Copy)]
        [InlineData("LOCK", StoreFileTreatment.Copy)]
        [InlineData("oldgen/manifest", StoreFileTreatment.Copy)]
        [InlineData("oldgen/LOCK", StoreFileTreatment.Copy)]
        [InlineData(StoreFileRules.JournalName, StoreFileTreatment.Copy)]
        [InlineData("journal.idx", StoreFileTreatment.Copy)]
        [InlineData("ghostObjects.txt", StoreFileTreatment.Copy)]
        [InlineData("0123456789ABCDEFGHIJKLMNOPQRSTUV", StoreFileTreatment.Copy)]
        [InlineData("0123456789abcdefghijklmnopqrstuw", StoreFileTreatment.Copy)]
        [InlineData("other/" + Table, StoreFileTreatment.Copy)]
        [InlineData(Table + ".tmp", StoreFileTreatment.Copy)]
        [InlineData("nbs_table_123", StoreFileTreatment.Skip)]
        [InlineData("nbs_manifest_456", StoreFileTreatment.Skip)]
        [InlineData(".dolt_prune_probe_1", StoreFileTreatment.Skip)]
        public void Only_content_named_table_files_and_archives_are_linked(string path, StoreFileTreatment expected)
        {
            Assert.Equal(expected, StoreFileRules.Classify(path));
        }

        private static string MakeStore(TempDir dir)
        {
            string store = dir.Combine("v1", "db");
            Directory.CreateDirectory(Path.Combine(store, "oldgen"));
            var (name, count) = NbsTableFileWriter.WriteTo(store, 20_000, 4096, new Random(1));
            var (old, oldCount) = NbsTableFileWriter.WriteTo(Path.Combine(store, "oldgen"), 10_000, 4096, new Random(2));
            File.WriteAllBytes(Path.Combine(store, "LOCK"), Array.Empty<byte>());
            File.WriteAllText(Path.Combine(store, "manifest"), $"5:__DOLT__:{Table}:{Table}:00000000000000000000000000000000:{name}:{count}");
            File.WriteAllText(Path.Combine(store, "oldgen", "manifest"), $"5:__DOLT__:{Table}:00000000000000000000000000000000:00000000000000000000000000000000:{old}:{oldCount}");
            File.WriteAllText(Path.Combine(store, "nbs_table_leftover"), "partial");
            File.WriteAllText(Path.Combine(store, "notes.txt"), "unknown");
            return store;
        }

        [Fact]
        public void Seeding_links_table_files_and_copies_manifest_LOCK_and_unknown_files()
        {
            using var dir = new TempDir();
            string v1 = MakeStore(dir);
            string v2 = dir.Combine("v2", "db");
            var seed = new StoreSeeder().Seed(v1, v2, why => throw new Xunit.Sdk.XunitException("no link should fail here: " + why));

            Assert.Equal(StoreSeedMethod.HardLink, seed.Method);
            Assert.Equal(2, seed.LinkedFiles);
            Assert.Equal(4, seed.CopiedFiles); // manifest, LOCK, oldgen/manifest, notes.txt; the transient file is left out
            Assert.False(File.Exists(Path.Combine(v2, "nbs_table_leftover")));
            foreach (var f in Directory.GetFiles(v1, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith("nbs_table_")))
            {
                string rel = Path.GetRelativePath(v1, f);
                string twin = Path.Combine(v2, rel);
                Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(twin));
                bool shared = FileIdentity.Of(f) == FileIdentity.Of(twin);
                Assert.True(shared == (StoreFileRules.Classify(rel) == StoreFileTreatment.Link), rel + (shared ? " is shared" : " is not shared"));
            }
            Assert.Equal(seed.LinkedBytes, Directory.GetFiles(v1, "*", SearchOption.AllDirectories)
                .Where(f => StoreFileRules.Classify(Path.GetRelativePath(v1, f)) == StoreFileTreatment.Link).Sum(f => new FileInfo(f).Length));
            Assert.Equal(2, FileIdentity.Links(Directory.GetFiles(v2).Single(f => Path.GetFileName(f).Length == 32)));
        }

        [Fact]
        public void A_link_that_cannot_be_made_falls_back_to_copies_and_is_reported_once()
        {
            using var dir = new TempDir();
            string v1 = MakeStore(dir);
            var linker = new FailingLinker();
            var told = new List<string>();
            var seed = new StoreSeeder(linker).Seed(v1, dir.Combine("v2", "db"), told.Add);

            Assert.Equal(StoreSeedMethod.Copy, seed.Method);
            Assert.Equal(1, linker.Calls); // the first failure stops linking for the store
            Assert.Single(told);
            Assert.Contains("cross-device", seed.Note);
            Assert.Equal(0, seed.LinkedFiles);
            Assert.Equal(6, seed.CopiedFiles);
            foreach (var f in Directory.GetFiles(dir.Combine("v2", "db"), "*", SearchOption.AllDirectories))
            {
                Assert.NotEqual(FileIdentity.Of(f), FileIdentity.Of(Path.Combine(v1, Path.GetRelativePath(dir.Combine("v2", "db"), f))));
            }
        }

        private sealed class BreakingLinker : IHardLinker
        {
            private readonly IHardLinker _real = HardLinks.ForThisPlatform();
            public string TryLink(string existingPath, string linkPath)
            {
                if (existingPath.Contains("oldgen"))
                {
                    throw new IOException("the disk went away");
                }
                return _real.TryLink(existingPath, linkPath);
            }
        }

        [Fact]
        public void An_interrupted_seed_leaves_no_manifest_so_Dolt_writes_the_store_in_full()
        {
            using var dir = new TempDir();
            string v1 = MakeStore(dir);
            string v2 = dir.Combine("v2", "db");
            Assert.Throws<IOException>(() => new StoreSeeder(new BreakingLinker()).Seed(v1, v2, null));
            Assert.False(File.Exists(Path.Combine(v2, "manifest")), "the manifest is copied last");
        }

        /// <summary>Links for real; on its first call the source store is synced again (new table file, manifest renamed over).</summary>
        private sealed class ResyncingLinker : IHardLinker
        {
            private readonly IHardLinker _real = HardLinks.ForThisPlatform();
            private readonly string _source;
            private bool _done;
            public ResyncingLinker(string source) => _source = source;

            public string TryLink(string existingPath, string linkPath)
            {
                if (!_done)
                {
                    _done = true;
                    var (name, count) = NbsTableFileWriter.WriteTo(_source, 5_000, 4096, new Random(3));
                    string temp = Path.Combine(_source, "nbs_manifest_x");
                    File.WriteAllText(temp, File.ReadAllText(Path.Combine(_source, "manifest")) + $":{name}:{count}");
                    File.Move(temp, Path.Combine(_source, "manifest"), overwrite: true);
                }
                return _real.TryLink(existingPath, linkPath);
            }
        }

        [Fact]
        public void The_manifest_is_read_before_the_files_so_a_concurrent_sync_of_the_source_cannot_leave_it_naming_a_missing_file()
        {
            using var dir = new TempDir();
            string v1 = MakeStore(dir);
            string before = File.ReadAllText(Path.Combine(v1, "manifest"));
            string v2 = dir.Combine("v2", "db");
            new StoreSeeder(new ResyncingLinker(v1)).Seed(v1, v2, null);
            Assert.NotEqual(before, File.ReadAllText(Path.Combine(v1, "manifest")));
            Assert.Equal(before, File.ReadAllText(Path.Combine(v2, "manifest")));
            Assert.DoesNotContain(DoltBackup.Verification.NbsStoreVerifier.Verify(v2, "db"), r => r.Status == DoltBackup.Verification.VerificationStatus.Failed);
        }

        [Fact]
        public void The_platform_linker_links_and_reports_why_it_cannot()
        {
            using var dir = new TempDir();
            string a = dir.Combine("a");
            File.WriteAllText(a, "x");
            var linker = HardLinks.ForThisPlatform();
            Assert.Null(linker.TryLink(a, dir.Combine("b")));
            Assert.Equal(FileIdentity.Of(a), FileIdentity.Of(dir.Combine("b")));
            string why = linker.TryLink(a, dir.Combine("b")); // exists already
            Assert.NotNull(why);
            Assert.NotNull(linker.TryLink(dir.Combine("missing"), dir.Combine("c")));
        }
    }

    /// <summary>A linker on a file system without hard links (or across devices): every link fails as link(2) reports EXDEV.</summary>
    internal sealed class FailingLinker : IHardLinker
    {
        public int Calls;

        public string TryLink(string existingPath, string linkPath)
        {
            System.Threading.Interlocked.Increment(ref Calls);
            return "errno 18 (Invalid cross-device link)";
        }
    }
}
