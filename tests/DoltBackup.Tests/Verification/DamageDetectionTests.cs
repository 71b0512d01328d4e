using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Verification
{
    /// <summary>Single flipped bytes and truncations in temp copies of intact stores are found, at the level that can see them.</summary>
    public class DamageDetectionTests
    {
        private readonly ITestOutputHelper _out;

        public DamageDetectionTests(ITestOutputHelper output) => _out = output;

        internal static void FlipByte(string path, long offsetFromStart)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            fs.Position = offsetFromStart;
            int b = fs.ReadByte();
            fs.Position = offsetFromStart;
            fs.WriteByte((byte)(b ^ 0x01));
        }

        private static void Truncate(string path, long by)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            fs.SetLength(fs.Length - by);
        }

        private (TempDir Dir, string DoltDir) Copy(string fixture)
        {
            var dir = new TempDir();
            return (dir, FixtureStores.CopyAsDoltDir(dir, fixture, "db"));
        }

        private void AssertFails(string doltDir, bool deep, string check, VerificationLevel level, string messagePart = null)
        {
            var results = FixtureStores.Verify(doltDir, deep);
            _out.WriteLine(FixtureStores.Describe(results));
            var failures = FixtureStores.Failures(results);
            Assert.Contains(failures, r => r.Check == check && r.Level == level && (messagePart == null || r.Message.Contains(messagePart)));
        }

        [Fact]
        public void A_flipped_byte_in_a_table_footer_magic_is_found()
        {
            var (dir, dolt) = Copy("classic-tables");
            using (dir)
            {
                string table = Path.Combine(dolt, "noms", "5fms6l3ffldbk6t8qjumnjstmurvppk8");
                FlipByte(table, new FileInfo(table).Length - 3);
                AssertFails(dolt, false, "TableFile.Footer", VerificationLevel.Structure, "magic");
            }
        }

        [Fact]
        public void A_flipped_byte_in_a_table_chunk_count_is_found()
        {
            var (dir, dolt) = Copy("classic-tables");
            using (dir)
            {
                string table = Path.Combine(dolt, "noms", "oldgen", "6vvlbeph7glt2sskq43npe56la8p9akc");
                FlipByte(table, new FileInfo(table).Length - 17);
                AssertFails(dolt, false, "TableFile.Footer", VerificationLevel.Structure, "the manifest says 9");
            }
        }

        [Fact]
        public void A_flipped_byte_in_a_table_index_suffix_is_found_by_the_name_hash()
        {
            var (dir, dolt) = Copy("clone-with-remote");
            using (dir)
            {
                string table = Path.Combine(dolt, "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air");
                FlipByte(table, new FileInfo(table).Length - 20 - 5); // inside the last suffix
                AssertFails(dolt, false, "TableFile.Name", VerificationLevel.Structure);
            }
        }

        [Fact]
        public void A_flipped_byte_in_a_table_length_is_found_by_the_size_identity()
        {
            var (dir, dolt) = Copy("clone-with-remote");
            using (dir)
            {
                string table = Path.Combine(dolt, "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air");
                long size = new FileInfo(table).Length;
                long lengths = size - 20 - 16L * 273; // start of the lengths block
                FlipByte(table, lengths + 4 * 10 + 3);
                AssertFails(dolt, false, "TableFile.Size", VerificationLevel.Structure);
            }
        }

        [Fact]
        public void A_flipped_byte_in_table_chunk_data_passes_structure_and_is_found_deep()
        {
            var (dir, dolt) = Copy("clone-with-remote");
            using (dir)
            {
                string table = Path.Combine(dolt, "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air");
                FlipByte(table, 5000);
                var structure = FixtureStores.Verify(dolt, false);
                Assert.Empty(FixtureStores.Failures(structure));
                AssertFails(dolt, true, "TableFile.Chunks", VerificationLevel.Deep, "1 of 273 chunks are damaged");
            }
        }

        [Fact]
        public void A_truncated_table_file_is_found()
        {
            var (dir, dolt) = Copy("clone-with-remote");
            using (dir)
            {
                Truncate(Path.Combine(dolt, "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air"), 100);
                AssertFails(dolt, false, "TableFile.Footer", VerificationLevel.Structure);
            }
        }

        [Fact]
        public void A_truncated_archive_and_a_flipped_archive_footer_byte_are_found()
        {
            var (dir, dolt) = Copy("archives-v1");
            using (dir)
            {
                string a = Path.Combine(dolt, "noms", "oldgen", "29o8a3uevcpr15tilcemb3s438edmoog.darc");
                string b = Path.Combine(dolt, "noms", "oldgen", "dnu4lr5j8sstbj5usbld7alsnuj5nf23.darc");
                Truncate(a, 1);
                FlipByte(b, new FileInfo(b).Length - 100); // inside the footer's checksums: only the name hash sees it
                var results = FixtureStores.Verify(dolt, false);
                _out.WriteLine(FixtureStores.Describe(results));
                var failures = FixtureStores.Failures(results);
                Assert.Contains(failures, r => r.Check == "Archive.Footer" && r.Message.Contains("29o8a3ue"));
                Assert.Contains(failures, r => r.Check == "Archive.Name" && r.Message.Contains("dnu4lr5j"));
            }
        }

        [Fact]
        public void A_flipped_byte_in_archive_chunk_data_is_found_deep()
        {
            var (dir, dolt) = Copy("archives-v2");
            using (dir)
            {
                FlipByte(Path.Combine(dolt, "noms", "oldgen", "27avtn2a3upddh52eu750m4709gfps7s.darc"), 30000);
                Assert.Empty(FixtureStores.Failures(FixtureStores.Verify(dolt, false)));
                AssertFails(dolt, true, "Archive.Chunks", VerificationLevel.Deep, "of 230 chunks are damaged");
            }
        }

        [Fact]
        public void A_flipped_byte_in_a_journal_record_fails_its_crc()
        {
            var (dir, dolt) = Copy("journal");
            using (dir)
            {
                FlipByte(Path.Combine(dolt, "noms", DoltHash.JournalFileName), 3000);
                AssertFails(dolt, false, "Journal.Records", VerificationLevel.Structure, "CRC-32C");
            }
        }

        [Fact]
        public void A_truncated_journal_is_found()
        {
            var (dir, dolt) = Copy("journal");
            using (dir)
            {
                string journal = Path.Combine(dolt, "noms", DoltHash.JournalFileName);
                using (var fs = new FileStream(journal, FileMode.Open, FileAccess.ReadWrite))
                {
                    fs.SetLength(8000); // the records end at 8049
                }
                AssertFails(dolt, false, "Journal.Records", VerificationLevel.Structure, "truncated");
            }
        }

        [Fact]
        public void A_missing_table_file_and_a_damaged_manifest_are_found()
        {
            var (dir, dolt) = Copy("classic-tables");
            using (dir)
            {
                File.Delete(Path.Combine(dolt, "noms", "oldgen", "6vvlbeph7glt2sskq43npe56la8p9akc"));
                File.WriteAllText(Path.Combine(dolt, "noms", "manifest"), "5:__DOLT__:mmm45bv7kr0i1hiljdsejn14gupjpe26:19570u4rtu23963flgcvml2a85gfos1a");
                var results = FixtureStores.Verify(dolt, false);
                _out.WriteLine(FixtureStores.Describe(results));
                var failures = FixtureStores.Failures(results);
                Assert.Contains(failures, r => r.Check == "Store.FilePresent" && r.Target == "db (oldgen)" && r.Message.Contains("6vvlbeph7glt2sskq43npe56la8p9akc"));
                Assert.Contains(failures, r => r.Check == "Manifest.Parse" && r.Target == "db");
            }
        }

        [Fact]
        public void Manifest_parser_reads_v5_and_v4_and_refuses_other_versions()
        {
            var v5 = NbsManifest.Parse("5:__DOLT__:mmm45bv7kr0i1hiljdsejn14gupjpe26:19570u4rtu23963flgcvml2a85gfos1a:mmm45bv7kr0i1hiljdsejn14gupjpe26:5fms6l3ffldbk6t8qjumnjstmurvppk8:2");
            Assert.Equal("19570u4rtu23963flgcvml2a85gfos1a", v5.Root);
            Assert.Equal(2u, Assert.Single(v5.Tables).ChunkCount);
            var v4 = NbsManifest.Parse("4:7.18:mmm45bv7kr0i1hiljdsejn14gupjpe26:19570u4rtu23963flgcvml2a85gfos1a:5fms6l3ffldbk6t8qjumnjstmurvppk8:2");
            Assert.Null(v4.GcGen);
            Assert.Equal("5fms6l3ffldbk6t8qjumnjstmurvppk8", v4.Tables.Single().Name);
            Assert.Throws<System.FormatException>(() => NbsManifest.Parse("6:__DOLT__:a:b:c"));
            Assert.Throws<System.FormatException>(() => NbsManifest.Parse("5:__DOLT__:mmm45bv7kr0i1hiljdsejn14gupjpe26:19570u4rtu23963flgcvml2a85gfos1a:mmm45bv7kr0i1hiljdsejn14gupjpe26:5fms6l3ffldbk6t8qjumnjstmurvppk8"));
        }

        [Fact]
        public void Crc32C_and_base32_match_known_values()
        {
            var data = System.Text.Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xE3069283u, Crc32C.Compute(data, 0, data.Length));
            var ff = Enumerable.Repeat((byte)0xff, 20).ToArray();
            Assert.Equal(DoltHash.JournalFileName, DoltHash.Encode(ff));
            Assert.Equal(ff, DoltHash.TryDecode(DoltHash.JournalFileName));
            Assert.Null(DoltHash.TryDecode("zzzz"));
        }
    }
}
