using System;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.FileCopy
{
    public class FileCopyRestoreTests
    {
        private static BackupManifest Backup(TempDir dir, string data, FileCopyFormat format)
        {
            var manifest = NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format });
            ManifestStore.Write(manifest);
            return ManifestStore.Read(manifest.BackupFolder);
        }

        [Fact]
        public void An_existing_data_dir_is_not_overwritten_without_force_and_is_replaced_with_it()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            string target = dir.Combine("target");
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "keep.txt"), "precious");

            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target }));
            Assert.Equal(FileCopyRestoreFailure.TargetExists, e.Failure);
            Assert.Equal("precious", File.ReadAllText(Path.Combine(target, "keep.txt")));

            var r = FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target, Force = true });
            Assert.True(r.Replaced);
            AssertSameTree(data, target);
            Assert.Empty(Directory.GetDirectories(dir.Path, "target.replaced-*"));
            Assert.Empty(Directory.GetDirectories(dir.Path, ".target.restore-*"));
        }

        [Theory]
        [InlineData(FileCopyFormat.Tar)]
        [InlineData(FileCopyFormat.Tree)]
        public void A_damaged_backup_is_refused_and_the_target_is_untouched(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = Backup(dir, data, format);
            // Flip one byte of sales' manifest inside the backup.
            var artifact = manifest.Artifacts.Single(a => a.StoredPath.EndsWith("sales/.dolt/noms/manifest"));
            string file = format == FileCopyFormat.Tree ? Path.Combine(manifest.BackupFolder, artifact.StoredPath) : Path.Combine(manifest.BackupFolder, artifact.Archive);
            byte[] bytes = File.ReadAllBytes(file);
            int at = format == FileCopyFormat.Tree ? 0 : IndexOf(bytes, Encoding.ASCII.GetBytes("5:__DOLT__:b6oi7re984vrsj4l8j7v75ovkocfhd8i"));
            Assert.True(at >= 0);
            bytes[at + 12] ^= 0x01;
            File.WriteAllBytes(file, bytes);

            var verification = BackupVerifier.VerifyManifest(manifest);
            Assert.Contains(verification, r => r.Status == VerificationStatus.Failed && r.Check == "Artifact.Sha256" && r.Target.EndsWith("sales/.dolt/noms/manifest"));

            string target = dir.Combine("target");
            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target }));
            Assert.Equal(FileCopyRestoreFailure.BackupDamaged, e.Failure);
            Assert.False(Directory.Exists(target));
            Assert.Empty(Directory.GetDirectories(dir.Path, ".target.restore-*"));
        }

        [Fact]
        public void A_damaged_gzip_trailer_is_found_by_verification_and_refused_by_restore()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = Backup(dir, data, FileCopyFormat.TarGzip);
            string archive = Path.Combine(manifest.BackupFolder, FileCopyLayout.TarGzipFile);
            byte[] bytes = File.ReadAllBytes(archive);
            bytes[bytes.Length - 6] ^= 0x01; // inside the CRC-32 of the gzip trailer
            File.WriteAllBytes(archive, bytes);
            var verification = BackupVerifier.VerifyManifest(manifest);
            Assert.Contains(verification, r => r.Status == VerificationStatus.Failed && r.Check == "Archive.Readable");
            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = dir.Combine("target") }));
            Assert.Equal(FileCopyRestoreFailure.BackupDamaged, e.Failure);
            Assert.False(Directory.Exists(dir.Combine("target")));
        }

        [Theory]
        [InlineData("../evil.txt")]
        [InlineData("/tmp/evil.txt")]
        [InlineData("sales/../../evil.txt")]
        public void Archive_entries_that_leave_the_target_are_refused(string entryName)
        {
            using var dir = new TempDir();
            string backup = dir.Combine("backup");
            Directory.CreateDirectory(backup);
            string archivePath = Path.Combine(backup, FileCopyLayout.TarFile);
            byte[] content = Encoding.ASCII.GetBytes("evil");
            using (var fs = File.Create(archivePath))
            {
                var tar = new TarWriter(fs);
                tar.BeginFile(entryName, content.Length, 0x1a4, DateTime.UtcNow);
                tar.WriteData(content, 0, content.Length);
                tar.EndFile();
                tar.Finish();
            }
            var manifest = NewManifest(backup);
            manifest.Artifacts.Add(new BackupArtifact { Kind = FileCopyLayout.DataArchiveKind, StoredPath = FileCopyLayout.TarFile, Size = new FileInfo(archivePath).Length });
            manifest.Artifacts.Add(new BackupArtifact { Kind = FileCopyLayout.DataFileKind, StoredPath = entryName, Archive = FileCopyLayout.TarFile, Size = 4, Sha256 = "x" });
            string target = dir.Combine("sub", "target");
            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target }));
            Assert.Equal(FileCopyRestoreFailure.UnsafeEntry, e.Failure);
            Assert.False(File.Exists(dir.Combine("evil.txt")));
            Assert.False(File.Exists(dir.Combine("sub", "evil.txt")));
            Assert.False(File.Exists("/tmp/evil.txt") && File.ReadAllText("/tmp/evil.txt") == "evil" && File.GetLastWriteTimeUtc("/tmp/evil.txt") > DateTime.UtcNow.AddMinutes(-1));
            Assert.False(Directory.Exists(target));
        }

        [Fact]
        public void ArchiveEntryPath_accepts_plain_relative_names_only()
        {
            using var dir = new TempDir();
            Assert.NotNull(ArchiveEntryPath.Resolve(dir.Path, "sales/.dolt/noms/manifest"));
            foreach (var bad in new[] { "", "a//b", "./a", "a/./b", "..", "a/..", "C:/x", "a\\..\\b", "/etc/passwd" })
            {
                Assert.Null(ArchiveEntryPath.Resolve(dir.Path, bad));
            }
        }

        [Fact]
        public void A_manifest_of_another_method_is_refused()
        {
            using var dir = new TempDir();
            var manifest = NewManifest(dir.Path);
            manifest.Method = BackupMethod.DoltBackup;
            var e = Assert.Throws<FileCopyRestoreException>(() => FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = dir.Combine("t") }));
            Assert.Equal(FileCopyRestoreFailure.NotAFileCopyBackup, e.Failure);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
