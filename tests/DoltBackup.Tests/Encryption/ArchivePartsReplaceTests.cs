using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// -Force (FileCopyOptions.Overwrite) over an earlier encrypted archive of the same name in a backup folder: the
    /// earlier archive (one file or parts) stays whole until every new file is in place; a move that fails halfway puts
    /// the earlier archive back byte for byte and leaves none of the new files, nothing moved aside.
    /// </summary>
    public class ArchivePartsReplaceTests
    {
        private const string Parts = "datadir.tar.gz.part";

        /// <summary>Every file of the folder (names and SHA-256), manifest.json aside.</summary>
        private static Dictionary<string, string> Snapshot(string folder)
            => Directory.GetFileSystemEntries(folder).Where(p => Path.GetFileName(p) != BackupManifest.FileName)
                .ToDictionary(Path.GetFileName, p => File.Exists(p) ? StreamedFileCopyUploadTests.Sha(File.ReadAllBytes(p)) : "folder", StringComparer.Ordinal);

        private static BackupManifest Encrypted(string folder)
        {
            var manifest = NewManifest(folder);
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("replace"), hasDoltStores: false);
            return manifest;
        }

        /// <summary>
        /// An earlier encrypted archive in parts in dir/backup: the data dir, its segment size (dispose at the end of the
        /// test), the backup folder and its files.
        /// </summary>
        private static (string Data, IDisposable Segments, string Backup, Dictionary<string, string> Files) EarlierParts(TempDir dir)
        {
            string data = EncryptedArchivePartsTests.DataDir(dir);
            var segments = new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment);
            string backup = dir.Combine("backup");
            FileCopyBackup.Run(Encrypted(backup), new FileCopyOptions { DataDir = data });
            return (data, segments, backup, Snapshot(backup));
        }

        /// <summary>A move that fails once, for the first path whose name matches; the others (and the roll-back) move.</summary>
        private static Action<string, string> FailingOnce(Func<string, bool> fails, List<string> moved)
        {
            bool failed = false;
            return (from, to) =>
            {
                if (!failed && fails(Path.GetFileName(from)))
                {
                    failed = true;
                    throw new IOException("Input/output error (test)");
                }
                moved.Add(Path.GetFileName(from) + " -> " + Path.GetFileName(to));
                if (Directory.Exists(from)) Directory.Move(from, to); else File.Move(from, to);
            };
        }

        /// <summary>Changes the data dir so that the next archive's bytes differ.</summary>
        private static void Change(string data)
        {
            var random = new byte[3 << 20];
            new Random(14).NextBytes(random); // as many parts as before (gzip cannot shrink it)
            File.WriteAllBytes(Path.Combine(data, "big.bin"), random);
        }

        [Fact]
        public void Parts_over_earlier_parts_a_move_failing_halfway_puts_every_earlier_part_back()
        {
            using var dir = new TempDir();
            var (data, segments, backup, before) = EarlierParts(dir);
            using var held = segments;
            Assert.True(before.Keys.Count(k => k.StartsWith(Parts)) >= 4, string.Join(",", before.Keys));

            Change(data);
            var moved = new List<string>();
            var manifest = Encrypted(backup);
            var e = Assert.Throws<IOException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions
            {
                DataDir = data, Overwrite = true, Move = FailingOnce(n => n == Parts + "0002.p7m.partial", moved),
            }));

            Assert.Equal("Input/output error (test)", e.Message);
            Assert.Contains(Parts + "0001.p7m.partial -> " + Parts + "0001.p7m", moved); // part 1 was in place when part 2 failed
            Assert.Equal(before, Snapshot(backup)); // the earlier parts, byte for byte; no .partial, no .replaced
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Failed, d.Status));
        }

        [Fact]
        public void Parts_over_earlier_parts_replace_them_all_and_leave_nothing_aside()
        {
            using var dir = new TempDir();
            var (data, segments, backup, before) = EarlierParts(dir);
            using var held = segments;
            // An earlier, longer archive left a fifth part, and a stopped run a file moved aside: both go.
            File.WriteAllBytes(Path.Combine(backup, Parts + "0009.p7m"), new byte[] { 9 });
            File.WriteAllBytes(Path.Combine(backup, Parts + "0001.p7m" + FolderReplace.AsideSuffix), new byte[] { 1 });

            Change(data);
            var manifest = Encrypted(backup);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Overwrite = true });

            var after = Snapshot(backup);
            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal(archive.Parts.Select(p => p.StoredPath).OrderBy(n => n, StringComparer.Ordinal), after.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(archive.Parts, p => Assert.Equal(p.Sha256, after[p.StoredPath]));
            Assert.NotEqual(before[Parts + "0001.p7m"], after[Parts + "0001.p7m"]);
        }

        [Fact]
        public void One_file_over_earlier_parts_a_failing_move_leaves_the_earlier_parts_whole()
        {
            using var dir = new TempDir();
            var (_, segments, backup, before) = EarlierParts(dir);
            using var held = segments;
            string small = dir.Combine("small");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), small);

            // The new archive fits one file: it fails to move into place after the earlier parts were moved aside.
            var moved = new List<string>();
            Assert.Throws<IOException>(() => FileCopyBackup.Run(Encrypted(backup), new FileCopyOptions
            {
                DataDir = small, Overwrite = true, Move = FailingOnce(n => n == "datadir.tar.gz.p7m.partial", moved),
            }));
            Assert.Contains(moved, m => m.EndsWith(FolderReplace.AsideSuffix, StringComparison.Ordinal));
            Assert.Equal(before, Snapshot(backup));

            // Without the failure: the one file, and no part of the earlier archive.
            var manifest = Encrypted(backup);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = small, Overwrite = true });
            Assert.Null(manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts);
            Assert.Equal(new[] { "datadir.tar.gz.p7m" }, Snapshot(backup).Keys);
        }

        [Fact]
        public void A_tree_over_an_earlier_tree_a_failing_move_leaves_the_earlier_tree()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string backup = dir.Combine("backup");
            FileCopyBackup.Run(NewManifest(backup), new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tree });
            string marker = Path.Combine(backup, FileCopyLayout.TreeFolder, "earlier.txt");
            File.WriteAllText(marker, "earlier");

            Assert.Throws<IOException>(() => FileCopyBackup.Run(NewManifest(backup), new FileCopyOptions
            {
                DataDir = data, Format = FileCopyFormat.Tree, Overwrite = true, Move = FailingOnce(n => n == FileCopyLayout.TreeFolder + ".partial", new List<string>()),
            }));
            Assert.Equal("earlier", File.ReadAllText(marker));
            Assert.Equal(new[] { FileCopyLayout.TreeFolder }, Directory.GetFileSystemEntries(backup).Select(Path.GetFileName).Where(n => n != BackupManifest.FileName));
        }
    }
}
