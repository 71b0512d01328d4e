using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// The same cases against every driver of the storage seam: in-memory, local folder, Azurite (Azure Blob) and
    /// s3rver (S3). The emulator drivers are in the data only where the emulator is installed (or required by
    /// DOLTBACKUP_REQUIRE_OBJECTSTORES=1); EmulatorsArePresent reports a skip otherwise.
    /// </summary>
    public sealed class BackupLocationContractTests : IDisposable
    {
        private static readonly CancellationToken None = CancellationToken.None;
        private readonly List<IDisposable> _cleanup = new List<IDisposable>();

        public static IEnumerable<object[]> Drivers()
        {
            yield return new object[] { "memory" };
            yield return new object[] { "local" };
            if (ObjectStoreServers.AzuriteInstalled || ObjectStoreServers.Required)
            {
                yield return new object[] { "azurite" };
            }
            if (ObjectStoreServers.S3rverInstalled || ObjectStoreServers.Required)
            {
                yield return new object[] { "s3rver" };
            }
        }

        public static IEnumerable<object[]> Emulators() => Drivers().Where(d => (string)d[0] == "azurite" || (string)d[0] == "s3rver");

        internal IBackupLocation Open(string driver)
        {
            string prefix = "t-" + Guid.NewGuid().ToString("N").Substring(0, 10);
            IBackupLocation location;
            switch (driver)
            {
                case "memory":
                    location = new MemoryBackupLocation();
                    break;
                case "local":
                    var dir = new TempDir();
                    _cleanup.Add(dir);
                    location = BackupLocations.Open(dir.Path, null);
                    break;
                case "azurite":
                    ObjectStoreServers.CreateContainer("contract");
                    location = BackupLocations.Open($"az://{ObjectStoreServers.AzuriteAccount}/contract/{prefix}", ObjectStoreServers.AzuriteContext());
                    break;
                case "s3rver":
                    location = BackupLocations.Open($"s3://{ObjectStoreServers.S3Bucket}/{prefix}", ObjectStoreServers.S3rverContext());
                    break;
                default:
                    throw new ArgumentException(driver);
            }
            _cleanup.Add(location);
            return location;
        }

        public void Dispose()
        {
            foreach (var d in _cleanup)
            {
                d.Dispose();
            }
        }

        private static string Sha256Hex(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

        private static string Md5Hex(byte[] b) => Convert.ToHexString(MD5.HashData(b)).ToLowerInvariant();

        internal static byte[] ReadAll(IBackupLocation l, string key)
        {
            using var s = l.OpenRead(key, None);
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }

        private static byte[] RandomBytes(int n)
        {
            var b = new byte[n];
            new Random(n).NextBytes(b);
            return b;
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void Put_then_read_back_gives_the_same_bytes_size_and_hashes(string driver)
        {
            var l = Open(driver);
            byte[] data = Encoding.UTF8.GetBytes("{\"hello\": \"set\"}\n");
            var stored = l.Put("set-1/manifest.json", new MemoryStream(data), None);
            Assert.Equal(data.Length, stored.Size);
            Assert.Equal(Sha256Hex(data), stored.Sha256);
            Assert.Equal(data, ReadAll(l, "set-1/manifest.json"));
            var stat = l.Stat("set-1/manifest.json", None);
            Assert.Equal(data.Length, stat.Size);
            Assert.True(stat.ServiceMd5 == null || stat.ServiceMd5 == Md5Hex(data), $"service MD5 {stat.ServiceMd5}");
            Assert.NotNull(stat.LastModifiedUtc);
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void An_object_larger_than_one_part_streams_from_a_non_seekable_source_intact(string driver)
        {
            var l = Open(driver);
            byte[] data = RandomBytes(DoltBackup.Storage.S3.S3BackupLocation.PartSize + 123_457);
            var stored = l.Put("set-1/data/archive.tar", new NonSeekable(new MemoryStream(data)), None);
            Assert.Equal(Sha256Hex(data), stored.Sha256);
            Assert.Equal(data.LongLength, l.Stat("set-1/data/archive.tar", None).Size);
            Assert.Equal(Sha256Hex(data), Sha256Hex(ReadAll(l, "set-1/data/archive.tar")));
        }

        [S3rverFact]
        public void S3_an_object_of_more_parts_than_buffers_in_flight_is_stored_intact_with_its_sha256()
        {
            // 5 MiB parts (S3's minimum), 7 parts and a tail: every part buffer is reused at least once.
            var l = (DoltBackup.Storage.S3.S3BackupLocation)Open("s3rver");
            l.PartBytes = 5 * 1024 * 1024;
            byte[] data = RandomBytes(7 * l.PartBytes + 4321);
            var stored = l.Put("set-1/data/archive.tar", new NonSeekable(new MemoryStream(data)), None);
            Assert.Equal(Sha256Hex(data), stored.Sha256);
            Assert.Equal(data.LongLength, stored.Size);
            Assert.Equal(Sha256Hex(data), Sha256Hex(ReadAll(l, "set-1/data/archive.tar")));
            // Exactly one part: a multipart upload of one part, no empty second part.
            byte[] one = RandomBytes(l.PartBytes);
            Assert.Equal(Sha256Hex(one), l.Put("set-1/one.bin", new NonSeekable(new MemoryStream(one)), None).Sha256);
            Assert.Equal(one, ReadAll(l, "set-1/one.bin"));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void What_Put_reports_identifies_the_object_as_the_listing_does(string driver)
        {
            // The published-files record compares the identity Put reported with the next listing's.
            var l = Open(driver);
            if (l is DoltBackup.Storage.S3.S3BackupLocation s3)
            {
                s3.PartBytes = 5 * 1024 * 1024;
            }
            foreach (var (key, size) in new[] { ("set-1/small.bin", 1000), ("set-1/large.bin", 5 * 1024 * 1024 + 77) })
            {
                var stored = l.Put(key, new NonSeekable(new MemoryStream(RandomBytes(size))), None);
                var listed = l.List("set-1/", None).Single(o => o.Key == key);
                Assert.Equal(listed.Size, stored.Size);
                if (driver == "local")
                {
                    continue; // A local folder's listing gives no hash: a re-publish there reads the files (as before).
                }
                Assert.NotNull(UploadSkipDecision.RemoteIdOf(listed));
                Assert.Equal(UploadSkipDecision.RemoteIdOf(listed), UploadSkipDecision.RemoteIdOf(stored));
            }
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void A_missing_object_is_null_for_stat_and_a_named_error_for_read(string driver)
        {
            var l = Open(driver);
            Assert.Null(l.Stat("set-1/none.json", None));
            var e = Assert.Throws<StorageException>(() => ReadAll(l, "set-1/none.json"));
            Assert.Equal("StorageObjectNotFound", e.ErrorId);
            Assert.Contains("set-1/none.json", e.Message);
            Assert.EndsWith("set-1/none.json", e.Target);
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void List_returns_the_keys_under_a_prefix_in_order_with_sizes(string driver)
        {
            var l = Open(driver);
            l.Put("b-set/manifest.json", new MemoryStream(new byte[3]), None);
            l.Put("a-set/x/2.bin", new MemoryStream(new byte[2]), None);
            l.Put("a-set/manifest.json", new MemoryStream(new byte[1]), None);
            Assert.Equal(new[] { "a-set/manifest.json", "a-set/x/2.bin" }, l.List("a-set/", None).Select(o => o.Key));
            var all = l.List("", None);
            Assert.Equal(new[] { "a-set/manifest.json", "a-set/x/2.bin", "b-set/manifest.json" }, all.Select(o => o.Key));
            Assert.Equal(new long[] { 1, 2, 3 }, all.Select(o => o.Size));
            Assert.Empty(l.List("c-set/", None));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void A_listing_of_more_than_one_page_returns_every_key(string driver)
        {
            // S3 and Azure answer at most 1,000 / 5,000 keys per page: the driver follows the continuation tokens
            // (on s3rver those need Node's legacy OpenSSL provider, which the test server is started with).
            var l = Open(driver);
            var keys = Enumerable.Range(0, 1001).Select(i => $"set/.stores/db/{i:D5}").ToList();
            foreach (var k in keys)
            {
                l.Put(k, new MemoryStream(new byte[] { 1 }), None);
            }
            Assert.Equal(keys, l.List("set/", None).Select(o => o.Key));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void Put_replaces_and_delete_removes_and_deleting_a_missing_object_is_fine(string driver)
        {
            var l = Open(driver);
            l.Put("k", new MemoryStream(new byte[] { 1 }), None);
            l.Put("k", new MemoryStream(new byte[] { 2, 2 }), None);
            Assert.Equal(new byte[] { 2, 2 }, ReadAll(l, "k"));
            l.Delete("k", None);
            Assert.Null(l.Stat("k", None));
            l.Delete("k", None);
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void A_cut_upload_leaves_the_previous_object_intact(string driver)
        {
            var l = Open(driver);
            byte[] v1 = Encoding.UTF8.GetBytes("previous manifest");
            l.Put("set-1/manifest.json", new MemoryStream(v1), None);
            var cut = new FailingAfter(new MemoryStream(RandomBytes(DoltBackup.Storage.S3.S3BackupLocation.PartSize + 1000)), DoltBackup.Storage.S3.S3BackupLocation.PartSize + 10);
            Assert.ThrowsAny<Exception>(() => l.Put("set-1/manifest.json", cut, None));
            Assert.Equal(v1, ReadAll(l, "set-1/manifest.json"));
            Assert.Equal(new[] { "set-1/manifest.json" }, l.List("", None).Select(o => o.Key));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void One_writer_holds_the_lock_until_it_releases_it(string driver)
        {
            var l = Open(driver);
            using (var first = l.TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromSeconds(30), None))
            {
                Assert.NotNull(first);
                Assert.Null(l.TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromSeconds(30), None));
            }
            using var again = l.TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromSeconds(30), None);
            Assert.NotNull(again);
        }

        [Fact]
        public void Memory_a_lock_not_renewed_is_taken_over_after_the_stale_timeout()
        {
            var now = DateTime.UtcNow;
            var l = new MemoryBackupLocation { UtcNow = () => now };
            var crashed = l.TryAcquireLock("s/.doltbackup.lock", TimeSpan.FromMinutes(5), None);
            Assert.NotNull(crashed);
            Assert.Null(l.TryAcquireLock("s/.doltbackup.lock", TimeSpan.FromMinutes(5), None));
            now = now.AddMinutes(6);
            Assert.NotNull(l.TryAcquireLock("s/.doltbackup.lock", TimeSpan.FromMinutes(5), None));
        }

        [S3rverFact]
        public void S3_a_lock_object_past_its_expiry_is_taken_over()
        {
            // s3rver ignores If-None-Match: this proves the expiry and read-back path, not the conditional create.
            var l = Open("s3rver");
            string stale = "{\"Owner\":\"gone\",\"Host\":\"old\",\"ExpiresUtc\":\"2020-01-01T00:00:00Z\"}";
            l.Put("s/.doltbackup.lock", new MemoryStream(Encoding.UTF8.GetBytes(stale)), None);
            using var mine = l.TryAcquireLock("s/.doltbackup.lock", TimeSpan.FromSeconds(30), None);
            Assert.NotNull(mine);
            Assert.Null(l.TryAcquireLock("s/.doltbackup.lock", TimeSpan.FromSeconds(30), None));
        }

        [AzuriteFact]
        public void Azure_a_missing_container_is_a_named_error()
        {
            using var l = BackupLocations.Open($"az://{ObjectStoreServers.AzuriteAccount}/no-such-container/p", ObjectStoreServers.AzuriteContext());
            var e = Assert.Throws<StorageException>(() => l.List("", None));
            Assert.Equal("StorageContainerNotFound", e.ErrorId);
            Assert.Contains("no-such-container", e.Message);
        }

        [S3rverFact]
        public void S3_a_missing_bucket_is_a_named_error()
        {
            using var l = BackupLocations.Open("s3://no-such-bucket/p", ObjectStoreServers.S3rverContext());
            var e = Assert.Throws<StorageException>(() => l.List("", None));
            Assert.Equal("StorageContainerNotFound", e.ErrorId);
            Assert.Contains("no-such-bucket", e.Message);
        }

        [AzuriteFact]
        public void Azure_a_wrong_key_is_access_denied_and_the_error_holds_no_secret()
        {
            _ = ObjectStoreServers.AzuritePort;
            string wrongKey = Convert.ToBase64String(RandomBytes(64));
            string cs = ObjectStoreServers.AzuriteConnectionString().Replace(ObjectStoreServers.AzuriteKey, wrongKey);
            ObjectStoreServers.CreateContainer("contract");
            using var l = BackupLocations.Open($"az://{ObjectStoreServers.AzuriteAccount}/contract/p", ObjectStoreServers.AzuriteContext(cs));
            var e = Assert.Throws<StorageException>(() => l.Put("x", new MemoryStream(new byte[1]), None));
            Assert.Equal("StorageAccessDenied", e.ErrorId);
            Assert.DoesNotContain(wrongKey, e.Message + e.RecommendedAction + e.Target);
        }

        [S3rverFact]
        public void S3_a_wrong_secret_is_access_denied_and_the_error_holds_no_secret()
        {
            _ = ObjectStoreServers.S3rverPort;
            // s3rver checks the access key id only (its one key is S3RVER): an unknown key id is the refusal it can give.
            string secret = "WrongSecret-" + Guid.NewGuid().ToString("N");
            using var l = BackupLocations.Open($"s3://{ObjectStoreServers.S3Bucket}/p", ObjectStoreServers.S3rverContext(secret, accessKey: "AKIAWRONGKEY"));
            var e = Assert.Throws<StorageException>(() => l.Put("x", new MemoryStream(new byte[1]), None));
            Assert.Equal("StorageAccessDenied", e.ErrorId);
            Assert.DoesNotContain(secret, e.Message + e.RecommendedAction + e.Target);
        }

        [Fact]
        public void S3_an_endpoint_that_is_down_is_a_named_connection_error()
        {
            int port = ObjectStoreServers.FreePort();
            var ctx = ObjectStoreServers.S3rverContext(endpoint: $"http://127.0.0.1:{port}");
            ctx.MaxRetries = 0;
            using var l = BackupLocations.Open("s3://bucket-down/p", ctx);
            var e = Assert.Throws<StorageException>(() => l.Stat("set/manifest.json", None));
            Assert.Equal("StorageEndpointUnreachable", e.ErrorId);
            Assert.Contains("set/manifest.json", e.Message);
        }

        [Fact]
        public void Azure_an_endpoint_that_is_down_is_a_named_connection_error()
        {
            int port = ObjectStoreServers.FreePort();
            var ctx = ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString(port));
            ctx.MaxRetries = 0;
            using var l = BackupLocations.Open($"az://{ObjectStoreServers.AzuriteAccount}/down/p", ctx);
            var e = Assert.Throws<StorageException>(() => l.Stat("set/manifest.json", None));
            Assert.Equal("StorageEndpointUnreachable", e.ErrorId);
            Assert.Contains("set/manifest.json", e.Message);
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void EmulatorsArePresent(string driver)
        {
            // With DOLTBACKUP_REQUIRE_OBJECTSTORES=1 a missing emulator fails here instead of skipping.
            var l = Open(driver);
            Assert.Empty(l.List("", None));
        }

        internal sealed class NonSeekable : Stream
        {
            private readonly Stream _inner;
            public NonSeekable(Stream inner) => _inner = inner;
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        /// <summary>A source that breaks after <c>limit</c> bytes (a transfer cut midway); StreamedFileCopyUploadTests uses it too.</summary>
        internal sealed class FailingAfter : Stream
        {
            private readonly Stream _inner;
            private readonly long _limit;
            private long _read;
            public FailingAfter(Stream inner, long limit) { _inner = inner; _limit = limit; }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_read >= _limit)
                {
                    throw new IOException("The source was cut (test).");
                }
                int n = _inner.Read(buffer, offset, (int)Math.Min(count, _limit - _read + 1));
                _read += n;
                return n;
            }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
