using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;
using Amazon.S3.Model;

namespace DoltBackup.Storage.S3
{
    /// <summary>
    /// s3://bucket/prefix through AWSSDK.S3. Uploads are sent unchunked (UseChunkEncoding=false, checksums computed
    /// by the SDK only where S3 requires them: what S3-compatible stores accept). Every upload carries the SHA-256 of
    /// its bytes as its x-amz-checksum-sha256, which S3 checks and answers back: the answer is compared (the body is
    /// not hashed again for the signature, over HTTPS or plain HTTP: see PlainHttp). Where the service answers no
    /// checksum (s3rver; stores that refuse the
    /// header get the request again without it), uploads carry Content-MD5 and the ETag is compared with the MD5
    /// instead; the driver learns which on its first upload, so each byte is hashed once for the check and once for
    /// the object's SHA-256 (recorded). Objects larger than one part go as a multipart upload (each part checked so,
    /// the completed object by S3's composite checksum or the ETag of the part MD5s where answered, and by its size),
    /// aborted on failure, so a cut or refused upload leaves the previous object.
    /// The lock is a small JSON object created with If-None-Match: * and read back to confirm the owner (servers that
    /// ignore the condition, as s3rver does, are still guarded by the read-back), with an expiry for stale locks.
    /// </summary>
    internal sealed class S3BackupLocation : IBackupLocation
    {
        /// <summary>Bytes per part of a multipart upload (and the largest single-request upload).</summary>
        internal const int PartSize = 16 * 1024 * 1024;

        /// <summary>Parts sent at once; one more buffer is being read meanwhile ((PartsInFlight + 1) x PartSize bytes of memory).</summary>
        internal const int DefaultPartsInFlight = 4;

        /// <summary>Whether the service answers the SHA-256 checksums it is sent: 0 not known yet, 1 yes (S3), -1 no (s3rver).</summary>
        private int _checksumsState;

        private const int SmallObject = 64 * 1024;

        /// <summary>The part size of this instance (tests lower it to S3's 5 MiB minimum to reach many parts cheaply).</summary>
        internal int PartBytes { get; set; } = PartSize;

        /// <summary>S3 takes at most this many parts per upload.</summary>
        internal const int MaxPartCount = 10000;

        /// <summary>
        /// An upload of unknown length sends <see cref="PartBytes"/> parts at first, and parts twice as large after each
        /// this many (16 MiB parts, then 32 MiB after 1,000...): S3's 10,000 parts then hold more than its 5 TiB object
        /// limit, while a small object keeps small parts (and little memory). Tests lower it.
        /// </summary>
        internal int PartsPerSizeStep { get; set; } = 1000;

        /// <summary>The part-size policy: <paramref name="firstBytes"/>, doubled after each <paramref name="partsPerStep"/> parts, up to 1.5 GiB (S3 takes up to 5 GiB).</summary>
        internal static int PartSizeFor(int partNumber, int firstBytes, int partsPerStep) => DriverSupport.GrowingChunkSize(partNumber, firstBytes, partsPerStep);

        /// <summary>
        /// Whether the endpoint is plain http://, reached through <see cref="PlainHttpEndpoint"/>. Every upload goes as
        /// UNSIGNED-PAYLOAD (the SDK's DisablePayloadSigning), over HTTPS and HTTP alike: it carries its SHA-256 checksum
        /// or Content-MD5 in a signed header, which the service checks, so hashing the body once more for the
        /// signature (what the SDK otherwise does over HTTP) would only cost CPU.
        /// </summary>
        internal bool PlainHttp => _plainHttp != null;

        private readonly PlainHttpEndpoint _plainHttp;

        /// <summary>The parts of one upload sent at once by this instance (the benchmark compares settings).</summary>
        internal int PartsInFlight { get; set; } = DefaultPartsInFlight;
        private readonly AmazonS3Client _client;
        private readonly string _bucket;
        private readonly string _prefix;
        private readonly SecretScrubber _scrubber;

