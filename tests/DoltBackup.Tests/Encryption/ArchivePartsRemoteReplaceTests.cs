using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// -Force (FileCopyOptions.Overwrite) over an encrypted FileCopy set in parts in an object store: the new parts take
    /// the earlier set's names and an object store cannot rename, so the earlier manifest.json is deleted before the first
    /// new object is stored. A run cut midway leaves the set visibly incomplete (objects under its prefix, no
    /// manifest.json), never a manifest.json naming objects that now hold other bytes; the next run completes it.
    /// </summary>
    public class ArchivePartsRemoteReplaceTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private static BackupManifest Encrypted(TempDir dir, string name)
        {
            var manifest = NewManifest(dir.Combine("staging", name));
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("force"), hasDoltStores: false);
            return manifest;
        }

        /// <summary>Every object the manifest.json at <paramref name="set"/> names is there with its recorded size and SHA-256 (a fetch checks each).</summary>
        private static BackupManifest AssertManifestNamesItsBytes(IBackupLocation root, string set, TempDir dir, string name)
            => BackupSetTransfer.Fetch(root, set, dir.Combine("fetched", name), null, None);

        internal static void ForceOverASetInPartsCutMidUpload(IBackupLocation root, TempDir dir)
        {
            string data = EncryptedArchivePartsTests.DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment);
            string set = "20260101T000000Z-force-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            using (var at = new StagedDestinationTests.PrefixedLocation(root, set))
            {
                FileCopySync.SyncOffHost(Encrypted(dir, "first"), new FileCopyOptions { DataDir = data }, null, null, at, null, out var published);
                Assert.NotNull(published);
            }
            var earlier = AssertManifestNamesItsBytes(root, set, dir, "first");
            var earlierParts = earlier.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts;
            Assert.True(earlierParts.Count >= 3);

            // New bytes, the same part names; part 2's upload is cut after part 1 replaced the earlier part 1.
            var random = new byte[3 << 20];
            new Random(14).NextBytes(random);
            File.WriteAllBytes(Path.Combine(data, "big.bin"), random);
            var puts = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var cutting = new StreamedFileCopyUploadTests.CuttingLocation(new StagedDestinationTests.PrefixedLocation(root, set),
                key => { puts.Enqueue(key); return key.EndsWith("part0002.p7m", StringComparison.Ordinal); }, 1000);
            var e = Assert.ThrowsAny<Exception>(() => FileCopySync.SyncOffHost(Encrypted(dir, "cut"), new FileCopyOptions { DataDir = data, Overwrite = true }, null, null, cutting, null, out _));
            Assert.Contains("The source was cut (test).", e.ToString());
            Assert.Contains("datadir.tar.gz.part0001.p7m", puts);

            // Visibly incomplete: no manifest.json (none naming changed bytes); what is left lies under the set's prefix.
            Assert.Null(root.Stat(set + "/" + BackupManifest.FileName, None));
            var listing = RemoteSetCatalog.List(root, None);
            Assert.DoesNotContain(listing.Sets, s => s.Id == set);
            Assert.Contains(listing.FoldersWithoutManifest, f => f.EndsWith("/" + set, StringComparison.Ordinal));

            // The next run completes the set: its manifest names exactly the bytes stored, no earlier part beyond its last.
            using (var at = new StagedDestinationTests.PrefixedLocation(root, set))
            {
                FileCopySync.SyncOffHost(Encrypted(dir, "again"), new FileCopyOptions { DataDir = data, Overwrite = true }, null, null, at, null, out var published);
                Assert.NotNull(published);
            }
            var now = AssertManifestNamesItsBytes(root, set, dir, "again");
            Assert.Equal(BackupStatus.Completed, now.Status);
            var parts = now.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts;
            Assert.NotEqual(earlierParts[0].Sha256, parts[0].Sha256);
            var stored = root.List(set + "/", None).Select(o => o.Key.Substring(set.Length + 1)).Where(k => k.Contains(".part")).ToList();
            Assert.Equal(parts.Select(p => p.StoredPath), stored);
        }

        /// <summary>
        /// A run that stops with no clean-up (killed: here every removal of a part fails) leaves its parts under the set's
        /// prefix, named as parts of the set's archive, and no manifest.json: a folder without manifest in the listing.
        /// </summary>
        internal static void KilledUploadLeavesItsPartsUnderTheSetsPrefix(IBackupLocation root, TempDir dir)
        {
            string data = EncryptedArchivePartsTests.DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment);
            string set = "20260102T000000Z-killed-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var cutting = new StreamedFileCopyUploadTests.CuttingLocation(new NoPartRemoval(new StagedDestinationTests.PrefixedLocation(root, set)),
                key => key.EndsWith("part0003.p7m", StringComparison.Ordinal), 1000);
            Assert.ThrowsAny<Exception>(() => FileCopySync.SyncOffHost(Encrypted(dir, "killed"), new FileCopyOptions { DataDir = data }, null, null, cutting, null, out _));
            var left = root.List(set + "/", None).Select(o => o.Key.Substring(set.Length + 1)).Where(k => k != ".doltbackup.lock").ToList();
            Assert.Equal(new[] { "datadir.tar.gz.part0001.p7m", "datadir.tar.gz.part0002.p7m" }, left);
            Assert.Contains(RemoteSetCatalog.List(root, None).FoldersWithoutManifest, f => f.EndsWith("/" + set, StringComparison.Ordinal));
        }

        /// <summary>A location where removing a part fails, as in a process killed before its clean-up.</summary>
        private sealed class NoPartRemoval : IBackupLocation
        {
            private readonly IBackupLocation _inner;

            public NoPartRemoval(IBackupLocation inner) => _inner = inner;

            public string DisplayName => _inner.DisplayName;
            public StorageKind Kind => _inner.Kind;
            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken) => _inner.Put(key, content, cancellationToken);
            public Stream OpenRead(string key, CancellationToken cancellationToken) => _inner.OpenRead(key, cancellationToken);
            public StoredObject Stat(string key, CancellationToken cancellationToken) => _inner.Stat(key, cancellationToken);
            public System.Collections.Generic.IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken) => _inner.List(prefix, cancellationToken);

            public void Delete(string key, CancellationToken cancellationToken)
            {
                if (key.Contains(".part"))
                {
                    throw new IOException("killed (test)");
                }
                _inner.Delete(key, cancellationToken);
            }

            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => _inner.TryAcquireLock(key, staleAfter, cancellationToken);
            public void Dispose() => _inner.Dispose();
        }

        [Fact]
        public void A_killed_upload_leaves_its_parts_under_the_sets_prefix_and_no_manifest()
        {
            using var dir = new TempDir();
            KilledUploadLeavesItsPartsUnderTheSetsPrefix(new MemoryBackupLocation(), dir);
        }

        [Fact]
        public void Force_over_a_set_in_parts_cut_midway_leaves_no_manifest_naming_changed_bytes()
        {
            using var dir = new TempDir();
            ForceOverASetInPartsCutMidUpload(new MemoryBackupLocation(), dir);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Force_over_a_set_in_parts_on_the_emulator_cut_midway_leaves_no_manifest_naming_changed_bytes(string driver)
        {
            OnEmulator(driver, ForceOverASetInPartsCutMidUpload);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_killed_upload_to_the_emulator_leaves_its_parts_under_the_sets_prefix_and_no_manifest(string driver)
        {
            OnEmulator(driver, KilledUploadLeavesItsPartsUnderTheSetsPrefix);
        }

        private static void OnEmulator(string driver, Action<IBackupLocation, TempDir> check)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            using var root = BackupLocations.Open(url, context);
            check(root, dir);
        }
    }
}
