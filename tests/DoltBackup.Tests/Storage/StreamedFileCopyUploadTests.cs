using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Encryption;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// FileCopy sets off the host (issue 12): the archive streams from the tar writer (through gzip and the CMS
    /// encryption) into the object store's upload, never staged on disk; a cut upload leaves no archive object and no
    /// manifest.json of the new set, the previous set readable; the round trip restores. In memory here, against
    /// Azurite and s3rver in <see cref="StreamedFileCopyEmulatorTests"/>.
    /// </summary>
    public class StreamedFileCopyUploadTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        /// <summary>
        /// Records every file name created, renamed or changed in a folder (and below) while it is watched. Read
        /// <see cref="Names"/> after <see cref="Settle"/>, which waits until the events of everything done before it
        /// have arrived.
        /// </summary>
        internal sealed class FolderWatch : IDisposable
        {
            private readonly FileSystemWatcher _watcher;
            private readonly string _folder;
            private volatile bool _lost;
            public readonly ConcurrentBag<string> Names = new ConcurrentBag<string>();

            public FolderWatch(string folder)
            {
                Directory.CreateDirectory(folder);
                _folder = folder;
                _watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = true, InternalBufferSize = 64 * 1024 };
                _watcher.Created += (_, e) => Names.Add(e.Name);
                _watcher.Renamed += (_, e) => Names.Add(e.Name);
                _watcher.Changed += (_, e) => Names.Add(e.Name);
                _watcher.Error += (_, e) => _lost = true;
                _watcher.EnableRaisingEvents = true;
            }

            /// <summary>
            /// Waits (up to 30 s) until every event of what happened in the folder before this call has been delivered:
            /// a fence file is created in the folder, and since the watcher delivers the events of one folder tree in
            /// the order they happened (one inotify queue on Linux), its arrival means all earlier ones arrived. Events
            /// lost (the watcher's buffer overflowed) fail the test, so that "not seen" never means "not delivered".
            /// (A folder created while watched is watched from when its own creation is delivered, as with any
            /// recursive inotify watch: what is created in it sooner may not be seen, which no wait can mend.)
            /// </summary>
            public void Settle()
            {
                string fence = ".watch-fence-" + Guid.NewGuid().ToString("N");
                string path = Path.Combine(_folder, fence);
                File.WriteAllBytes(path, Array.Empty<byte>());
                try
                {
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    while (!Names.Contains(fence) && !_lost)
                    {
                        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"the watcher of '{_folder}' did not report its fence file within 30 s");
                        Thread.Sleep(5);
                    }
                }
                finally
                {
                    File.Delete(path);
                }
                Assert.False(_lost, $"the watcher of '{_folder}' lost events (its buffer overflowed): what it saw is not all that happened");
            }

            public void Dispose() => _watcher.Dispose();
        }

        internal static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

        internal static void AssertArchiveHolds(byte[] archive, bool gzip, string expectedDataDir, TempDir dir)
        {
            string file = dir.Combine("fetched-" + Guid.NewGuid().ToString("N").Substring(0, 6) + (gzip ? ".tar.gz" : ".tar"));
            File.WriteAllBytes(file, archive);
            string extracted = dir.Combine("extracted-" + Path.GetFileName(file));
            Directory.CreateDirectory(extracted);
            var x = Run("tar", extracted, gzip ? "-xzf" : "-xf", file);
            Assert.True(x.ExitCode == 0, x.Output);
            AssertSameTree(expectedDataDir, extracted);
        }

        [Fact]
        public void A_folder_watch_has_seen_everything_done_before_it_settles_and_no_fence_is_left()
        {
            using var dir = new TempDir();
            string folder = dir.Combine("watched");
            Directory.CreateDirectory(Path.Combine(folder, "sub"));
            using var watch = new FolderWatch(folder);
            var expected = new List<string>();
            for (int i = 0; i < 200; i++)
            {
                string name = i % 2 == 0 ? "f" + i : Path.Combine("sub", "f" + i);
                File.WriteAllText(Path.Combine(folder, name), "x");
                expected.Add(name);
            }
            watch.Settle(); // no fixed wait: right after the last write
            Assert.All(expected, name => Assert.Contains(name, watch.Names));
            Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(folder, f)).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Theory]
        [InlineData(FileCopyFormat.TarGzip)]
        [InlineData(FileCopyFormat.Tar)]
        public void The_archive_streams_into_the_location_and_no_archive_file_is_written_in_the_backup_folder(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string staging = dir.Combine("staging", "set");
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(staging);
            FileCopyResult result;
            using (var watch = new FolderWatch(dir.Combine("staging")))
            {
                result = FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format, UploadTo = store, UploadSetKey = "set-1" });
                watch.Settle();
                Assert.DoesNotContain(watch.Names, n => n.Contains("datadir"));
            }
            Assert.Empty(Directory.GetFiles(staging, "*", SearchOption.AllDirectories));
            string name = format == FileCopyFormat.Tar ? FileCopyLayout.TarFile : FileCopyLayout.TarGzipFile;
            Assert.Equal("memory://test/set-1/" + name, result.OutputPath);
            var archive = Assert.Single(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
            byte[] stored = BackupLocationContractTests.ReadAll(store, "set-1/" + name);
            Assert.Equal(name, archive.StoredPath);
            Assert.Equal(stored.Length, archive.Size);
            Assert.Equal(Sha(stored), archive.Sha256); // recorded always for an upload (the driver hashed what it sent)
            Assert.All(manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind), a => Assert.Equal(name, a.Archive));
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
            AssertArchiveHolds(stored, format == FileCopyFormat.TarGzip, data, dir);
        }

        [Fact]
        public void An_encrypted_archive_streams_through_the_CMS_encryption_and_records_its_ciphertext_hash_and_plaintext_size()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string staging = dir.Combine("staging", "set");
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(staging);
            var keys = TestKeys.Passphrase("streamed pass phrase");
            SetEncryption.Record(manifest, keys, hasDoltStores: false);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, UploadTo = store, UploadSetKey = "s" });
            Assert.False(Directory.Exists(staging) && Directory.GetFiles(staging, "*", SearchOption.AllDirectories).Length > 0);
            var archive = Assert.Single(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Encrypted);
            Assert.EndsWith(".p7m", archive.StoredPath);
            byte[] cipher = BackupLocationContractTests.ReadAll(store, "s/" + archive.StoredPath);
            Assert.Equal(Sha(cipher), archive.Sha256);
            Assert.Equal(cipher.Length, archive.Size);
            using var reader = new CmsAuthEnvelopedReader(new MemoryStream(cipher), keys, null, archive.StoredPath);
            using var plain = new MemoryStream();
            reader.CopyTo(plain);
            Assert.Null(archive.PlaintextSha256); // only with HashArchive, as the unencrypted archive's own hash
            Assert.Equal(archive.PlaintextSize, plain.Length);
            AssertArchiveHolds(plain.ToArray(), gzip: true, data, dir);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void A_tree_goes_up_file_by_file_encrypted_through_the_encrypting_location_when_the_set_is(bool encrypted)
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string staging = dir.Combine("staging", "set");
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(staging);
            var keys = TestKeys.Passphrase("tree pass phrase");
            if (encrypted)
            {
                SetEncryption.Record(manifest, keys, hasDoltStores: false);
            }
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tree, UploadTo = store, UploadSetKey = "t" });
            Assert.False(Directory.Exists(Path.Combine(staging, FileCopyLayout.TreeFolder)));
            var files = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).ToList();
            Assert.Equal(Directory.GetFiles(data, "*", SearchOption.AllDirectories).Count(f => Path.GetFileName(f) != "sql-server.info"), files.Count);
            foreach (var a in files)
            {
                byte[] stored = BackupLocationContractTests.ReadAll(store, "t/" + a.StoredPath);
                Assert.Equal(Sha(stored), a.Sha256);
                byte[] original = Path.GetFileName(a.OriginalPath) == "LOCK" ? new byte[0] : File.ReadAllBytes(a.OriginalPath);
                if (encrypted)
                {
                    Assert.True(a.Encrypted);
                    Assert.EndsWith(".p7m", a.StoredPath);
                    Assert.Equal(Sha(original), a.PlaintextSha256);
                }
                else
                {
                    Assert.Equal(original, stored);
                }
            }
        }

        /// <summary>Passes each chosen Put's content through a stream that breaks after <c>cutAfter</c> bytes (a transfer cut midway).</summary>
        internal sealed class CuttingLocation : IBackupLocation
        {
            private readonly IBackupLocation _inner;
            private readonly Func<string, bool> _cut;
            private readonly long _cutAfter;

            public CuttingLocation(IBackupLocation inner, Func<string, bool> cut, long cutAfter)
            {
                _inner = inner;
                _cut = cut;
                _cutAfter = cutAfter;
            }

            public string DisplayName => _inner.DisplayName;
            public StorageKind Kind => _inner.Kind;

            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
                => _inner.Put(key, _cut(key) ? new BackupLocationContractTests.FailingAfter(content, _cutAfter) : content, cancellationToken);

            public Stream OpenRead(string key, CancellationToken cancellationToken) => _inner.OpenRead(key, cancellationToken);
            public StoredObject Stat(string key, CancellationToken cancellationToken) => _inner.Stat(key, cancellationToken);
            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken) => _inner.List(prefix, cancellationToken);
            public void Delete(string key, CancellationToken cancellationToken) => _inner.Delete(key, cancellationToken);
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => _inner.TryAcquireLock(key, staleAfter, cancellationToken);
            public void Dispose() => _inner.Dispose();
        }

        /// <summary>A data dir (the server fixture) with one more file of <paramref name="bytes"/> random bytes.</summary>
        internal static string DataDirWithBigFile(TempDir dir, int bytes)
        {
            string data = CopyServerDataDir(dir);
            var random = new byte[bytes];
            new Random(7).NextBytes(random);
            File.WriteAllBytes(Path.Combine(data, Directory.GetDirectories(data).Select(Path.GetFileName).First(n => !n.StartsWith(".")), "big.bin"), random);
            return data;
        }

        /// <summary>
        /// Publishes a complete FileCopy set (previous) and then cuts the next set's upload midway: the previous set stays
        /// as it was, the new set has neither an archive object nor a manifest.json, its local manifest is not Completed.
        /// </summary>
        internal static void CutUploadLeavesThePreviousSetAndNoNewSet(IBackupLocation root, TempDir dir, int bigFile, long cutAfter)
        {
            string data = DataDirWithBigFile(dir, bigFile);
            var previous = NewManifest(dir.Combine("staging", "previous"));
            previous.Id = "20260101T000000Z-prev";
            previous.Destination.BackupFolder = dir.Combine("staging", previous.Id);
            using (var at = new StagedDestinationTests.PrefixedLocation(root, previous.Id))
            {
                FileCopySync.SyncOffHost(previous, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar }, null, null, at, null, out var published);
                Assert.NotNull(published);
            }
            Assert.Equal(BackupStatus.Completed, previous.Status);
            var before = root.List(previous.Id + "/", None).Select(o => (o.Key, o.Size)).ToList();

            var next = NewManifest(dir.Combine("staging", "next"));
            next.Id = "20260102T000000Z-next";
            next.Destination.BackupFolder = dir.Combine("staging", next.Id);
            var cutting = new CuttingLocation(new StagedDestinationTests.PrefixedLocation(root, next.Id), key => key.Contains("datadir"), cutAfter);
            var e = Assert.Throws<StorageException>(() => FileCopySync.SyncOffHost(next, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar }, null, null, cutting, null, out _));
            Assert.Contains("datadir.tar", e.Message);
            Assert.True(before.Single(o => o.Key.EndsWith("/" + FileCopyLayout.TarFile)).Size > cutAfter + (1 << 20), "the cut comes midway through the archive");
            Assert.NotEqual(BackupStatus.Completed, next.Status);
            Assert.NotEqual(BackupStatus.Completed, ManifestStore.Read(next.BackupFolder).Status);
            Assert.Empty(root.List(next.Id + "/", None).Where(o => !o.Key.EndsWith(".doltbackup.lock", StringComparison.Ordinal)));
            Assert.Equal(before, root.List(previous.Id + "/", None).Select(o => (o.Key, o.Size)).ToList());
            var listing = RemoteSetCatalog.List(root, None);
            var only = Assert.Single(listing.Sets);
            Assert.Equal(previous.Id, only.Id);
            Assert.Equal(BackupStatus.Completed, only.Status);
        }

        [Fact]
        public void A_cut_upload_leaves_the_previous_set_intact_and_the_new_set_without_archive_or_manifest()
        {
            using var dir = new TempDir();
            CutUploadLeavesThePreviousSetAndNoNewSet(new MemoryBackupLocation(), dir, 3 << 20, 1 << 20);
        }

        [Fact]
        public void A_failed_upload_of_the_manifest_after_the_archive_leaves_the_set_not_Completed_here_and_there()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var store = new MemoryBackupLocation { FailPut = key => key == "manifest.json" ? new IOException("connection reset (test)") : null };
            var manifest = NewManifest(dir.Combine("staging", "set"));
            Assert.ThrowsAny<Exception>(() => FileCopySync.SyncOffHost(manifest, new FileCopyOptions { DataDir = data }, null, null, store, null, out _));
            Assert.NotNull(store.Stat(FileCopyLayout.TarGzipFile, None)); // the archive went up, streamed
            Assert.Null(store.Stat("manifest.json", None)); // visibly incomplete there
            Assert.Equal(BackupStatus.PartiallyCompleted, ManifestStore.Read(manifest.BackupFolder).Status);
            Assert.Contains(manifest.Errors, e => e.ErrorId == "DoltBackup.UploadFailed");
        }

        [Fact]
        public void A_failing_service_is_reported_as_the_upload_error_not_as_a_broken_pipe()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var store = new MemoryBackupLocation { FailPut = key => key.Contains("datadir") ? new StorageException("StorageAccessDenied", System.Management.Automation.ErrorCategory.PermissionDenied, key, "Access denied to '" + key + "' (test).", "Grant write access.") : null };
            var manifest = NewManifest(dir.Combine("staging", "set"));
            var e = Assert.Throws<StorageException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, UploadTo = store, UploadSetKey = "x" }));
            Assert.Equal("StorageAccessDenied", e.ErrorId);
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Failed, d.Status));
            Assert.Empty(store.List("", None));
        }

        [Fact]
        public void A_copy_stopped_midway_abandons_the_upload_and_stores_nothing()
        {
            using var dir = new TempDir();
            string data = DataDirWithBigFile(dir, 6 << 20);
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(dir.Combine("staging", "set"));
            using var stop = new CancellationTokenSource();
            var options = new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar, UploadTo = store, UploadSetKey = "c", CancellationToken = stop.Token };
            // Stopped (Ctrl+C) once 2 MiB of the data dir were read: the writer never reaches the end of the archive.
            options.Progress = p =>
            {
                if (p.BytesDone > 2 << 20)
                {
                    stop.Cancel();
                }
            };
            Assert.ThrowsAny<OperationCanceledException>(() => FileCopyBackup.Run(manifest, options));
            Assert.Empty(store.List("", None)); // an ended pipe would have stored a truncated archive
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Failed, d.Status));
        }

        [Fact]
        public void An_existing_archive_in_the_object_store_is_not_replaced_without_overwrite()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var store = new MemoryBackupLocation();
            store.Put("x/datadir.tar.gz", new MemoryStream(new byte[] { 1, 2, 3 }), None);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            var e = Assert.Throws<IOException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, UploadTo = store, UploadSetKey = "x" }));
            Assert.Contains("memory://test/x/datadir.tar.gz", e.Message);
            Assert.DoesNotContain("-Force", e.Message); // Sync-DoltBackup has no -Force: the advice is a new set
            Assert.Contains("New-DoltBackup", e.Message);
            Assert.Equal(3, store.Stat("x/datadir.tar.gz", None).Size);
        }

        /// <summary>A streamed set in memory (archive via the upload, manifest.json written beside), read back by streaming.</summary>
        private static (MemoryBackupLocation Store, BackupManifest Manifest) StreamedSet(TempDir dir, string data, FileCopyFormat format = FileCopyFormat.TarGzip)
        {
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(dir.Combine("staging", "set"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format, UploadTo = store, UploadSetKey = "" });
            ManifestStore.Write(manifest);
            BackupSetTransfer.Publish(manifest.BackupFolder, store, "", null, None);
            return (store, RemoteSetCatalog.ReadManifest(store, "", None));
        }

        private static List<DoltBackup.Verification.VerificationResult> VerifyStreaming(IBackupLocation store, BackupManifest manifest, bool deep)
        {
            var results = new List<DoltBackup.Verification.VerificationResult>();
            DoltBackup.Verification.BackupVerifier.VerifyManifest(manifest, new DoltBackup.Verification.VerificationOptions { Deep = deep }, results.Add, new RemoteSetFiles(store, "", None));
            return results;
        }

        [Fact]
        public void A_remote_FileCopy_set_verifies_by_streaming_its_objects_and_Deep_checks_the_stores_in_the_archive()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var (store, manifest) = StreamedSet(dir, data);
            var results = VerifyStreaming(store, manifest, deep: true);
            Assert.DoesNotContain(results, r => r.Status == DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(results, r => r.Check == "Artifact.Sha256" && r.Target == FileCopyLayout.TarGzipFile && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(results, r => r.Level != DoltBackup.Verification.VerificationLevel.Artifact && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(results, r => r.Target.StartsWith(FileCopyLayout.TarGzipFile + ":") && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
        }

        [Fact]
        public void An_encrypted_remote_set_is_decrypted_and_checked_in_the_one_streamed_pass()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var store = new MemoryBackupLocation();
            var written = NewManifest(dir.Combine("staging", "set"));
            SetEncryption.Record(written, TestKeys.Passphrase("verify pass phrase"), hasDoltStores: false);
            FileCopySync.SyncOffHost(written, new FileCopyOptions { DataDir = data }, null, null, store, null, out _);
            var manifest = RemoteSetCatalog.ReadManifest(store, "", None);
            var results = new List<DoltBackup.Verification.VerificationResult>();
            DoltBackup.Verification.BackupVerifier.VerifyManifest(manifest, new DoltBackup.Verification.VerificationOptions { Deep = true, Passphrase = TestKeys.Secure("verify pass phrase") },
                results.Add, new RemoteSetFiles(store, "", None));
            Assert.DoesNotContain(results, r => r.Status == DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(results, r => r.Check == "Artifact.Decrypted" && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(results, r => r.Level != DoltBackup.Verification.VerificationLevel.Artifact && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
        }

        [Fact]
        public void A_flipped_byte_or_a_missing_object_in_a_remote_set_fails_its_streamed_verification()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var (store, manifest) = StreamedSet(dir, data, FileCopyFormat.Tar);
            byte[] archive = BackupLocationContractTests.ReadAll(store, FileCopyLayout.TarFile);
            archive[archive.Length / 3] ^= 0x20;
            store.Put(FileCopyLayout.TarFile, new MemoryStream(archive), None);
            var flipped = VerifyStreaming(store, manifest, deep: false);
            Assert.Contains(flipped, r => r.Target == FileCopyLayout.TarFile && r.Check == "Artifact.Sha256" && r.Status == DoltBackup.Verification.VerificationStatus.Failed);

            store.Delete(FileCopyLayout.TarFile, None);
            var missing = VerifyStreaming(store, manifest, deep: false);
            Assert.Contains(missing, r => r.Target == FileCopyLayout.TarFile && r.Check == "Artifact.Present" && r.Status == DoltBackup.Verification.VerificationStatus.Failed
                && r.Path == "memory://test/" + FileCopyLayout.TarFile);
        }
    }

    /// <summary>
    /// Peak memory of a streamed upload, alone (no other test allocates meanwhile): a coarse guard that the archive is
    /// never held whole in memory. The real measure is the offhost-upload benchmark.
    /// </summary>
    [CollectionDefinition("StreamedUploadMemory", DisableParallelization = true)]
    public class StreamedUploadMemoryCollection
    {
    }

    [Collection("StreamedUploadMemory")]
    public class StreamedUploadMemoryTests
    {
        /// <summary>Reads every Put to its end, hashing it as a driver does, and keeps nothing.</summary>
        private sealed class DiscardingLocation : IBackupLocation
        {
            public long Received;
            public string DisplayName => "discard://";
            public StorageKind Kind => StorageKind.Memory;

            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
            {
                using var digest = new DigestingReadStream(content);
                var buffer = new byte[81920];
                long size = 0;
                int n;
                while ((n = digest.Read(buffer, 0, buffer.Length)) > 0)
                {
                    size += n;
                }
                Received += size;
                return new StoredObject { Key = key, Size = size, Sha256 = digest.Sha256Hex };
            }

            public Stream OpenRead(string key, CancellationToken cancellationToken) => throw new NotSupportedException();
            public StoredObject Stat(string key, CancellationToken cancellationToken) => null;
            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken) => Array.Empty<StoredObject>();
            public void Delete(string key, CancellationToken cancellationToken) { }
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => throw new NotSupportedException();
            public void Dispose() { }
        }

        [Fact]
        public void A_200_MB_archive_streams_with_bounded_managed_memory()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string db = Directory.GetDirectories(data).Select(Path.GetFileName).First(n => !n.StartsWith("."));
            const long big = 200L << 20;
            using (var f = File.Create(Path.Combine(data, db, "big.bin")))
            {
                f.SetLength(big); // sparse: 200 MB read as zeros, no disk used
            }
            var sink = new DiscardingLocation();
            var manifest = NewManifest(dir.Combine("staging", "set"));
            GC.Collect();
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar, UploadTo = sink, UploadSetKey = "m" });
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Assert.True(sink.Received > big, $"{sink.Received} bytes uploaded");
            // The tar pipeline's and the pipe's buffers are allocated once and reused: far below the archive's size.
            Assert.True(allocated < 64L << 20, $"{allocated >> 20} MiB allocated to stream a {sink.Received >> 20} MiB archive");
            Assert.Empty(Directory.GetFiles(dir.Combine("staging"), "*", SearchOption.AllDirectories));
        }

        [Fact]
        public void The_pipe_holds_at_most_its_chunks_however_slow_the_upload()
        {
            var slow = new SlowLocation();
            using (var upload = new StreamedUpload(slow, "k", CancellationToken.None, chunkSize: 64 * 1024, chunks: 4))
            {
                var buffer = new byte[100_000];
                for (int i = 0; i < 200; i++)
                {
                    upload.Writer.Write(buffer, 0, buffer.Length);
                }
                var stored = upload.Complete();
                Assert.Equal(20_000_000, stored.Size);
                Assert.True(upload.PeakBytesBuffered <= 4 * 64 * 1024, upload.PeakBytesBuffered.ToString());
            }
        }

        private sealed class SlowLocation : IBackupLocation
        {
            public string DisplayName => "slow://";
            public StorageKind Kind => StorageKind.Memory;

            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
            {
                var buffer = new byte[50_000];
                long size = 0;
                int n;
                while ((n = content.Read(buffer, 0, buffer.Length)) > 0)
                {
                    size += n;
                    if (size % 1_000_000 < 50_000)
                    {
                        Thread.Sleep(1);
                    }
                }
                return new StoredObject { Key = key, Size = size };
            }

            public Stream OpenRead(string key, CancellationToken cancellationToken) => throw new NotSupportedException();
            public StoredObject Stat(string key, CancellationToken cancellationToken) => null;
            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken) => Array.Empty<StoredObject>();
            public void Delete(string key, CancellationToken cancellationToken) { }
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => throw new NotSupportedException();
            public void Dispose() { }
        }
    }
}

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// The streamed FileCopy upload against Azurite and s3rver, through the cmdlets: New-DoltBackup -Method FileCopy
    /// -Destination s3://|az:// | Sync-DoltBackup writes no archive file in the staging folder, the piped set verifies
    /// from the object store, and after every local trace is deleted the set restores from its URL alone; a transfer
    /// cut midway (a multipart upload / staged blocks) leaves no archive object, no new manifest.json, the previous set intact.
    /// </summary>
    public class StreamedFileCopyEmulatorTests
    {
        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void FileCopy_to_an_object_store_streams_the_archive_verifies_and_restores_from_the_url_alone(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string data = dir.Combine("srv", "data");
            string home = dir.Combine("srv", "home", ".dolt");
            string staging = dir.Combine("staging");
            using var host = new PowerShellHost();
            PowerShellResult backup;
            using (var watch = new StreamedFileCopyUploadTests.FolderWatch(staging))
            {
                backup = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] | Sync-DoltBackup -GlobalConfigDir $args[4] -Verbose",
                    data, url, staging, context, home);
                watch.Settle();
                Assert.DoesNotContain(watch.Names, n => n.Contains("datadir"));
            }
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, backup.AllText());
            var local = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            Assert.Equal(url + "/" + local.Id, local.Destination.ObjectStoreUrl);
            Assert.Contains(backup.Verbose, v => v.Contains("streamed"));
            Assert.DoesNotContain(Directory.GetFiles(staging, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith("datadir"));
            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List(local.Id + "/", CancellationToken.None).ToDictionary(o => o.Key, o => o.Size);
                var archive = Assert.Single(local.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
                Assert.Equal(archive.Size, keys[local.Id + "/" + FileCopyLayout.TarGzipFile]);
                Assert.Contains(local.Id + "/manifest.json", keys.Keys);
                Assert.Equal(archive.Sha256, StreamedFileCopyUploadTests.Sha(BackupLocationContractTests.ReadAll(location, local.Id + "/" + FileCopyLayout.TarGzipFile)));
            }

            // The manifest Sync-DoltBackup emitted is tested from the object store (its archive is only there).
            var piped = host.Run("$args[0] | Test-DoltBackup -Deep -StorageContext $args[1]", local, context);
            Assert.True(piped.Errors.Count == 0, piped.AllText());
            Assert.Contains(piped.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Check")?.GetValue(c)?.ToString()?.Contains("Archive") == true
                || c.GetType().GetProperty("Target")?.GetValue(c)?.ToString()?.Contains("datadir") == true);
            Assert.DoesNotContain(piped.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Status")?.GetValue(c)?.ToString() == "Failed");

            // Test-DoltBackup on the URL streams the objects through its checks: nothing is downloaded first.
            var streamed = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1] -Deep -Verbose", url + "/" + local.Id, context);
            Assert.True(streamed.Errors.Count == 0, streamed.AllText());
            Assert.Contains(streamed.Verbose, v => v.Contains("by streaming its objects"));
            Assert.DoesNotContain(streamed.Progress, p => p.Activity.StartsWith("Downloading "));
            Assert.Contains(streamed.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>(), r => r.Level != DoltBackup.Verification.VerificationLevel.Artifact && r.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.DoesNotContain(streamed.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>(), r => r.Status == DoltBackup.Verification.VerificationStatus.Failed);

            string expected = dir.Combine("expected");
            TempDir.CopyTree(data, expected);
            Directory.Delete(staging, recursive: true);
            Directory.Delete(dir.Combine("srv"), recursive: true);
            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false", url + "/" + local.Id, context, target);
            Assert.True(restore.Errors.Count == 0, restore.AllText());
            AssertSameTree(expected, target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_transfer_cut_midway_leaves_no_archive_object_no_new_manifest_and_the_previous_set_intact(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            using var root = BackupLocations.Open(url, context);
            // 24 MiB: S3 sends a 16 MiB part before the cut; Azure stages 8 MiB blocks it never commits.
            StreamedFileCopyUploadTests.CutUploadLeavesThePreviousSetAndNoNewSet(root, dir, 24 << 20, 18 << 20);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_set_fetched_for_a_restore_lands_in_an_owner_only_folder_removed_afterwards(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            manifest.Id = "20260103T000000Z-fetch";
            manifest.Destination.BackupFolder = dir.Combine("staging", manifest.Id);
            using (var root = BackupLocations.Open(url, context))
            using (var at = new StagedDestinationTests.PrefixedLocation(root, manifest.Id))
            {
                FileCopySync.SyncOffHost(manifest, new FileCopyOptions { DataDir = data }, null, null, at, null, out _);
            }
            string folder;
            using (var staged = StagedBackupSet.Fetch(url + "/" + manifest.Id, context, null, CancellationToken.None))
            {
                folder = staged.Folder;
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
                }
                Assert.True(File.Exists(Path.Combine(folder, FileCopyLayout.TarGzipFile)));
            }
            Assert.False(Directory.Exists(folder));
        }

        [Fact]
        public void New_DoltBackup_plans_a_FileCopy_set_under_the_destination_and_stages_only_its_manifest()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.Combine("data", "db1", ".dolt", "noms"));
            using var host = new PowerShellHost();
            var r = host.Run("New-DoltBackup -Method FileCopy -Name prod -DataDir $args[0] -Destination 's3://bucket/root' -StagingPath $args[1]", dir.Combine("data"), dir.Combine("staging"));
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal("s3://bucket/root/" + m.Id, m.Destination.ObjectStoreUrl);
            Assert.Equal(Path.Combine(dir.Combine("staging"), m.Id), m.BackupFolder);
            Assert.Equal(new[] { "manifest.json" }, Directory.GetFiles(dir.Combine("staging"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
        }

        [Fact]
        public void FileCopy_with_Path_and_an_object_store_Destination_is_refused_clearly()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            using var host = new PowerShellHost();
            var r = host.Run("New-DoltBackup -Method FileCopy -DataDir $args[0] -Destination 's3://bucket/root' -Path $args[1]", data, dir.Combine("b"));
            var error = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Contains("-StagingPath", error.Exception.Message);
            Assert.False(Directory.Exists(dir.Combine("b")));
        }
    }
}
