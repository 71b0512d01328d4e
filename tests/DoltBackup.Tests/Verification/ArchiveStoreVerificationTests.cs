using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.FileCopy;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Verification
{
    /// <summary>
    /// The Dolt stores inside a FileCopy set (issue 16, point 9) are checked in the one pass that reads the archive, with
    /// the same verdicts as the same stores checked as folders.
    /// </summary>
    public class ArchiveStoreVerificationTests
    {
        private readonly ITestOutputHelper _out;

        public ArchiveStoreVerificationTests(ITestOutputHelper output) => _out = output;

        public static readonly string[] Corrupt =
        {
            "corrupt/bad_commit", "corrupt/bad_journal_crc", "corrupt/bad_journal_crc_2", "corrupt/missing_closure_object",
            "corrupt/missing_fk_object", "corrupt/missing_schema_object", "corrupt/missing_table_object",
        };

        public static IEnumerable<object[]> FixturesAndFormats()
        {
            foreach (var fixture in FixtureStores.Intact.Concat(Corrupt))
            {
                foreach (var format in new[] { FileCopyFormat.TarGzip, FileCopyFormat.Tar, FileCopyFormat.Tree })
                {
                    yield return new object[] { fixture, format };
                }
            }
        }

        /// <summary>A data dir with the fixture as database "db" (and, for two of them, a second database beside it).</summary>
        private static string DataDirWith(TempDir dir, string fixture)
        {
            string data = dir.Combine("data");
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, fixture), Path.Combine(data, "db", ".dolt"));
            if (fixture == "journal" || fixture == "corrupt/bad_commit")
            {
                TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, "archives-v2"), Path.Combine(data, "other", ".dolt"));
            }
            return data;
        }

        private static BackupManifest Backup(TempDir dir, string data, FileCopyFormat format)
        {
            var manifest = FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format });
            ManifestStore.Write(manifest);
            return manifest;
        }

        private static string Key(VerificationResult r) => $"{r.Status} {r.Level} {r.Target} {r.Check}: {r.Message}";

        private static List<string> StoreResults(IEnumerable<VerificationResult> results)
            => results.Where(r => r.Level != VerificationLevel.Artifact).Select(Key).OrderBy(k => k, System.StringComparer.Ordinal).ToList();

        [Theory]
        [MemberData(nameof(FixturesAndFormats))]
        public void Every_fixture_store_gets_the_same_verdicts_inside_a_FileCopy_set_as_in_a_folder(string fixture, FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, fixture);
            foreach (bool deep in new[] { false, true })
            {
                var folder = new List<VerificationResult>();
                BackupVerifier.VerifyDataDirectory(data, data, new VerificationOptions { Deep = deep }, folder.Add);
                var manifest = Backup(dir, data, format);
                var inSet = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = deep });
                _out.WriteLine($"deep={deep}\n" + FixtureStores.Describe(inSet));
                Assert.Equal(StoreResults(folder), StoreResults(inSet));
                Assert.DoesNotContain(inSet, r => r.Level == VerificationLevel.Artifact && r.Status != VerificationStatus.Passed);
                Assert.DoesNotContain(inSet, r => r.Status == VerificationStatus.Skipped);
                Directory.Delete(manifest.BackupFolder, recursive: true);
            }
        }

        public static IEnumerable<object[]> Fixtures() => FixtureStores.Intact.Concat(Corrupt).Select(f => new object[] { f });

        /// <summary>
        /// With a memory budget of 10,000 bytes, larger table files are re-hashed as they stream by (records found by
        /// their own framing, matched with the index read from the kept end) and larger .darc archives are spooled:
        /// the verdicts stay those of the folder.
        /// </summary>
        [Theory]
        [MemberData(nameof(Fixtures))]
        public void Files_over_the_memory_budget_get_the_same_deep_verdicts_streamed_or_spooled(string fixture)
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, fixture);
            var folder = new List<VerificationResult>();
            BackupVerifier.VerifyDataDirectory(data, data, new VerificationOptions { Deep = true }, folder.Add);
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            var inSet = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true, ArchiveMemoryLimit = 10000 });
            _out.WriteLine(FixtureStores.Describe(inSet));
            Assert.Equal(StoreResults(folder), StoreResults(inSet));
        }

        /// <summary>bad_commit's tampered oldgen table (4,476 bytes) streamed by under a 1,000-byte budget: the same verdicts and words as in the folder.</summary>
        [Fact]
        public void The_tampered_commit_of_bad_commit_is_named_the_same_when_its_table_streams_by()
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "corrupt/bad_commit");
            var folder = new List<VerificationResult>();
            BackupVerifier.VerifyDataDirectory(data, data, new VerificationOptions { Deep = true }, folder.Add);
            var inSet = BackupVerifier.VerifyManifest(Backup(dir, data, FileCopyFormat.Tar), new VerificationOptions { Deep = true, ArchiveMemoryLimit = 1000 });
            _out.WriteLine(FixtureStores.Describe(inSet));
            Assert.Contains(FixtureStores.Failures(inSet), r => r.Check == "TableFile.Chunks" && r.Message.Contains("chunk rlmgv0komq0oj7qu4osdo759vs4c5pvg: the data hashes to gpphmuvegiedtjtbfku4ru8jalfdk21u"));
            Assert.Equal(StoreResults(folder).Where(k => !k.Contains(" other")), StoreResults(inSet).Where(k => !k.Contains(" other")));
        }

        [Theory]
        [InlineData(FileCopyFormat.TarGzip, 5000)]
        [InlineData(FileCopyFormat.TarGzip, 300000)]
        [InlineData(FileCopyFormat.Tar, 5000)]
        [InlineData(FileCopyFormat.Tar, 300000)]
        [InlineData(FileCopyFormat.TarGzip, 0)] // the first record's length: the stream loses the record boundaries
        public void A_flipped_byte_in_a_chunk_of_a_table_streamed_by_fails_deep(FileCopyFormat format, int offset)
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "clone-with-remote");
            DamageDetectionTests.FlipByte(Path.Combine(data, "db", ".dolt", "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air"), offset);
            var manifest = Backup(dir, data, format);
            var results = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true, ArchiveMemoryLimit = 10000, SpoolFolder = dir.Combine("no-such-folder") });
            _out.WriteLine(FixtureStores.Describe(results));
            var failure = Assert.Single(FixtureStores.Failures(results));
            Assert.Equal("TableFile.Chunks", failure.Check);
            Assert.Equal("db (oldgen)", failure.Target);
            Assert.Contains("of 273 chunks are damaged", failure.Message);
            Assert.DoesNotContain(results, r => r.Status == VerificationStatus.Skipped);
        }

        [Theory]
        [InlineData(FileCopyFormat.TarGzip)]
        [InlineData(FileCopyFormat.Tar)]
        public void A_flipped_byte_in_a_chunk_copied_into_the_archive_passes_the_hashes_and_fails_deep(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "clone-with-remote");
            DamageDetectionTests.FlipByte(Path.Combine(data, "db", ".dolt", "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air"), 5000);
            var manifest = Backup(dir, data, format);

            var structure = BackupVerifier.VerifyManifest(manifest, new VerificationOptions());
            _out.WriteLine(FixtureStores.Describe(structure));
            Assert.Empty(FixtureStores.Failures(structure));
            Assert.Contains(structure, r => r.Check == "TableFile.Size" && r.Status == VerificationStatus.Passed && r.Target == "db (oldgen)");

            var deep = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true });
            _out.WriteLine(FixtureStores.Describe(deep));
            var failure = Assert.Single(FixtureStores.Failures(deep));
            Assert.Equal("TableFile.Chunks", failure.Check);
            Assert.Equal("db (oldgen)", failure.Target);
            Assert.Contains("1 of 273 chunks are damaged", failure.Message);
            Assert.StartsWith(Path.Combine(manifest.BackupFolder, format == FileCopyFormat.Tar ? FileCopyLayout.TarFile : FileCopyLayout.TarGzipFile) + ":db/.dolt/noms/oldgen/", failure.Path);
        }

        [Fact]
        public void Files_larger_than_the_memory_budget_are_checked_from_a_spool_file_that_is_deleted()
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "archives-v2");
            DamageDetectionTests.FlipByte(Path.Combine(data, "db", ".dolt", "noms", "oldgen", "27avtn2a3upddh52eu750m4709gfps7s.darc"), 30000);
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            var before = SpoolFiles();
            var options = new VerificationOptions { Deep = true, ArchiveMemoryLimit = 1024 };
            var results = BackupVerifier.VerifyManifest(manifest, options);
            _out.WriteLine(FixtureStores.Describe(results));
            Assert.Contains(FixtureStores.Failures(results), r => r.Check == "Archive.Chunks" && r.Message.Contains("of 230 chunks are damaged"));
            Assert.Contains(results, r => r.Check == "TableFile.Chunks" && r.Status == VerificationStatus.Passed);
            Assert.Equal(before, SpoolFiles());

            // Same verdicts as from memory.
            Assert.Equal(StoreResults(BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true })), StoreResults(results));
        }

        [Fact]
        public void A_file_that_cannot_be_spooled_is_skipped_with_the_reason_and_the_rest_is_still_checked()
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "archives-v2");
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            var options = new VerificationOptions { Deep = true, ArchiveMemoryLimit = 60000, SpoolFolder = dir.Combine("no-such-folder") };
            var results = BackupVerifier.VerifyManifest(manifest, options);
            _out.WriteLine(FixtureStores.Describe(results));
            Assert.Empty(FixtureStores.Failures(results));
            var skipped = Assert.Single(results, r => r.Status == VerificationStatus.Skipped);
            Assert.Equal("Store.FileReadable", skipped.Check);
            Assert.Equal("db (oldgen)", skipped.Target);
            Assert.Contains("27avtn2a3upddh52eu750m4709gfps7s.darc is 70549 bytes, more than the 60000 checked in memory, and could not be spooled", skipped.Message);
            Assert.Contains(results, r => r.Check == "TableFile.Chunks" && r.Target == "db" && r.Status == VerificationStatus.Passed);
            Assert.Equal(manifest.Artifacts.Count, results.Count(r => r.Level == VerificationLevel.Artifact && r.Status == VerificationStatus.Passed));
        }

        [Theory]
        [InlineData(FileCopyFormat.TarGzip)]
        [InlineData(FileCopyFormat.Tree)]
        public void A_data_dir_that_is_itself_a_database_gets_the_same_verdicts(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, "journal"), Path.Combine(data, ".dolt"));
            DamageDetectionTests.FlipByte(Path.Combine(data, ".dolt", "noms", DoltHash.JournalFileName), 3000);
            var folder = new List<VerificationResult>();
            BackupVerifier.VerifyDataDirectory(data, data, new VerificationOptions { Deep = true }, folder.Add);
            var inSet = BackupVerifier.VerifyManifest(Backup(dir, data, format), new VerificationOptions { Deep = true });
            _out.WriteLine(FixtureStores.Describe(inSet));
            Assert.Contains(FixtureStores.Failures(inSet), r => r.Target == "data" && r.Check == "Journal.Records");
            Assert.Contains(inSet, r => r.Target == "data (stats)" && r.Check == "Journal.Chunks" && r.Status == VerificationStatus.Passed);
            Assert.Equal(StoreResults(folder), StoreResults(inSet));
        }

        [Fact]
        public void Without_deep_large_files_are_checked_from_their_end_and_nothing_is_spooled()
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "clone-with-remote");
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, "archives-v1"), Path.Combine(data, "arch", ".dolt"));
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            var fromMemory = BackupVerifier.VerifyManifest(manifest, new VerificationOptions());
            // db's oldgen table (385,643 bytes, index 7,644) and arch's dnu4… .darc (113,409 bytes) exceed 60,000 bytes; a spool
            // attempt would fail in a folder that does not exist, and show as Skipped.
            var fromTail = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { ArchiveMemoryLimit = 60000, SpoolFolder = dir.Combine("no-such-folder") });
            _out.WriteLine(FixtureStores.Describe(fromTail));
            Assert.Equal(StoreResults(fromMemory), StoreResults(fromTail));
            Assert.DoesNotContain(fromTail, r => r.Status == VerificationStatus.Skipped || r.Status == VerificationStatus.Failed);
            Assert.Contains(fromTail, r => r.Check == "TableFile.Name" && r.Target == "db (oldgen)" && r.Status == VerificationStatus.Passed);
            Assert.Contains(fromTail, r => r.Check == "Archive.Name" && r.Target == "arch (oldgen)" && r.Message.StartsWith("dnu4lr5j") && r.Status == VerificationStatus.Passed);

            // An index longer than what is kept: Skipped with the way out, never Passed.
            var tooSmall = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { ArchiveMemoryLimit = 5000, SpoolFolder = dir.Combine("no-such-folder") });
            _out.WriteLine(FixtureStores.Describe(tooSmall));
            var skipped = Assert.Single(tooSmall, r => r.Status == VerificationStatus.Skipped && r.Target == "db (oldgen)");
            Assert.Contains("c5j9u4ced6eg6cnegk0mgdglc3t04air: its index is larger than the last 5000 bytes kept in memory", skipped.Message);
            Assert.DoesNotContain(tooSmall, r => r.Target == "db (oldgen)" && r.Check == "TableFile.Size");
        }

        private static List<string> SpoolFiles() => Directory.GetFiles(Path.GetTempPath(), "doltbackup-verify-*").OrderBy(f => f).ToList();

        [Fact]
        public void A_truncated_archive_fails_and_its_stores_are_skipped_not_passed()
        {
            using var dir = new TempDir();
            string data = DataDirWith(dir, "journal");
            var manifest = Backup(dir, data, FileCopyFormat.Tar);
            string archive = Path.Combine(manifest.BackupFolder, FileCopyLayout.TarFile);
            using (var fs = new FileStream(archive, FileMode.Open, FileAccess.ReadWrite))
            {
                fs.SetLength(fs.Length / 2);
            }
            var results = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true });
            _out.WriteLine(FixtureStores.Describe(results));
            Assert.Contains(FixtureStores.Failures(results), r => r.Check == "Archive.Readable");
            var skipped = Assert.Single(results, r => r.Level != VerificationLevel.Artifact);
            Assert.Equal(VerificationStatus.Skipped, skipped.Status);
            Assert.Equal("Store.Structure", skipped.Check);
        }

        [Fact]
        public void A_store_manifest_after_its_table_files_in_tar_order_is_still_used_and_unreferenced_files_stay_unchecked()
        {
            // In archives-v2, oldgen's unreferenced table file sc0d… sorts after manifest; newgen's table i8iv… sorts
            // before it: both orders occur. The unreferenced file is reported as extra, never as checked.
            using var dir = new TempDir();
            string data = DataDirWith(dir, "archives-v2");
            string extra = Path.Combine(data, "db", ".dolt", "noms", "oldgen", "sc0dq3agumuop5ngirrn7nqtgbk7lbrv");
            DamageDetectionTests.FlipByte(extra, new FileInfo(extra).Length - 3);
            string early = Path.Combine(data, "db", ".dolt", "noms", "0000000000000000000000000000000a");
            File.WriteAllBytes(early, new byte[100]);
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            var results = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { Deep = true });
            _out.WriteLine(FixtureStores.Describe(results));
            Assert.Empty(FixtureStores.Failures(results));
            Assert.Contains(results, r => r.Check == "Store.ExtraFile" && r.Status == VerificationStatus.Info && r.Message.StartsWith("sc0dq3ag"));
            Assert.Contains(results, r => r.Check == "Store.ExtraFile" && r.Status == VerificationStatus.Info && r.Message.StartsWith("0000000000000000000000000000000a"));
            Assert.Contains(results, r => r.Check == "TableFile.Footer" && r.Target == "db" && r.Status == VerificationStatus.Passed);
        }
    }
}
