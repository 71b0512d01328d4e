using System;
using System.IO;
using System.Linq;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.FileCopy;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// One encrypted file is one AES-GCM stream, which holds at most 2^32 - 2 blocks (64 GiB). An encrypted archive that
    /// would be larger is written in parts (<see cref="ArchiveParts"/>); a Tree file over the limit is refused before
    /// anything is written, not hours into the copy. The limit is lowered here so that a few MB stand for 64 GiB.
    /// </summary>
    public class EncryptedArchiveLimitTests
    {
        private static EncryptionKeys Keys()
            => new EncryptionKeys(new[] { TestKeys.PublicOnly(TestKeys.NewCertificate("limit")) }, null);

        private static (BackupManifest Manifest, FileCopyOptions Options, TempDir Dir) Bed(FileCopyFormat format, long limit, bool encrypted = true)
        {
            var dir = new TempDir();
            string data = FileCopyTestSupport.CopyServerDataDir(dir);
            File.WriteAllBytes(Path.Combine(data, "big.bin"), new byte[3_000_000]);
            var manifest = FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            if (encrypted)
            {
                SetEncryption.Record(manifest, Keys(), hasDoltStores: false);
            }
            return (manifest, new FileCopyOptions { DataDir = data, Format = format, MaxEncryptedFileBytes = limit }, dir);
        }

        [Theory]
        [InlineData(FileCopyFormat.Tar)]
        [InlineData(FileCopyFormat.TarGzip)]
        public void An_archive_larger_than_one_encrypted_file_can_hold_is_written_in_parts_each_within_the_limit(FileCopyFormat format)
        {
            // Issue 13: no refusal any more; the segment (32 GiB by default) is never above the AES-GCM limit.
            var (manifest, options, dir) = Bed(format, limit: 2_000_000);
            using (dir)
            {
                options.SegmentBytes = 64L << 30;
                FileCopyBackup.Run(manifest, options);
                Assert.DoesNotContain(manifest.Errors, x => x.ErrorId == "DoltBackup.TooLargeToEncrypt");
                var archive = Assert.Single(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
                // In parts from the start (the estimate is over the limit), however well gzip packs the zeros.
                Assert.True(archive.Parts.Count >= (format == FileCopyFormat.Tar ? 2 : 1), archive.Parts.Count.ToString());
                Assert.All(archive.Parts, p => Assert.True(p.PlaintextSize <= 2_000_000, p.StoredPath));
                Assert.All(archive.Parts, p => Assert.True(File.Exists(dir.Combine("backup", p.StoredPath)), p.StoredPath));
            }
        }

        [Fact]
        public void Tree_encrypts_each_file_on_its_own_so_only_a_single_file_over_the_limit_stops_it()
        {
            // The whole tree is over the limit, every file under it: copied.
            var (manifest, options, dir) = Bed(FileCopyFormat.Tree, limit: 3_500_000);
            using (dir)
            {
                FileCopyBackup.Run(manifest, options);
                Assert.Contains(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataFileKind && a.Encrypted);
            }
            // One file over the limit: refused, nothing written.
            (manifest, options, dir) = Bed(FileCopyFormat.Tree, limit: 2_000_000);
            using (dir)
            {
                var e = Assert.Throws<FileCopyRefusedException>(() => FileCopyBackup.Run(manifest, options));
                Assert.Equal(FileCopyRefusal.TooLargeToEncrypt, e.Reason);
                Assert.Contains("big.bin", e.Message);
                Assert.True(!Directory.Exists(dir.Combine("backup")) || !Directory.EnumerateFiles(dir.Combine("backup"), "*", SearchOption.AllDirectories).Any());
            }
        }

        [Fact]
        public void The_limit_applies_to_encrypted_sets_only_and_an_archive_under_it_is_written()
        {
            var (plain, plainOptions, plainDir) = Bed(FileCopyFormat.Tar, limit: 2_000_000, encrypted: false);
            using (plainDir)
            {
                FileCopyBackup.Run(plain, plainOptions);
                Assert.Contains(plain.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
            }
            var (manifest, options, dir) = Bed(FileCopyFormat.Tar, limit: 8_000_000);
            using (dir)
            {
                FileCopyBackup.Run(manifest, options);
                Assert.Contains(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind && a.Encrypted);
            }
        }
    }
}
