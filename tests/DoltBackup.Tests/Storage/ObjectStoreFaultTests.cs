using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using global::Azure.Storage;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Blobs.Specialized;
using global::Azure.Storage.Sas;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Issue 12, faults against the real emulators (Azurite, s3rver), through the cmdlets where the user sees them:
    /// SAS tokens (valid, expired) over a custom Blob endpoint, the https://account.blob.core.windows.net URL form,
    /// the set lock (a live lease or S3 lock refuses a second writer; a writer that stopped renewing is taken over),
    /// a transfer cut halfway, an endpoint that is down, a missing bucket. Each error has its id, category, target and
    /// what to do, and no secret (SAS signature, key) reaches any stream.
    /// </summary>
    public class ObjectStoreFaultTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private static string Prefix() => "f-" + Guid.NewGuid().ToString("N").Substring(0, 8);

        private static string AzuriteEndpoint => $"http://127.0.0.1:{ObjectStoreServers.AzuritePort}/{ObjectStoreServers.AzuriteAccount}";

        /// <summary>A container SAS signed with Azurite's account key, valid until <paramref name="expires"/>.</summary>
        private static string ContainerSas(string container, DateTimeOffset expires)
        {
            var builder = new BlobSasBuilder { BlobContainerName = container, Resource = "c", StartsOn = expires.AddHours(-2), ExpiresOn = expires };
            builder.SetPermissions(BlobContainerSasPermissions.All);
            return builder.ToSasQueryParameters(new StorageSharedKeyCredential(ObjectStoreServers.AzuriteAccount, ObjectStoreServers.AzuriteKey)).ToString();
        }

        private static string SignatureOf(string sas) => Uri.UnescapeDataString(sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal)).Substring(4));

        /// <summary>Publishes a small set (one archive, grants) under <paramref name="setKey"/> of <paramref name="url"/>.</summary>
        private static void PublishSet(TempDir dir, string url, StorageContext context, string setKey, string name = "n")
        {
            using var location = BackupLocations.Open(url, context);
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, setKey, name: name, createdUtc: new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)), location, setKey, null, None);
        }

        private static void AssertClearError(ErrorRecord e, string fullyQualifiedId, ErrorCategory category)
        {
            Assert.Equal(fullyQualifiedId, e.FullyQualifiedErrorId);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.False(string.IsNullOrEmpty(e.TargetObject?.ToString()));
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));
        }

        [AzuriteFact]
        public void A_sas_token_over_a_custom_blob_endpoint_works_and_an_expired_one_is_refused_without_showing_it()
        {
            ObjectStoreServers.CreateContainer("backups");
            string url = $"az://{ObjectStoreServers.AzuriteAccount}/backups/{Prefix()}";
            using var dir = new TempDir();
            PublishSet(dir, url, ObjectStoreServers.AzuriteContext(), "20260101T000000Z-n");
            using var host = new PowerShellHost();
            const string script = "$sas = [securestring]::new(); foreach ($ch in $args[2].ToCharArray()) { $sas.AppendChar($ch) }; " +
                "$ctx = New-DoltBackupStorageContext -AzureBlobEndpoint $args[1] -SasToken $sas; $ctx.ToString(); Get-DoltBackup $args[0] -StorageContext $ctx -Verbose";

            string valid = ContainerSas("backups", DateTimeOffset.UtcNow.AddHours(1));
            var ok = host.Run(script, url, AzuriteEndpoint, valid);
            Assert.True(ok.Errors.Count == 0 && ok.Terminating == null, ok.AllText());
            Assert.Equal("20260101T000000Z-n", ok.Output.Select(o => o.BaseObject).OfType<BackupManifest>().Single().Id);
            Assert.Contains("Azure SAS token (hidden)", ok.AllText());
            Assert.DoesNotContain(SignatureOf(valid), UploadFaultTests.EverythingShown(ok));

            string expired = ContainerSas("backups", DateTimeOffset.UtcNow.AddHours(-1));
            var refused = host.Run(script, url, AzuriteEndpoint, expired);
            var e = Assert.Single(refused.Errors);
            AssertClearError(e, "DoltBackup.StorageAccessDenied,DoltBackup.Cmdlets.GetDoltBackupCommand", ErrorCategory.PermissionDenied);
            Assert.Contains("SAS", e.Exception.Message);
            Assert.Contains("the token expired at", e.Exception.Message);
            Assert.Contains("SAS token", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(SignatureOf(expired), UploadFaultTests.EverythingShown(refused));
            Assert.DoesNotContain(expired, UploadFaultTests.EverythingShown(refused));
        }

        [AzuriteFact]
        public void An_endpoint_account_other_than_the_urls_is_refused_before_any_request()
        {
            using var host = new PowerShellHost();
            var r = host.Run("$ctx = New-DoltBackupStorageContext -AzureBlobEndpoint 'http://127.0.0.1:1/otheraccount'; Get-DoltBackup az://acct1/backups/p -StorageContext $ctx");
            AssertClearError(Assert.Single(r.Errors), "DoltBackup.StorageInvalidLocation,DoltBackup.Cmdlets.GetDoltBackupCommand", ErrorCategory.InvalidArgument);
            var bad = host.Run("New-DoltBackupStorageContext -AzureBlobEndpoint 'http://127.0.0.1:1/acct?sig=TopSecretSig'");
            Assert.Equal("DoltBackup.InvalidStorageContext,DoltBackup.Cmdlets.NewDoltBackupStorageContextCommand", bad.Terminating?.ErrorRecord.FullyQualifiedErrorId ?? Assert.Single(bad.Errors).FullyQualifiedErrorId);
            Assert.DoesNotContain("TopSecretSig", bad.AllText());
        }

        /// <summary>The README's main command with an https://account.blob.core.windows.net destination (Azurite through the connection string's endpoint), then Get/Test/Restore/Remove by that URL.</summary>
        [AzuriteFact]
        public void The_https_blob_url_works_as_a_staged_destination_and_for_get_test_restore_and_remove()
        {
            ObjectStoreServers.CreateContainer("backups");
            string root = $"https://{ObjectStoreServers.AzuriteAccount}.blob.core.windows.net/backups/{Prefix()}";
            string url = root + "/prod";
            var context = ObjectStoreServers.AzuriteContext();
            using var bed = new StagedDestinationTests.Bed();
            var r = bed.Backup(url, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var local = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            Assert.Equal(url, local.Destination.ObjectStoreUrl);
            Assert.Equal(url + "/sales", local.Databases.Single(d => d.Name == "sales").ObjectStoreUrl);
            Assert.Contains(r.Verbose, v => v.StartsWith("Uploaded ", StringComparison.Ordinal));
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, UploadFaultTests.EverythingShown(r));
            Directory.Delete(bed.Staging, recursive: true);

            var checks = bed.Shell.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1]", root, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            Assert.NotEmpty(checks.Output);
            Assert.DoesNotContain(checks.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Status")?.GetValue(c)?.ToString() == "Failed");

            StagedDestinationTests.AssertRestores(bed, local, context); // Restore-DoltBackup -Path <https URL>, every database Verified

            // Retention by the https root: an older set goes, the staged one (newest) stays.
            PublishSet(bed.Dir, root, context, "20200101T000000Z-prod", local.Name);
            var removed = bed.Shell.Run("Remove-DoltBackup -Path $args[0] -StorageContext $args[1] -KeepLast 1 -Force", root, context);
            Assert.True(removed.Errors.Count == 0 && removed.Terminating == null, removed.AllText());
            Assert.Equal(new[] { "20200101T000000Z-prod" }, removed.Output.Select(o => o.BaseObject).OfType<DoltBackup.Retention.BackupRemovalResult>()
                .Where(x => x.Action == DoltBackup.Retention.BackupRemovalAction.Deleted).Select(x => x.Id));
            using var location = BackupLocations.Open(root, context);
            Assert.DoesNotContain(location.List("", None), o => o.Key.StartsWith("20200101T000000Z-prod/", StringComparison.Ordinal));
            Assert.Contains(location.List("", None), o => o.Key == "prod/manifest.json");
        }

        [AzuriteFact]
        public void A_live_lease_refuses_a_second_writer_and_a_lease_nobody_renews_is_taken_over_when_it_expires()
        {
            ObjectStoreServers.CreateContainer("backups");
            string prefix = Prefix();
            string root = $"az://{ObjectStoreServers.AzuriteAccount}/backups/{prefix}";
            var context = ObjectStoreServers.AzuriteContext();
            using var dir = new TempDir();
            string folder = OffHostSetTests.LocalSet(dir, "20260101T000000Z-n");

            // Another writer that crashed: it leased the set's lock blob for 15 s (Azure's shortest lease) and never renews it.
            var container = new BlobServiceClient(ObjectStoreServers.AzuriteConnectionString()).GetBlobContainerClient("backups");
            var lockBlob = container.GetBlockBlobClient($"{prefix}/20260101T000000Z-n/.doltbackup.lock");
            lockBlob.Upload(new MemoryStream(new byte[0]));
            var leased = DateTime.UtcNow;
            lockBlob.GetBlobLeaseClient().Acquire(TimeSpan.FromSeconds(15));

            using var host = new PowerShellHost();
            const string copy = "Sync-DoltBackup -Path $args[0] -CopyTo $args[1] -StorageContext $args[2]";
            var busy = host.Run(copy, folder, root, context);
            var e = Assert.Single(busy.Errors);
            AssertClearError(e, "DoltBackup.StorageSetLocked,DoltBackup.Cmdlets.SyncDoltBackupCommand", ErrorCategory.ResourceBusy);
            Assert.Contains("expires", e.ErrorDetails.RecommendedAction);
            Assert.NotEqual(BackupStatus.Completed, ((BackupManifest)busy.Output.Single().BaseObject).Status);
            using (var location = BackupLocations.Open(root, context))
            {
                Assert.Null(location.Stat("20260101T000000Z-n/manifest.json", None));
            }

            // Once the lease has expired, the next writer takes the lock over and the copy completes.
            var wait = leased.AddSeconds(16) - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            var taken = host.Run(copy, folder, root, context);
            Assert.True(taken.Errors.Count == 0 && taken.Terminating == null, taken.AllText());
            Assert.Equal(BackupStatus.Completed, ((BackupManifest)taken.Output.Single().BaseObject).Status);
            using (var location = BackupLocations.Open(root, context))
            {
                Assert.Equal(BackupStatus.Completed, RemoteSetCatalog.ReadManifest(location, "20260101T000000Z-n", None).Status);
                Assert.Null(location.Stat("20260101T000000Z-n/.doltbackup.lock", None)); // released: deleted with its lease
            }
        }

        [S3rverFact]
        public void An_s3_lock_held_by_a_live_writer_refuses_a_second_one_and_an_expired_one_is_taken_over()
        {
            string root = $"s3://{ObjectStoreServers.S3Bucket}/{Prefix()}";
            var context = ObjectStoreServers.S3rverContext();
            using var dir = new TempDir();
            string folder = OffHostSetTests.LocalSet(dir, "20260101T000000Z-n");
            void Lock(DateTime expires)
            {
                using var location = BackupLocations.Open(root, context);
                string json = $"{{\"Owner\":\"other-writer\",\"Host\":\"elsewhere\",\"ExpiresUtc\":\"{expires:yyyy-MM-ddTHH:mm:ss.fffZ}\"}}";
                location.Put("20260101T000000Z-n/.doltbackup.lock", new MemoryStream(Encoding.UTF8.GetBytes(json)), None);
            }
            using var host = new PowerShellHost();
            const string copy = "Sync-DoltBackup -Path $args[0] -CopyTo $args[1] -StorageContext $args[2]";

            Lock(DateTime.UtcNow.AddMinutes(5));
            var busy = host.Run(copy, folder, root, context);
            AssertClearError(Assert.Single(busy.Errors), "DoltBackup.StorageSetLocked,DoltBackup.Cmdlets.SyncDoltBackupCommand", ErrorCategory.ResourceBusy);
            Assert.NotEqual(BackupStatus.Completed, ((BackupManifest)busy.Output.Single().BaseObject).Status);

            Lock(DateTime.UtcNow.AddMinutes(-1)); // a writer that stopped renewing: its lock has expired
            var taken = host.Run(copy, folder, root, context);
            Assert.True(taken.Errors.Count == 0 && taken.Terminating == null, taken.AllText());
            Assert.Equal(BackupStatus.Completed, ((BackupManifest)taken.Output.Single().BaseObject).Status);
        }

        /// <summary>
        /// A transfer cut halfway through a large object (the stream the driver reads breaks after 9 MiB of 12, so
        /// Azure has staged blocks and S3 an upload under way): a clear StorageException, the object under that key
        /// and manifest.json are the previous set's, which still fetches whole.
        /// </summary>
        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_transfer_cut_halfway_leaves_the_previous_set_whole(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            var big = new byte[12 * 1024 * 1024];
            new Random(12).NextBytes(big);
            string folder = OffHostSetTests.LocalSet(dir, "set-1", "first");
            using var location = BackupLocations.Open(url, context);
            BackupSetTransfer.Publish(folder, location, "set-1", null, None);
            string previous = UploadFaultTests.ReadText(location, "set-1/manifest.json");

            File.WriteAllBytes(Path.Combine(folder, "data", "a.tar"), big);
            var cut = new CuttingLocation(location, "set-1/data/a.tar", 9 * 1024 * 1024);
            var e = Assert.Throws<StorageException>(() => BackupSetTransfer.Publish(folder, cut, "set-1", null, None));
            Assert.False(string.IsNullOrEmpty(e.ErrorId));
            Assert.Contains("a.tar", e.Target);
            Assert.False(string.IsNullOrEmpty(e.RecommendedAction));

            Assert.Equal(previous, UploadFaultTests.ReadText(location, "set-1/manifest.json"));
            Assert.Equal("first", UploadFaultTests.ReadText(location, "set-1/data/a.tar"));
            using var fetched = new TempDir();
            var m = BackupSetTransfer.Fetch(location, "set-1", fetched.Combine("x"), null, None);
            Assert.Equal("set-1", m.Id);
            Assert.Equal("first", File.ReadAllText(fetched.Combine("x", "data", "a.tar")));
            // The lock of the cut upload was released: the next writer goes on.
            using var next = location.TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromMinutes(5), None);
            Assert.NotNull(next);
        }

        [AzuriteFact]
        public void An_azure_endpoint_that_is_down_is_a_clear_error_without_the_key()
        {
            var context = ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString(ObjectStoreServers.FreePort()));
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1]", $"az://{ObjectStoreServers.AzuriteAccount}/backups/down", context);
            AssertClearError(Assert.Single(r.Errors), "DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.GetDoltBackupCommand", ErrorCategory.ConnectionError);
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, UploadFaultTests.EverythingShown(r));
        }

        [S3rverFact]
        public void A_missing_bucket_is_a_clear_error_and_the_local_set_records_the_failed_copy()
        {
            using var dir = new TempDir();
            string folder = OffHostSetTests.LocalSet(dir, "20260101T000000Z-n");
            using var host = new PowerShellHost();
            var r = host.Run("Sync-DoltBackup -Path $args[0] -CopyTo $args[1] -StorageContext $args[2]", folder, "s3://no-such-bucket-" + Prefix() + "/x", ObjectStoreServers.S3rverContext());
            AssertClearError(Assert.Single(r.Errors), "DoltBackup.StorageContainerNotFound,DoltBackup.Cmdlets.SyncDoltBackupCommand", ErrorCategory.ObjectNotFound);
            Assert.DoesNotContain("S3RVER", UploadFaultTests.EverythingShown(r)); // s3rver's fixed secret
            Assert.Contains(ManifestStore.Read(folder).Errors, x => x.ErrorId == UploadRecord.FailedErrorId);
        }

        /// <summary>A location whose Put of one key reads the caller's stream only up to a point, then fails as a dropped connection would.</summary>
        private sealed class CuttingLocation : IBackupLocation
        {
            private readonly IBackupLocation _inner;
            private readonly string _key;
            private readonly long _cutAfter;

            public CuttingLocation(IBackupLocation inner, string key, long cutAfter)
            {
                _inner = inner;
                _key = key;
                _cutAfter = cutAfter;
            }

            public string DisplayName => _inner.DisplayName;
            public StorageKind Kind => _inner.Kind;
            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
                => _inner.Put(key, key == _key ? new CutStream(content, _cutAfter) : content, cancellationToken);
            public Stream OpenRead(string key, CancellationToken cancellationToken) => _inner.OpenRead(key, cancellationToken);
            public StoredObject Stat(string key, CancellationToken cancellationToken) => _inner.Stat(key, cancellationToken);
            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken) => _inner.List(prefix, cancellationToken);
            public void Delete(string key, CancellationToken cancellationToken) => _inner.Delete(key, cancellationToken);
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => _inner.TryAcquireLock(key, staleAfter, cancellationToken);
            public void Dispose()
            {
            }
        }

        private sealed class CutStream : Stream
        {
            private readonly Stream _inner;
            private long _left;

            public CutStream(Stream inner, long cutAfter)
            {
                _inner = inner;
                _left = cutAfter;
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_left <= 0)
                {
                    throw new IOException("The connection was reset (test: transfer cut halfway).");
                }
                int n = _inner.Read(buffer, offset, (int)Math.Min(count, _left));
                _left -= n;
                return n;
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
