using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using DoltBackup.Storage;
using DoltBackup.Storage.S3;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A streamed upload of unknown length (a FileCopy archive going straight to s3://) cannot know its size up front;
    /// with fixed 16 MiB parts, S3's 10,000 parts stop at 160 GiB. Parts grow as the object does instead.
    /// </summary>
    public sealed class S3PartSizeTests : IDisposable
    {
        private readonly List<IDisposable> _cleanup = new List<IDisposable>();

        public void Dispose()
        {
            foreach (var d in Enumerable.Reverse(_cleanup))
            {
                d.Dispose();
            }
        }

        [Fact]
        public void Parts_of_an_upload_of_unknown_length_reach_S3s_5_TiB_object_limit_within_10000_parts()
        {
            static int SizeOf(int part) => S3BackupLocation.PartSizeFor(part, S3BackupLocation.PartSize, 1000);
            long total = 0;
            int largest = 0;
            for (int part = 1; part <= S3BackupLocation.MaxPartCount; part++)
            {
                int size = SizeOf(part);
                Assert.True(size >= S3BackupLocation.PartSize && size <= (5L << 30), $"part {part}: {size}");
                Assert.True(size >= largest);
                largest = size;
                total += size;
            }
            Assert.True(total >= 5L << 40, total.ToString());
            Assert.Equal(S3BackupLocation.PartSize, SizeOf(1000)); // an object under 16 GiB keeps 16 MiB parts (and little memory)
            Assert.Equal(2 * S3BackupLocation.PartSize, SizeOf(1001));
        }

        [S3rverFact]
        public void An_upload_of_unknown_length_grows_its_parts_as_the_object_grows_and_is_stored_intact()
        {
            // Two parts per size here (1,000 by default): 5, 5, 10, 10 MiB and a tail, 5 parts where fixed 5 MiB parts need 7.
            var proxy = new S3TamperingProxy(ObjectStoreServers.S3rverPort);
            _cleanup.Add(proxy);
            var l = (S3BackupLocation)BackupLocations.Open($"s3://{ObjectStoreServers.S3Bucket}/g-{Guid.NewGuid():N}", ObjectStoreServers.S3rverContext(endpoint: proxy.Endpoint));
            _cleanup.Add(l);
            l.PartBytes = 5 * 1024 * 1024;
            l.PartsPerSizeStep = 2;
            var data = new byte[30 * 1024 * 1024 + 4321];
            new Random(5).NextBytes(data);
            string sha = Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

            var stored = l.Put("set/grown.tar", new BackupLocationContractTests.NonSeekable(new MemoryStream(data)), CancellationToken.None);

            Assert.Equal(sha, stored.Sha256);
            Assert.Equal(data.LongLength, stored.Size);
            Assert.Equal(sha, Convert.ToHexString(SHA256.HashData(BackupLocationContractTests.ReadAll(l, "set/grown.tar"))).ToLowerInvariant());
            Assert.Equal(5, proxy.Uploads.Count(u => u.Query.Contains("partNumber", StringComparison.Ordinal)));
        }
    }
}
