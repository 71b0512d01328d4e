using System.IO;
using DoltBackup.Storage;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    public class StorageLocationTests
    {
        [Theory]
        [InlineData("s3://my-bucket/prod/db1", StorageKind.S3, "my-bucket", null, null, "prod/db1", "s3://my-bucket/prod/db1")]
        [InlineData("s3://my-bucket", StorageKind.S3, "my-bucket", null, null, "", "s3://my-bucket")]
        [InlineData("s3://my-bucket/a//b/", StorageKind.S3, "my-bucket", null, null, "a/b", "s3://my-bucket/a/b")]
        [InlineData("az://acct1/backups/prod", StorageKind.AzureBlob, null, "acct1", "backups", "prod", "az://acct1/backups/prod")]
        [InlineData("https://acct1.blob.core.windows.net/backups/prod/x", StorageKind.AzureBlob, null, "acct1", "backups", "prod/x", "https://acct1.blob.core.windows.net/backups/prod/x")]
        [InlineData("https://ACCT1.blob.core.windows.net/backups", StorageKind.AzureBlob, null, "acct1", "backups", "", "https://acct1.blob.core.windows.net/backups")]
        public void Object_store_urls_choose_their_driver(string text, StorageKind kind, string bucket, string account, string container, string prefix, string display)
        {
            var l = StorageLocation.Parse(text);
            Assert.Equal(kind, l.Kind);
            Assert.Equal(bucket, l.Bucket);
            Assert.Equal(account, l.Account);
            Assert.Equal(container, l.Container);
            Assert.Equal(prefix, l.Prefix);
            Assert.Equal(display, l.DisplayName);
            Assert.True(l.IsRemote);
            Assert.True(StorageLocation.IsObjectStoreUrl(text));
        }

        [Fact]
        public void Paths_and_file_urls_are_local_folders()
        {
            string full = Path.GetFullPath("/tmp/backups/x");
            Assert.Equal(full, StorageLocation.Parse("/tmp/backups/x").LocalPath);
            Assert.Equal(full, StorageLocation.Parse("file:///tmp/backups/x").LocalPath);
            Assert.Equal(Path.Combine("/base", "rel"), StorageLocation.Parse("rel", "/base").LocalPath);
            Assert.Equal(StorageKind.Local, StorageLocation.Parse("rel", "/base").Kind);
            Assert.False(StorageLocation.IsObjectStoreUrl("/tmp/backups/x"));
            Assert.IsType<LocalFolderLocation>(BackupLocations.Open("file:///tmp/backups/x", null));
        }

        [Theory]
        [InlineData("gs://bucket/p", "StorageUnknownScheme", "gs://")]
        [InlineData("ftp://host/p", "StorageUnknownScheme", "ftp://")]
        [InlineData("https://www.dolthub.com/org/db", "StorageUnknownScheme", "blob.core.windows.net")]
        [InlineData("s3://B_ad/p", "StorageInvalidLocation", "B_ad")]
        [InlineData("az://acct1", "StorageInvalidLocation", "no container")]
        [InlineData("az://Bad-Account/c1c/p", "StorageInvalidLocation", "Bad-Account")]
        [InlineData("s3://bucket/a/../b", "StorageInvalidKey", "..")]
        public void Bad_locations_are_refused_with_what_to_write(string text, string errorId, string mentioned)
        {
            var e = Assert.Throws<StorageException>(() => StorageLocation.Parse(text));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(mentioned, e.Message);
            Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
        }

        [Fact]
        public void Only_object_store_urls_are_staged_destinations_and_https_ones_only_for_Azure_Blob()
        {
            Assert.True(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("https://acct1.blob.core.windows.net/backups/prod"));
            Assert.True(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination(" HTTPS://Acct1.Blob.Core.Windows.Net/backups "));
            Assert.True(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("az://acct1/backups/prod"));
            Assert.True(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("s3://bucket/prod"));
            // Dolt writes these itself: DoltHub/DoltLab remotes, a remotesapi server, a host that only looks like Azure.
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("https://doltremoteapi.dolthub.com/org/repo"));
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("http://localhost:50051/db"));
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("https://blob.core.windows.net.example.com/c"));
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("http://acct1.blob.core.windows.net/backups"));
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("aws://[table:bucket]/db"));
            Assert.False(DoltBackup.Storage.Sets.StagedStores.IsStagedDestination("file:///backups"));
        }

        [Fact]
        public void A_sas_token_in_the_url_is_refused_and_not_repeated()
        {
            const string sig = "sig=AbCdSecretSignature%3D";
            var e = Assert.Throws<StorageException>(() => StorageLocation.Parse("https://acct1.blob.core.windows.net/backups/p?sv=2024-01-01&" + sig));
            Assert.Equal("StorageInvalidLocation", e.ErrorId);
            Assert.DoesNotContain("AbCdSecretSignature", e.Message + e.Target + e.RecommendedAction);
            Assert.Contains("-SasToken", e.RecommendedAction);
        }

        [Fact]
        public void Child_moves_a_location_down_to_a_set()
        {
            var root = StorageLocation.Parse("az://acct1/backups/prod");
            var set = root.Child("20261203T020000Z-prod");
            Assert.Equal("prod/20261203T020000Z-prod", set.Prefix);
            Assert.Equal("az://acct1/backups/prod/20261203T020000Z-prod", set.DisplayName);
            Assert.Equal("prod", root.Prefix);
        }

        [Fact]
        public void Keys_are_relative_slash_separated_and_without_dot_segments()
        {
            Assert.Equal("a/b", ObjectKey.Combine("a/", "", "/b"));
            Assert.Throws<StorageException>(() => ObjectKey.Check("/abs"));
            Assert.Throws<StorageException>(() => ObjectKey.Check("a\\b"));
            Assert.Throws<StorageException>(() => ObjectKey.Check("a/./b"));
            Assert.Equal("a/b.json", ObjectKey.Check("a/b.json"));
        }
    }
}
