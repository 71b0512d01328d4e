using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using global::Azure;
using global::Azure.Core;
using global::Azure.Identity;
using global::Azure.Storage;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Blobs.Models;
using global::Azure.Storage.Blobs.Specialized;

namespace DoltBackup.Storage.Azure
{
    /// <summary>
    /// az://account/container/prefix (or the https URL) through Azure.Storage.Blobs. Credentials: a connection string,
    /// a SAS token, or DefaultAzureCredential (managed identity in Azure Automation, then the developer chain). Uploads
    /// are block blobs committed only when every block arrived (a cut upload leaves the previous blob); what the
    /// service stored is checked by size and Content-MD5, and blobs uploaded in blocks get their MD5 set so Stat and
    /// listings carry it. The lock is a blob lease (15 to 60 s, renewed while held): a crashed writer's lease expires.
    /// </summary>
    internal sealed class AzureBlobBackupLocation : IBackupLocation
    {
        private readonly BlobContainerClient _container;
        private readonly string _prefix;
        private readonly SecretScrubber _scrubber;
        private readonly DateTimeOffset? _sasExpiry;

        public AzureBlobBackupLocation(StorageLocation location, StorageContext context)
        {
            _prefix = location.Prefix;
            DisplayName = location.DisplayName;
            _scrubber = new SecretScrubber(context);
            var options = new BlobClientOptions();
            options.Retry.MaxRetries = context.MaxRetries;
            options.Retry.NetworkTimeout = context.RequestTimeout;
            options.Retry.Delay = TimeSpan.FromMilliseconds(200);
            options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
            string connectionString = StorageContext.Reveal(context.ConnectionString);
            string sas = StorageContext.Reveal(context.SasToken);
            try
            {
                if (connectionString != null)
                {
                    var service = new BlobServiceClient(connectionString, options);
                    if (!string.Equals(service.AccountName, location.Account, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument, DisplayName,
                            $"The connection string of the storage context is for account '{service.AccountName}', but '{DisplayName}' names account '{location.Account}'.",
                            "Use the URL of the connection string's account, or a storage context made for this account.");
                    }
                    _container = service.GetBlobContainerClient(location.Container);
                }
                else
                {
                    var uri = new Uri(ServiceEndpoint(location, context) + "/" + location.Container);
                    if (sas != null)
                    {
                        _sasExpiry = SasExpiry(sas);
                        _container = new BlobContainerClient(uri, new AzureSasCredential(sas.TrimStart('?')), options);
                    }
                    else
                    {
                        var credentialOptions = new DefaultAzureCredentialOptions();
                        if (!string.IsNullOrEmpty(context.ManagedIdentityClientId))
                        {
                            credentialOptions.ManagedIdentityClientId = context.ManagedIdentityClientId;
                        }
                        _container = new BlobContainerClient(uri, new DefaultAzureCredential(credentialOptions), options);
                    }
                }
            }
            catch (FormatException)
            {
                throw new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument, DisplayName,
                    "The connection string of the storage context is not a valid Azure Storage connection string.",
                    "Copy it again from the storage account's Access keys page (it is not shown here: it holds the key).");
            }
            catch (ArgumentException)
            {
                throw new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument, DisplayName,
                    "The connection string or SAS token of the storage context is not valid.",
                    "Copy it again from the portal (it is not shown here: it is a secret).");
            }
        }

        public string DisplayName { get; }

        /// <summary>
        /// The Blob service of the location's account: the context's AzureBlobEndpoint (whose account, where the URL
        /// shows one, must be the location's), else https://&lt;account&gt;.blob.core.windows.net.
        /// </summary>
        internal static string ServiceEndpoint(StorageLocation location, StorageContext context)
        {
            string endpoint = context?.AzureBlobEndpoint;
            if (string.IsNullOrEmpty(endpoint))
            {
                return $"https://{location.Account}.blob.core.windows.net";
            }
            string account = new BlobUriBuilder(new Uri(endpoint)).AccountName;
            if (!string.IsNullOrEmpty(account) && !string.Equals(account, location.Account, StringComparison.OrdinalIgnoreCase))
            {
                throw new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument, location.DisplayName,
                    $"The storage context's Azure Blob endpoint {endpoint} is for account '{account}', but '{location.DisplayName}' names account '{location.Account}'.",
                    "Use the URL of the endpoint's account, or a storage context made for this account.");
            }
            return endpoint.TrimEnd('/');
        }

        public StorageKind Kind => StorageKind.AzureBlob;

        private BlockBlobClient Blob(string key) => _container.GetBlockBlobClient(ObjectKey.Combine(_prefix, ObjectKey.Check(key)));

        public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
        {
            var blob = Blob(key);
            return Call(key, () =>
            {
                using (var digest = new DigestingReadStream(content))
                {
                    var client = _container.GetBlobClient(blob.Name);
                    byte[] first = DriverSupport.ReadUpTo(digest, SingleShotLimit + 1);
                    if (first.Length <= SingleShotLimit)
                    {
                        // One request from a seekable buffer: the service computes the blob's Content-MD5 itself.
                        client.Upload(new MemoryStream(first, writable: false), new BlobUploadOptions
                        {
                            TransferOptions = new StorageTransferOptions { InitialTransferSize = SingleShotLimit + 1, MaximumTransferSize = SingleShotLimit + 1 },
                            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                        }, cancellationToken);
                    }
                    else
                    {
                        // Staged blocks, each checked by the service against its MD5, committed only when all arrived.
                        PutBlocks(key, blob, new ConcatenatedStream(first, digest), cancellationToken);
                    }
                    string md5 = digest.Md5Hex;
                    var props = blob.GetProperties(cancellationToken: cancellationToken).Value;
                    if (props.ContentLength != digest.BytesRead)
                    {
                        throw Mismatch(key, $"the service holds {props.ContentLength} bytes after {digest.BytesRead} were sent");
                    }
                    if (props.ContentHash == null || props.ContentHash.Length == 0)
                    {
                        // Committed from blocks: record the MD5 of the whole so later reads can be checked by the service's header.
                        blob.SetHttpHeaders(new BlobHttpHeaders { ContentHash = HexToBytes(md5), ContentType = props.ContentType }, new BlobRequestConditions { IfMatch = props.ETag }, cancellationToken);
                    }
                    else if (DigestingReadStream.Hex(props.ContentHash) != md5)
                    {
                        throw Mismatch(key, $"the service's Content-MD5 {DigestingReadStream.Hex(props.ContentHash)} is not the {md5} of the bytes sent");
                    }
                    return new StoredObject { Key = key, Size = digest.BytesRead, LastModifiedUtc = props.LastModified.UtcDateTime, Sha256 = digest.Sha256Hex, ServiceMd5 = md5 };
                }
            });
        }

        public Stream OpenRead(string key, CancellationToken cancellationToken)
        {
            var blob = Blob(key);
            return Call(key, () => blob.DownloadStreaming(cancellationToken: cancellationToken).Value.Content);
        }

        public StoredObject Stat(string key, CancellationToken cancellationToken)
        {
            var blob = Blob(key);
            return Call(key, () =>
            {
                try
                {
                    var p = blob.GetProperties(cancellationToken: cancellationToken).Value;
                    return new StoredObject { Key = key, Size = p.ContentLength, LastModifiedUtc = p.LastModified.UtcDateTime, ServiceMd5 = Hex(p.ContentHash) };
                }
                catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode != "ContainerNotFound")
                {
                    return null;
                }
            });
        }

        public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
        {
            prefix = ObjectKey.Check(prefix ?? "", allowEmpty: true);
            string root = _prefix.Length == 0 ? "" : _prefix + "/";
            return Call(prefix, () =>
            {
                var result = new List<StoredObject>();
                foreach (var item in _container.GetBlobs(BlobTraits.None, BlobStates.None, root + prefix, cancellationToken))
                {
                    result.Add(new StoredObject
                    {
                        Key = item.Name.Substring(root.Length),
                        Size = item.Properties.ContentLength ?? 0,
                        LastModifiedUtc = item.Properties.LastModified?.UtcDateTime,
                        ServiceMd5 = Hex(item.Properties.ContentHash),
                    });
                }
                return (IReadOnlyList<StoredObject>)result.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
            });
        }

        public void Delete(string key, CancellationToken cancellationToken)
        {
            var blob = Blob(key);
            Call(key, () => blob.DeleteIfExists(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).Value);
        }

        public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken)
        {
            var blob = Blob(key);
            return Call(key, () =>
            {
                try
                {
                    blob.Upload(new MemoryStream(new byte[0]), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status == 409 || e.Status == 412)
                {
                    // The lock blob exists already (perhaps leased): the lease decides.
                }
                var seconds = (int)Math.Max(15, Math.Min(60, staleAfter.TotalSeconds));
                var lease = blob.GetBlobLeaseClient();
                try
                {
                    lease.Acquire(TimeSpan.FromSeconds(seconds), cancellationToken: cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    return null;
                }
                return (IStorageLock)new LeaseLock(key, blob, lease, TimeSpan.FromSeconds(seconds));
            });
        }

        public void Dispose()
        {
        }

        private const int SingleShotLimit = 8 * 1024 * 1024;
        private const int BlockSize = 8 * 1024 * 1024;

        /// <summary>A block blob holds at most this many blocks.</summary>
        internal const int MaxBlockCount = 50000;

        /// <summary>Blocks sent at once.</summary>
        private const int BlocksInFlight = 4;

        /// <summary>The first blocks' size (tests lower it).</summary>
        internal int BlockBytes { get; set; } = BlockSize;

        /// <summary>
        /// A stream of unknown length (a FileCopy archive) sends <see cref="BlockBytes"/> blocks at first, and blocks
        /// twice as large after each this many (up to 1.5 GiB): 50,000 blocks of a fixed 8 MiB would stop at 390 GiB.
        /// Tests lower it.
        /// </summary>
        internal int BlocksPerSizeStep { get; set; } = 5000;

        /// <summary>The size of block <paramref name="number"/> (from 1).</summary>
        internal static int BlockSizeFor(int number, int firstBytes, int blocksPerStep) => DriverSupport.GrowingChunkSize(number, firstBytes, blocksPerStep);

        /// <summary>
        /// Stages the stream as blocks through <see cref="PartedUpload{TSent}"/> (<see cref="BlocksInFlight"/> at a time,
        /// each with its MD5 for the service to check, growing as the blob does) and commits them in order; nothing is
        /// stored when any block fails (staged blocks that are never committed are discarded by the service).
        /// </summary>
        private void PutBlocks(string key, BlockBlobClient blob, Stream source, CancellationToken ct)
        {
            var validation = new BlockBlobStageBlockOptions { TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 } };
            var upload = new PartedUpload<string>
            {
                FirstBytes = BlockBytes,
                PartsPerSizeStep = BlocksPerSizeStep,
                MaxParts = MaxBlockCount,
                PartsInFlight = BlocksInFlight,
                SendPart = async (number, bytes, count) =>
                {
                    string id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
                    await blob.StageBlockAsync(id, new MemoryStream(bytes, 0, count, writable: false), validation, ct).ConfigureAwait(false);
                    return id;
                },
                TooManyParts = () => DriverSupport.TooManyParts(StorageException.Join(DisplayName, key), MaxBlockCount, "blocks", "the largest blob Azure stores"),
            };
            var ids = upload.Run(source, null, ct);
            blob.CommitBlockList(ids, new CommitBlockListOptions(), ct);
        }

        private StorageException Mismatch(string key, string why) => new StorageException("StorageUploadMismatch", ErrorCategory.WriteError, StorageException.Join(DisplayName, key),
            $"The upload of '{StorageException.Join(DisplayName, key)}' was not stored as sent: {why}.", "Run the backup again; if it repeats, check the storage account.");

        /// <summary>The signed expiry (se=) of a SAS token, or null when it has none that can be read.</summary>
        internal static DateTimeOffset? SasExpiry(string sas)
        {
            foreach (var part in sas.TrimStart('?').Split('&'))
            {
                if (part.StartsWith("se=", StringComparison.Ordinal)
                    && DateTimeOffset.TryParse(Uri.UnescapeDataString(part.Substring(3)), System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var expiry))
                {
                    return expiry;
                }
            }
            return null;
        }

        private static string Hex(byte[] bytes) => bytes == null || bytes.Length == 0 ? null : DigestingReadStream.Hex(bytes);

        private static byte[] HexToBytes(string hex)
        {
            var b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = Convert.ToByte(hex.Substring(i * 2, 2), 16);
            }
            return b;
        }

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
            catch (OperationCanceledException e) when (!(e is System.Threading.Tasks.TaskCanceledException))
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
            if (e is RequestFailedException r && r.Status != 0)
            {
                string code = r.ErrorCode ?? "";
                string detail = $"{code} ({r.Status})";
                if (code == "ContainerNotFound")
                {
                    return new StorageException("StorageContainerNotFound", ErrorCategory.ObjectNotFound, _container.Uri.GetLeftPart(UriPartial.Path),
                        $"The container '{_container.Name}' does not exist (for '{target}').", "Create the container (or correct the URL) before backing up to it.");
                }
                if (r.Status == 404)
                {
                    return StorageException.NotFound(DisplayName, key);
                }
                if ((r.Status == 403 || r.Status == 401) && _sasExpiry.HasValue && _sasExpiry.Value <= DateTimeOffset.UtcNow)
                {
                    return new StorageException("StorageAccessDenied", ErrorCategory.PermissionDenied, target,
                        $"Azure Storage refused the SAS token of the storage context for '{target}': the token expired at {_sasExpiry.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({detail}).",
                        "Make a new SAS token, valid now, with read, write, list and delete on the container, and a new storage context: New-DoltBackupStorageContext -SasToken (Read-Host -AsSecureString).");
                }
                if (r.Status == 403 || r.Status == 401)
                {
                    return new StorageException("StorageAccessDenied", ErrorCategory.PermissionDenied, target,
                        $"Azure Storage refused access to '{target}': {detail}. An expired or too narrow SAS token, a wrong key or a missing role assignment gives this.",
                        "Check the storage context (a SAS token valid now with read, write, list and delete; or the role 'Storage Blob Data Contributor' for the identity).");
                }
                return new StorageException("StorageFailed", ErrorCategory.WriteError, target, $"Azure Storage failed for '{target}': {detail}.", "Run again; if it repeats, check the service's status.");
            }
            if (e is AuthenticationFailedException || e is CredentialUnavailableException)
            {
                return new StorageException("StorageAccessDenied", ErrorCategory.AuthenticationError, target,
                    $"No Azure credential could be used for '{target}': {DriverSupport.FirstLine(_scrubber.Scrub(e.Message))}.",
                    "Run where a managed identity is assigned (Azure Automation), sign in (Connect-AzAccount / az login), or give New-DoltBackupStorageContext -SasToken or -ConnectionString.");
            }
            if (DriverSupport.IsUnreachable(e) || e is RequestFailedException || e is AggregateException)
            {
                return new StorageException("StorageEndpointUnreachable", ErrorCategory.ConnectionError, target,
                    $"The Azure Storage endpoint for '{target}' could not be reached: {DriverSupport.FirstLine(_scrubber.Scrub(DriverSupport.Innermost(e).Message))}.",
                    "Check the network, the account name and the storage context's endpoint, then run again.");
            }
            return new StorageException("StorageFailed", ErrorCategory.WriteError, target, $"Azure Storage failed for '{target}': {DriverSupport.FirstLine(_scrubber.Scrub(e.Message))}.",
                "Run again; if it repeats, check the service's status.");
        }

        private sealed class LeaseLock : RenewedLock
        {
            private readonly BlockBlobClient _blob;
            private readonly BlobLeaseClient _lease;

            public LeaseLock(string key, BlockBlobClient blob, BlobLeaseClient lease, TimeSpan duration)
                : base(key, TimeSpan.FromTicks(duration.Ticks / 3))
            {
                _blob = blob;
                _lease = lease;
            }

            protected override void Renew() => _lease.Renew();

            // Deleting the lock blob with its lease id ends the lease and leaves nothing behind in the set.
            protected override void Release() => _blob.DeleteIfExists(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { LeaseId = _lease.LeaseId });
        }
    }
}
