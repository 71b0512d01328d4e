using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using DoltBackup.Storage;
using DoltBackup.Storage.Azure;
using DoltBackup.Tests.Infrastructure;
using global::Azure.Storage.Blobs;
using global::Azure.Storage.Blobs.Models;
using global::Azure.Storage.Blobs.Specialized;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A streamed upload of unknown length to Azure Blob: a block blob holds at most 50,000 blocks, so fixed 8 MiB blocks
    /// stop at 390 GiB. Blocks grow as the blob does instead.
    /// </summary>
    public sealed class AzureBlockSizeTests
    {
        [Fact]
        public void Blocks_of_a_stream_of_unknown_length_go_far_beyond_390_GiB_within_50000_blocks()
        {
            const int First = 8 << 20;
            long total = 0;
            int largest = 0;
            for (int block = 1; block <= AzureBlobBackupLocation.MaxBlockCount; block++)
            {
                int size = AzureBlobBackupLocation.BlockSizeFor(block, First, 5000);
                Assert.True(size >= First && size <= 4000L << 20, $"block {block}: {size}");
                Assert.True(size >= largest);
                largest = size;
                total += size;
            }
            Assert.True(total >= 5L << 40, total.ToString());
            Assert.Equal(First, AzureBlobBackupLocation.BlockSizeFor(5000, First, 5000)); // a blob under 39 GiB keeps 8 MiB blocks
        }

        [AzuriteFact]
        public void A_stream_of_unknown_length_is_staged_in_growing_blocks_committed_in_order_and_stored_intact()
        {
            ObjectStoreServers.CreateContainer("blocks");
            string prefix = "b-" + Guid.NewGuid().ToString("N").Substring(0, 10);
            using var location = BackupLocations.Open($"az://{ObjectStoreServers.AzuriteAccount}/blocks/{prefix}", ObjectStoreServers.AzuriteContext());
            var azure = (AzureBlobBackupLocation)location;
            azure.BlockBytes = 1 << 20;
            azure.BlocksPerSizeStep = 2;
            var data = new byte[(12 << 20) + 4321];
            new Random(9).NextBytes(data);
            string sha = Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

            var stored = location.Put("set/grown.tar", new BackupLocationContractTests.NonSeekable(new MemoryStream(data)), CancellationToken.None);

            Assert.Equal(sha, stored.Sha256);
            Assert.Equal(data.LongLength, stored.Size);
            Assert.Equal(sha, Convert.ToHexString(SHA256.HashData(BackupLocationContractTests.ReadAll(location, "set/grown.tar"))).ToLowerInvariant());
            var blob = new BlobContainerClient(ObjectStoreServers.AzuriteConnectionString(), "blocks").GetBlockBlobClient(prefix + "/set/grown.tar");
            var sizes = blob.GetBlockList(BlockListTypes.Committed).Value.CommittedBlocks.Select(b => b.SizeLong).ToList();
            // 1, 1, 2, 2 MiB, then 4 MiB blocks: the first 10 MiB in five blocks, then the tail (2 MiB and 4321 bytes).
            Assert.Equal(new long[] { 1 << 20, 1 << 20, 2 << 20, 2 << 20, 4 << 20, (2 << 20) + 4321 }, sizes);
        }
    }
}