        public S3BackupLocation(StorageLocation location, StorageContext context)
        {
            _bucket = location.Bucket;
            _prefix = location.Prefix;
            DisplayName = location.DisplayName;
            _scrubber = new SecretScrubber(context);
            var config = new AmazonS3Config
            {
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                MaxErrorRetry = context.MaxRetries,
                Timeout = context.RequestTimeout,
            };
            AWSCredentials credentials = null;
            string region = context.S3Region;
            if (context.S3Credential != null)
            {
                var nc = context.S3Credential.GetNetworkCredential();
                credentials = new BasicAWSCredentials(context.S3Credential.UserName, nc.Password);
            }
            if (!string.IsNullOrEmpty(context.S3ProfileName))
            {
                var chain = new CredentialProfileStoreChain();
                if (!chain.TryGetProfile(context.S3ProfileName, out var profile) || (credentials == null && !chain.TryGetAWSCredentials(context.S3ProfileName, out credentials)))
                {
                    throw new StorageException("StorageProfileNotFound", ErrorCategory.ObjectNotFound, context.S3ProfileName,
                        $"The AWS profile '{context.S3ProfileName}' was not found (or has no usable credentials) in the shared credentials and config files or the SDK store.",
                        "Check the name (aws configure list-profiles), or leave -S3ProfileName out to use the default chain.");
                }
                region = region ?? profile.Region?.SystemName;
            }
            if (!string.IsNullOrEmpty(context.S3EndpointUrl))
            {
                if (!Uri.TryCreate(context.S3EndpointUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
                {
                    throw new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument, context.S3EndpointUrl,
                        $"-S3EndpointUrl '{context.S3EndpointUrl}' is not an http(s) URL.", "Give a URL such as https://minio.example.com:9000.");
                }
                if (uri.Scheme == Uri.UriSchemeHttp)
                {
                    _plainHttp = new PlainHttpEndpoint();
                    config.ServiceURL = PlainHttpEndpoint.SignedForm(uri);
                    config.HttpClientFactory = _plainHttp;
                }
                else
                {
                    config.ServiceURL = context.S3EndpointUrl;
                }
                config.ForcePathStyle = context.ForcePathStyle ?? true;
                config.AuthenticationRegion = string.IsNullOrEmpty(region) ? "us-east-1" : region;
            }
            else
            {
                region = region ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName ?? "us-east-1";
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
                config.ForcePathStyle = context.ForcePathStyle ?? false;
            }
            try
            {
                _client = credentials != null ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
            }
            catch (AmazonClientException e)
            {
                throw new StorageException("StorageAccessDenied", ErrorCategory.AuthenticationError, DisplayName,
                    $"No AWS credentials were found for {DisplayName} ({DriverSupport.FirstLine(_scrubber.Scrub(e.Message))}).",
                    "Give New-DoltBackupStorageContext -S3ProfileName or -S3Credential, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run with an IAM role.");
            }
        }

        public string DisplayName { get; }

        /// <summary>Whether the service answers the SHA-256 checksums it is sent (null: not known until the first upload).</summary>
        internal bool? ChecksumsAnswered
        {
            get
            {
                int state = Volatile.Read(ref _checksumsState);
                return state == 0 ? (bool?)null : state > 0;
            }
            private set => Volatile.Write(ref _checksumsState, value == true ? 1 : value == false ? -1 : 0);
        }

        public StorageKind Kind => StorageKind.S3;

        private string FullKey(string key) => ObjectKey.Combine(_prefix, ObjectKey.Check(key));

        public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
        {
            string full = FullKey(key);
            return Call(key, () =>
            {
                // Small objects (most of a set) need no part-sized buffer.
                byte[] head = new byte[SmallObject];
                int n = DriverSupport.Fill(content, head, 0);
                if (n < SmallObject)
                {
                    return PutSingle(key, full, head, n, cancellationToken);
                }
                byte[] first = new byte[PartBytes];
                Buffer.BlockCopy(head, 0, first, 0, n);
                n = DriverSupport.Fill(content, first, n);
                return n < PartBytes ? PutSingle(key, full, first, n, cancellationToken) : PutMultipart(key, full, first, content, cancellationToken);
            });
        }

        private StoredObject PutSingle(string key, string full, byte[] bytes, int count, CancellationToken ct)
        {
            // The SHA-256 is recorded anyway: sent as the object's checksum, the service checks it. The MD5 only where
            // the service is not known to answer checksums.
            byte[] sha = Hash(HashAlgorithmName.SHA256, bytes, count);
            byte[] md5 = ChecksumsAnswered == true ? null : Hash(HashAlgorithmName.MD5, bytes, count);
            PutObjectRequest Request(bool withChecksum) => new PutObjectRequest
            {
                BucketName = _bucket,
                Key = full,
                InputStream = new MemoryStream(bytes, 0, count, writable: false),
                UseChunkEncoding = false,
                ChecksumAlgorithm = withChecksum ? ChecksumAlgorithm.SHA256 : null,
                ChecksumSHA256 = withChecksum ? Convert.ToBase64String(sha) : null,
                MD5Digest = md5 == null ? null : Convert.ToBase64String(md5),
                DisablePayloadSigning = true,
                AutoCloseStream = true,
            };
            PutObjectResponse response;
            bool? known = ChecksumsAnswered;
            try
            {
                response = Run(() => _client.PutObjectAsync(Request(known != false), ct));
            }
            catch (AmazonS3Exception e) when (known == null && RefusesChecksums(e))
            {
                // An S3-compatible service that does not take x-amz-checksum-* headers: Content-MD5 and the ETag only.
                ChecksumsAnswered = false;
                response = Run(() => _client.PutObjectAsync(Request(false), ct));
            }
            CheckStored(key, "the object", response.ChecksumSHA256, sha, response.ETag, ref md5, bytes, count);
            return new StoredObject
            {
                Key = key, Size = count, LastModifiedUtc = DateTime.UtcNow, ServiceMd5 = Md5FromETag(response.ETag), ETag = CleanETag(response.ETag),
                Sha256 = DigestingReadStream.Hex(sha),
            };
        }

        /// <summary>
        /// The parts go through <see cref="PartedUpload{TSent}"/>: while a part is sent, this thread adds it to the whole
        /// object's SHA-256 (recorded). Each upload task hashes its own part once (SHA-256 where the service checks and
        /// answers checksums, else MD5 for Content-MD5 and the ETag), so every byte is hashed twice at most, in parallel
        /// with the sending. A failed upload is aborted.
        /// </summary>
        private StoredObject PutMultipart(string key, string full, byte[] first, Stream rest, CancellationToken ct)
        {
            // Checksums only once a single-request upload showed the service answers them (an unknown service that
            // rejected them would fail a part; most sets start with small files, which settle it).
            bool checksums = ChecksumsAnswered == true;
            var init = Run(() => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = full,
                ChecksumAlgorithm = checksums ? ChecksumAlgorithm.SHA256 : null,
            }, ct));
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var upload = new PartedUpload<SentPart>
                {
                    FirstBytes = PartBytes,
                    PartsPerSizeStep = PartsPerSizeStep,
                    MaxParts = MaxPartCount,
                    PartsInFlight = PartsInFlight,
                    SendPart = (number, bytes, length) => UploadPart(key, full, init.UploadId, number, bytes, length, checksums, ct),
                    SeePart = (bytes, length) => sha.AppendData(bytes, 0, length),
                    TooManyParts = () => DriverSupport.TooManyParts(StorageException.Join(DisplayName, key), MaxPartCount, "parts", "the largest object S3 stores (5 TiB)"),
                };
                try
                {
                    var parts = upload.Run(rest, first, ct).ToList();
                    var done = Run(() => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                    {
                        BucketName = _bucket,
                        Key = full,
                        UploadId = init.UploadId,
                        PartETags = parts.Select(p => new PartETag
                        {
                            PartNumber = p.Number,
                            ETag = p.ETag,
                            ChecksumSHA256 = p.Sha256 == null ? null : Convert.ToBase64String(p.Sha256),
                        }).ToList(),
                    }, ct));
                    CheckCompleted(key, done, parts);
                    var stat = Stat(key, ct);
                    if (stat == null || stat.Size != upload.BytesSent)
                    {
                        throw Mismatch(key, $"the service holds {(stat == null ? "no object" : stat.Size + " bytes")} after {upload.BytesSent} bytes were sent");
                    }
                    stat.Sha256 = DigestingReadStream.Hex(sha.GetHashAndReset());
                    return stat;
                }
                catch
                {
                    try
                    {
                        Run(() => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = full, UploadId = init.UploadId }, CancellationToken.None));
                    }
                    catch (Exception)
                    {
                        // The upload failed already; an unaborted upload only costs storage until the bucket's lifecycle rule ends it.
                    }
                    throw;
                }
            }
        }

        private async Task<SentPart> UploadPart(string key, string full, string uploadId, int partNumber, byte[] bytes, int length, bool checksums, CancellationToken ct)
        {
            byte[] sha = checksums ? Hash(HashAlgorithmName.SHA256, bytes, length) : null;
            byte[] md5 = checksums ? null : Hash(HashAlgorithmName.MD5, bytes, length);
            var up = await _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _bucket,
                Key = full,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = new MemoryStream(bytes, 0, length, writable: false),
                PartSize = length,
                ChecksumAlgorithm = checksums ? ChecksumAlgorithm.SHA256 : null,
                ChecksumSHA256 = sha == null ? null : Convert.ToBase64String(sha),
                MD5Digest = md5 == null ? null : Convert.ToBase64String(md5),
                DisablePayloadSigning = true,
                UseChunkEncoding = false,
            }, ct).ConfigureAwait(false);
            CheckStored(key, $"part {partNumber}", up.ChecksumSHA256, sha, up.ETag, ref md5, bytes, length);
            return new SentPart { Number = partNumber, ETag = up.ETag, Sha256 = sha, Md5 = md5 };
        }

        /// <summary>
        /// What the service says it received, against what was sent: the SHA-256 checksum it answers (S3 checks the
        /// one sent and answers it back), or, where it answers none (s3rver and other services that ignore checksums),
        /// its ETag against the MD5 of the bytes (computed now when it was not sent). Learns which of the two the
        /// service does, so later uploads hash only what it checks.
        /// </summary>
        private void CheckStored(string key, string what, string answeredSha256, byte[] sha, string etag, ref byte[] md5, byte[] bytes, int count)
        {
            if (sha != null && !string.IsNullOrEmpty(answeredSha256))
            {
                if (answeredSha256 != Convert.ToBase64String(sha))
                {
                    throw Mismatch(key, $"the service's SHA-256 of {what} is {Base64Hex(answeredSha256)}, not the {DigestingReadStream.Hex(sha)} of the bytes sent");
                }
                ChecksumsAnswered = true;
                return;
            }
            if (sha != null)
            {
                ChecksumsAnswered = false;
            }
            md5 = md5 ?? Hash(HashAlgorithmName.MD5, bytes, count);
            CheckETag(key, etag, DigestingReadStream.Hex(md5), what);
        }

        /// <summary>
        /// The completed object against its parts: S3 answers the SHA-256 of the part checksums ("-N" parts) and an
        /// ETag of the MD5 of the part MD5s; both are checked where the parts' hashes of that kind are known. Services
        /// answering an ETag of another form (s3rver: the MD5 of the whole object) have had every part checked as it
        /// arrived, and the size of the whole is checked next.
        /// </summary>
        private void CheckCompleted(string key, CompleteMultipartUploadResponse done, List<SentPart> parts)
        {
            string suffix = "-" + parts.Count;
            string answered = done.ChecksumSHA256;
            if (!string.IsNullOrEmpty(answered) && parts.All(p => p.Sha256 != null))
            {
                string composite = Convert.ToBase64String(Hash(HashAlgorithmName.SHA256, parts.SelectMany(p => p.Sha256).ToArray()));
                string value = answered.EndsWith(suffix, StringComparison.Ordinal) ? answered.Substring(0, answered.Length - suffix.Length) : answered;
                if (value != composite)
                {
                    throw Mismatch(key, $"the service's checksum of the whole, {answered}, is not {composite}{suffix}, the SHA-256 of the parts' checksums");
                }
            }
            string etag = CleanETag(done.ETag) ?? "";
            if (etag.EndsWith(suffix, StringComparison.Ordinal) && parts.All(p => p.Md5 != null))
            {
                CheckETag(key, etag, DigestingReadStream.Hex(Hash(HashAlgorithmName.MD5, parts.SelectMany(p => p.Md5).ToArray())) + suffix, "the whole");
            }
        }

        /// <summary>A refusal of the request's form (not of its content) by a service that may not know flexible checksums.</summary>
        private static bool RefusesChecksums(AmazonS3Exception e) =>
            (e.StatusCode == HttpStatusCode.BadRequest || e.StatusCode == HttpStatusCode.NotImplemented)
            && e.ErrorCode != "BadDigest" && e.ErrorCode != "InvalidDigest" && e.ErrorCode != "XAmzContentSHA256Mismatch" && e.ErrorCode != "EntityTooLarge";

        private sealed class SentPart
        {
            public int Number { get; set; }
            public string ETag { get; set; }
            public byte[] Sha256 { get; set; }
            public byte[] Md5 { get; set; }
        }

        public Stream OpenRead(string key, CancellationToken cancellationToken)
        {
            string full = FullKey(key);
            return Call(key, () =>
            {
                var response = Run(() => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = full }, cancellationToken));
                return response.ResponseStream;
            });
        }

        public StoredObject Stat(string key, CancellationToken cancellationToken)
        {
            string full = FullKey(key);
            return Call(key, () =>
            {
                try
                {
                    var m = Run(() => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = full }, cancellationToken));
                    return new StoredObject { Key = key, Size = m.ContentLength, LastModifiedUtc = m.LastModified?.ToUniversalTime(), ServiceMd5 = Md5FromETag(m.ETag), ETag = CleanETag(m.ETag) };
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
                {
                    return null;
                }
            });
        }

        public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
        {
            prefix = ObjectKey.Check(prefix ?? "", allowEmpty: true);
            string root = _prefix.Length == 0 ? "" : _prefix + "/";
            string full = root + prefix;
            return Call(prefix, () =>
            {
                var result = new List<StoredObject>();
                string token = null;
                do
                {
                    var page = Run(() => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = full, ContinuationToken = token }, cancellationToken));
                    foreach (var o in page.S3Objects ?? new List<S3Object>())
                    {
                        result.Add(new StoredObject
                        {
                            Key = o.Key.Substring(root.Length),
                            Size = o.Size ?? 0,
                            LastModifiedUtc = o.LastModified?.ToUniversalTime(),
                            ServiceMd5 = Md5FromETag(o.ETag),
                            ETag = CleanETag(o.ETag),
                        });
                    }
                    token = page.IsTruncated == true ? page.NextContinuationToken : null;
                }
                while (token != null);
                return (IReadOnlyList<StoredObject>)result.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
            });
        }

        public void Delete(string key, CancellationToken cancellationToken)
        {
            string full = FullKey(key);
            Call(key, () => Run(() => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = full }, cancellationToken)));
        }

        public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken)
        {
            string full = FullKey(key);
            return Call(key, () =>
            {
                var existing = ReadLock(full, cancellationToken);
                if (existing != null && existing.ExpiresUtc > DateTime.UtcNow)
                {
                    return null;
                }
                var mine = new LockRecord { Owner = Guid.NewGuid().ToString("N"), Host = Environment.MachineName, ExpiresUtc = DateTime.UtcNow + staleAfter };
                try
                {
                    WriteLock(full, mine, existing == null ? "*" : null, cancellationToken);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed || e.StatusCode == HttpStatusCode.Conflict)
                {
                    return null;
                }
                // Read back: where the service ignored If-None-Match, the last writer wins, and only it goes on.
                var after = ReadLock(full, cancellationToken);
                if (after == null || after.Owner != mine.Owner)
                {
                    return null;
                }
                return (IStorageLock)new S3Lock(this, key, full, mine, staleAfter);
            });
        }

        public void Dispose()
        {
            _client.Dispose();
            _plainHttp?.Dispose();
        }

        private LockRecord ReadLock(string full, CancellationToken ct)
        {
            try
            {
                using (var response = Run(() => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = full }, ct)))
                using (var reader = new StreamReader(response.ResponseStream, Encoding.UTF8))
                {
                    try
                    {
                        return JsonSerializer.Deserialize<LockRecord>(reader.ReadToEnd());
                    }
                    catch (JsonException)
                    {
                        return new LockRecord { Owner = "", ExpiresUtc = DateTime.MinValue };
                    }
                }
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
            {
                return null;
            }
        }

        private void WriteLock(string full, LockRecord record, string ifNoneMatch, CancellationToken ct)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record));
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = full,
                InputStream = new MemoryStream(bytes),
                UseChunkEncoding = false,
                ContentType = "application/json",
            };
            if (ifNoneMatch != null)
            {
                request.IfNoneMatch = ifNoneMatch;
            }
            Run(() => _client.PutObjectAsync(request, ct));
        }

        private void CheckETag(string key, string etag, string expected, string what)
        {
            string got = (etag ?? "").Trim('"').ToLowerInvariant();
            if (got.Length > 0 && got != expected)
            {
                throw Mismatch(key, $"the service's ETag of {what}, {got}, is not the {expected} of the bytes sent");
            }
        }

        private static string Base64Hex(string base64)
        {
            try
            {
                return DigestingReadStream.Hex(Convert.FromBase64String(base64));
            }
            catch (FormatException)
            {
                return base64;
            }
        }

        private StorageException Mismatch(string key, string why) => new StorageException("StorageUploadMismatch", ErrorCategory.WriteError, StorageException.Join(DisplayName, key),
            $"The upload of '{StorageException.Join(DisplayName, key)}' was not stored as sent: {why}.",
            "Run the backup again; if it repeats, check the S3-compatible service (or set New-DoltBackupStorageContext -ForcePathStyle for a custom endpoint).");

        private static string Md5FromETag(string etag)
        {
            string e = (etag ?? "").Trim('"').ToLowerInvariant();
            return e.Length == 32 && e.All(Uri.IsHexDigit) ? e : null;
        }

        private static byte[] Hash(HashAlgorithmName algorithm, byte[] bytes) => Hash(algorithm, bytes, bytes.Length);

        private static byte[] Hash(HashAlgorithmName algorithm, byte[] bytes, int count)
        {
            using (var hash = IncrementalHash.CreateHash(algorithm))
            {
                hash.AppendData(bytes, 0, count);
                return hash.GetHashAndReset();
            }
        }

        private static string CleanETag(string etag) => string.IsNullOrEmpty(etag) ? null : etag.Trim('"').ToLowerInvariant();

        private static T Run<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();

        private T Call<T>(string key, Func<T> action)
        {
            try
            {
                return action();
            }
            catch (StorageException)
            {
                throw;
            }
            catch (OperationCanceledException e) when (!(e is TaskCanceledException))
            {
                throw;
            }
            catch (Exception e)
            {
                throw Translate(key, e);
            }
        }

        private StorageException Translate(string key, Exception e)
        {
            string target = StorageException.Join(DisplayName, key);
            if (e is AmazonS3Exception s3)
            {
                string code = s3.ErrorCode ?? "";
                string detail = $"{code} ({(int)s3.StatusCode}): {DriverSupport.FirstLine(_scrubber.Scrub(s3.Message))}";
                if (code == "NoSuchBucket")
                {
                    return new StorageException("StorageContainerNotFound", ErrorCategory.ObjectNotFound, $"s3://{_bucket}",
                        $"The S3 bucket '{_bucket}' does not exist (for '{target}').", "Create the bucket (or correct the URL) before backing up to it.");
                }
                if (code == "NoSuchKey" || s3.StatusCode == HttpStatusCode.NotFound)
                {
                    return StorageException.NotFound(DisplayName, key);
                }
                if (s3.StatusCode == HttpStatusCode.Forbidden || code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken")
                {
                    return new StorageException("StorageAccessDenied", ErrorCategory.PermissionDenied, target,
                        $"S3 refused access to '{target}': {detail}.",
                        "Check the credentials (New-DoltBackupStorageContext -S3Credential/-S3ProfileName, or the default AWS chain) and that they may read, write, list and delete under the prefix.");
                }
                return new StorageException("StorageFailed", ErrorCategory.WriteError, target, $"S3 failed for '{target}': {detail}.", "Run again; if it repeats, check the service's status.");
            }
            if (DriverSupport.IsUnreachable(e))
            {
                return new StorageException("StorageEndpointUnreachable", ErrorCategory.ConnectionError, target,
                    $"The S3 endpoint for '{target}' could not be reached: {DriverSupport.FirstLine(_scrubber.Scrub(DriverSupport.Innermost(e).Message))}.",
                    "Check the network and -S3EndpointUrl/-S3Region of the storage context, then run again.");
            }
            return new StorageException("StorageFailed", ErrorCategory.WriteError, target, $"S3 failed for '{target}': {DriverSupport.FirstLine(_scrubber.Scrub(e.Message))}.",
                "Run again; if it repeats, check the service's status.");
        }

        private sealed class LockRecord
        {
            public string Owner { get; set; }
            public string Host { get; set; }
            public DateTime ExpiresUtc { get; set; }
        }

        private sealed class S3Lock : RenewedLock
        {
            private readonly S3BackupLocation _owner;
            private readonly string _full;
            private readonly LockRecord _record;
            private readonly TimeSpan _staleAfter;

            public S3Lock(S3BackupLocation owner, string key, string full, LockRecord record, TimeSpan staleAfter)
                : base(key, TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, staleAfter.Ticks / 3)))
            {
                _owner = owner;
                _full = full;
                _record = record;
                _staleAfter = staleAfter;
            }

            protected override void Renew()
            {
                _record.ExpiresUtc = DateTime.UtcNow + _staleAfter;
                _owner.WriteLock(_full, _record, null, CancellationToken.None);
            }

            protected override void Release()
            {
                var current = _owner.ReadLock(_full, CancellationToken.None);
                if (current != null && current.Owner == _record.Owner)
                {
                    Run(() => _owner._client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _owner._bucket, Key = _full }, CancellationToken.None));
                }
            }
        }
    }
}
