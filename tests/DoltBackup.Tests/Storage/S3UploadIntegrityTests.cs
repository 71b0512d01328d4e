using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using DoltBackup.Storage;
using DoltBackup.Storage.S3;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// What the S3 driver checks of every upload, against s3rver (which checks no checksum and answers the MD5 as the
    /// ETag: the driver compares it) and against s3rver behind <see cref="S3TamperingProxy"/> acting as Amazon S3 does
    /// (checks and answers SHA-256 checksums and payload hashes, ETags that are not the MD5). The proxy also damages
    /// bodies in transit and answers wrong checksums: each must be refused.
    /// </summary>
    public sealed class S3UploadIntegrityTests : IDisposable
    {
        private const int Part = 5 * 1024 * 1024;
        private static readonly CancellationToken None = CancellationToken.None;
        private readonly List<IDisposable> _cleanup = new List<IDisposable>();

        public void Dispose()
        {
            foreach (var d in Enumerable.Reverse(_cleanup))
            {
                d.Dispose();
            }
        }

        private S3BackupLocation Open(S3TamperingProxy proxy = null)
        {
            string endpoint = proxy?.Endpoint ?? ObjectStoreServers.S3rverEndpoint;
            var l = (S3BackupLocation)BackupLocations.Open($"s3://{ObjectStoreServers.S3Bucket}/i-{Guid.NewGuid():N}", ObjectStoreServers.S3rverContext(endpoint: endpoint));
            l.PartBytes = Part;
            _cleanup.Add(l);
            return l;
        }

        private S3TamperingProxy Proxy()
        {
            var p = new S3TamperingProxy(ObjectStoreServers.S3rverPort);
            _cleanup.Add(p);
            return p;
        }

        private static byte[] RandomBytes(int n)
        {
            var b = new byte[n];
            new Random(n + 7).NextBytes(b);
            return b;
        }

        private static string Sha256Hex(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

        // The head buffer (64 KiB), one part, two parts: one byte either side of each boundary.
        private static readonly int[] Sizes = { 0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, Part - 1, Part, Part + 1, 2 * Part, 2 * Part + 1 };

        private static void AssertEveryBoundaryStoredWithItsSha256(S3BackupLocation l)
        {
            foreach (int size in Sizes)
            {
                byte[] data = RandomBytes(size);
                string key = $"set/{size}.bin";
                var stored = l.Put(key, new BackupLocationContractTests.NonSeekable(new MemoryStream(data)), None);
                Assert.Equal(Sha256Hex(data), stored.Sha256);
                Assert.Equal(size, stored.Size);
                Assert.Equal(size, l.Stat(key, None).Size);
                Assert.Equal(Sha256Hex(data), Sha256Hex(BackupLocationContractTests.ReadAll(l, key)));
            }
        }

        [S3rverFact]
        public void On_s3rver_the_recorded_sha256_is_the_bytes_at_every_part_boundary_and_parts_are_checked_by_their_md5()
        {
            var proxy = Proxy();
            var l = Open(proxy);
            AssertEveryBoundaryStoredWithItsSha256(l);
            // s3rver answers no checksum: the driver learnt it and checks each part's ETag against its MD5, sent as Content-MD5.
            Assert.False(l.ChecksumsAnswered);
            var parts = proxy.Uploads.Where(u => u.Query.Contains("partNumber", StringComparison.Ordinal)).ToList();
            Assert.Equal(1 + 2 + 2 + 3, parts.Count);
            Assert.All(parts, p => Assert.True(p.Md5, "every part after the first object is sent with Content-MD5"));
            Assert.All(parts, p => Assert.False(p.Checksum, "no SHA-256 checksum where the service answers none"));
            // Plain HTTP too: no body is hashed again for the signature; its signed Content-MD5 covers it.
            Assert.All(proxy.Uploads, p => Assert.Equal("UNSIGNED-PAYLOAD", p.PayloadHash));
        }

        [S3rverFact]
        public void Where_the_service_checks_sha256_checksums_every_part_carries_one_and_no_md5_is_needed()
        {
            // As Amazon S3: the proxy refuses a body whose Content-MD5, x-amz-content-sha256 or x-amz-checksum-sha256
            // is not its hash, and answers ETags that are not MD5s (SSE-KMS), which the driver must not compare.
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            var l = Open(proxy);
            AssertEveryBoundaryStoredWithItsSha256(l);
            Assert.True(l.ChecksumsAnswered);
            var uploads = proxy.Uploads.ToList();
            Assert.All(uploads, u => Assert.True(u.Checksum, $"upload {u.Query} carries its SHA-256 checksum"));
            Assert.All(uploads.Skip(1), u => Assert.False(u.Md5, $"upload {u.Query} needs no MD5 once the service answered a checksum"));
            // Plain HTTP too: no body is hashed again for the signature; its signed checksum (or, for the first, its
            // Content-MD5) covers it, and the service checks that (see the damaged-body tests below).
            Assert.All(uploads, u => Assert.Equal("UNSIGNED-PAYLOAD", u.PayloadHash));
        }

        [S3rverFact]
        public void A_part_damaged_in_transit_is_refused_and_the_previous_object_stays()
        {
            var proxy = Proxy();
            var e = RefusedReplacingAnArchive(Open(proxy), proxy, () => proxy.CorruptBody = (path, query) => query.Contains("partNumber=2", StringComparison.Ordinal));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
            Assert.Contains("part 2", e.Message);
        }

        /// <summary>
        /// Stores a previous archive, arms the proxy, then replaces the archive by one of four parts, which must be
        /// refused; the previous archive must still read back whole. Returns the refusal.
        /// </summary>
        private static StorageException RefusedReplacingAnArchive(S3BackupLocation l, S3TamperingProxy proxy, Action arm)
        {
            byte[] previous = Encoding.UTF8.GetBytes("previous archive");
            l.Put("set/archive.tar", new MemoryStream(previous), None);
            arm();
            var e = Assert.Throws<StorageException>(() => l.Put("set/archive.tar", new BackupLocationContractTests.NonSeekable(new MemoryStream(RandomBytes(3 * Part + 10))), None));
            proxy.CorruptBody = null;
            proxy.WrongChecksumAnswer = null;
            Assert.Contains("set/archive.tar", e.Message);
            Assert.Equal(previous, BackupLocationContractTests.ReadAll(l, "set/archive.tar"));
            return e;
        }

        [S3rverFact]
        public void A_single_request_upload_damaged_in_transit_is_refused()
        {
            var proxy = Proxy();
            var l = Open(proxy);
            l.Put("set/warm.json", new MemoryStream(new byte[] { 1 }), None);
            proxy.CorruptBody = (path, query) => query.Length == 0;
            var e = Assert.Throws<StorageException>(() => l.Put("set/manifest.json", new MemoryStream(RandomBytes(1000)), None));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
            Assert.Contains("set/manifest.json", e.Message);
        }

        [S3rverFact]
        public void Over_plain_http_a_part_damaged_in_transit_is_refused_by_the_service_checking_its_signed_checksum()
        {
            // The body goes unsigned (UNSIGNED-PAYLOAD): the service's check is its signed x-amz-checksum-sha256. The
            // proxy, as S3, sees the damaged body and refuses it; the previous object stays.
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            var l = Open(proxy);
            var e = RefusedReplacingAnArchive(l, proxy, () =>
            {
                Assert.True(l.ChecksumsAnswered);
                proxy.CorruptBody = (path, query) => query.Contains("partNumber=2", StringComparison.Ordinal);
            });
            Assert.Contains("BadDigest", e.Message);
            Assert.Contains(proxy.Uploads, u => u.Query.Contains("partNumber=2", StringComparison.Ordinal) && u.Checksum && u.PayloadHash == "UNSIGNED-PAYLOAD");
        }

        [S3rverFact]
        public void Over_plain_http_a_first_upload_damaged_in_transit_is_refused_by_the_service_checking_its_signed_content_md5()
        {
            // Before the driver knows whether the service answers checksums, the first upload carries Content-MD5 too:
            // the service (as S3) checks it against the damaged body, although the body itself is not signed.
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            proxy.CorruptBody = (path, query) => query.Length == 0;
            var l = Open(proxy);
            var e = Assert.Throws<StorageException>(() => l.Put("set/manifest.json", new MemoryStream(RandomBytes(1000)), None));
            Assert.Contains("BadDigest", e.Message);
            var sent = Assert.Single(proxy.Uploads);
            Assert.True(sent.Md5);
            Assert.Equal("UNSIGNED-PAYLOAD", sent.PayloadHash);
            Assert.Null(l.Stat("set/manifest.json", None));
        }

        [S3rverFact]
        public void A_service_answering_a_wrong_checksum_for_a_part_is_refused_and_the_previous_object_stays()
        {
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            var e = RefusedReplacingAnArchive(Open(proxy), proxy, () => proxy.WrongChecksumAnswer = pathAndQuery => pathAndQuery.Contains("partNumber=3", StringComparison.Ordinal));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
            Assert.Contains("part 3", e.Message);
            Assert.Contains("SHA-256", e.Message);
        }

        [S3rverFact]
        public void A_service_answering_a_wrong_checksum_for_a_single_request_upload_is_refused()
        {
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            proxy.WrongChecksumAnswer = _ => true;
            var l = Open(proxy);
            var e = Assert.Throws<StorageException>(() => l.Put("set/manifest.json", new MemoryStream(RandomBytes(1000)), None));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
            Assert.Contains("set/manifest.json", e.Message);
        }

        [S3rverFact]
        public void A_completed_upload_whose_composite_checksum_is_not_that_of_its_parts_is_refused()
        {
            var proxy = Proxy();
            proxy.AwsChecksums = true;
            proxy.WrongCompositeAnswer = true;
            var l = Open(proxy);
            l.Put("set/manifest.json", new MemoryStream(new byte[] { 1 }), None);
            Assert.True(l.ChecksumsAnswered);
            var e = Assert.Throws<StorageException>(() => l.Put("set/archive.tar", new BackupLocationContractTests.NonSeekable(new MemoryStream(RandomBytes(2 * Part + 10))), None));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
            Assert.Contains("checksum of the whole", e.Message);
        }

        [S3rverFact]
        public void A_service_that_refuses_checksum_headers_gets_content_md5_and_its_etags_are_checked()
        {
            var proxy = Proxy();
            proxy.RejectChecksums = true;
            var l = Open(proxy);
            AssertEveryBoundaryStoredWithItsSha256(l);
            Assert.False(l.ChecksumsAnswered);
            // Only the first upload tried a checksum (refused, then sent again without it).
            var uploads = proxy.Uploads.ToList();
            Assert.Single(uploads, u => u.Checksum);
            Assert.True(uploads[0].Checksum);
            proxy.CorruptBody = (path, query) => query.Contains("partNumber=1", StringComparison.Ordinal);
            var e = Assert.Throws<StorageException>(() => l.Put("set/archive.tar", new BackupLocationContractTests.NonSeekable(new MemoryStream(RandomBytes(Part + 10))), None));
            Assert.Equal("StorageUploadMismatch", e.ErrorId);
        }

        [S3rverFact]
        public void Sync_DoltBackup_CopyTo_an_s3_url_refuses_an_archive_damaged_in_transit_and_names_it()
        {
            // What the user sees: the copy fails with an error naming the object, and no manifest.json is uploaded.
            var proxy = Proxy();
            proxy.CorruptBody = (path, query) => query.Length == 0 && path.EndsWith(".tar", StringComparison.Ordinal);
            string url = $"s3://{ObjectStoreServers.S3Bucket}/ps-{Guid.NewGuid():N}";
            var context = ObjectStoreServers.S3rverContext(endpoint: proxy.Endpoint);
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            using var host = new PowerShellHost();
            var r = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -CopyTo $args[2] -StorageContext $args[3]",
                dir.Combine("srv", "data"), dir.Combine("backups"), url, context);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageUploadMismatch,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains(".tar", e.Exception.Message);
            using var l = BackupLocations.Open(url, ObjectStoreServers.S3rverContext());
            Assert.DoesNotContain(l.List("", None), o => o.Key.EndsWith("manifest.json", StringComparison.Ordinal));
            // Every file the cmdlet uploaded went unsigned over this plain-HTTP endpoint (its Content-MD5 the check),
            // and the one damaged was refused all the same. (The lock object, which carries no digest, is signed.)
            var files = proxy.Uploads.Where(u => u.Md5 || u.Checksum).ToList();
            Assert.NotEmpty(files);
            Assert.All(files, u => Assert.Equal("UNSIGNED-PAYLOAD", u.PayloadHash));
        }

        [Theory]
        [InlineData(null, false)]
        [InlineData("https://minio.example.com:9000", false)]
        [InlineData("http://127.0.0.1:9000", true)]
        [InlineData("HTTP://minio:9000", true)]
        public void Only_a_plain_http_endpoint_is_reached_through_its_signed_https_form(string endpoint, bool plain)
        {
            var context = new StorageContext { S3EndpointUrl = endpoint, S3Region = "us-east-1" };
            context.SetSecrets(new System.Management.Automation.PSCredential("AKIAEXAMPLE", ObjectStoreServers.Secure("example")), null, null);
            using var l = (S3BackupLocation)BackupLocations.Open("s3://bucket/prefix", context);
            Assert.Equal(plain, l.PlainHttp);
        }

        [Theory]
        [InlineData("http://minio.example.com", "https://minio.example.com:80/", "minio.example.com:80", "http://minio.example.com/b/k?partNumber=1")]
        [InlineData("http://127.0.0.1:9000", "https://127.0.0.1:9000/", "127.0.0.1:9000", "http://127.0.0.1:9000/b/k?partNumber=1")]
        [InlineData("http://ceph:443", "https://ceph/", "ceph", "http://ceph:443/b/k?partNumber=1")]
        public void A_plain_http_endpoint_is_signed_in_its_https_form_and_each_request_goes_to_its_http_url_with_the_signed_host(
            string endpoint, string signedForm, string host, string sentTo)
        {
            // The SDK signs the Host header it derives from the https:// form; the request must reach the http:// URL
            // with that same Host header, or the service's signature check fails.
            string service = PlainHttpEndpoint.SignedForm(new Uri(endpoint));
            Assert.Equal(signedForm, service);
            var capture = new CapturingHandler();
            using var invoker = new System.Net.Http.HttpMessageInvoker(new PlainHttpEndpoint.ToPlainHttp(capture));
            invoker.SendAsync(new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Put, service + "b/k?partNumber=1"), None).GetAwaiter().GetResult();
            Assert.Equal(new Uri(sentTo), capture.Sent.RequestUri);
            Assert.Equal("http", capture.Sent.RequestUri.Scheme);
            Assert.Equal(host, capture.Sent.Headers.Host);
        }

        private sealed class CapturingHandler : System.Net.Http.HttpMessageHandler
        {
            public System.Net.Http.HttpRequestMessage Sent { get; private set; }

            protected override System.Threading.Tasks.Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Sent = request;
                return System.Threading.Tasks.Task.FromResult(new System.Net.Http.HttpResponseMessage(System.Net.HttpStatusCode.OK));
            }
        }
    }
}
