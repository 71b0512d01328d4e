using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Storage;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// The parted upload both object-store drivers use (S3 multipart parts, Azure staged blocks): parts in order, growing
    /// as the object does, at most the parts in flight at once, every byte sent once; a failure or too many parts ends
    /// with no part still being sent. The drivers' own calls are checked against Azurite and s3rver
    /// (S3PartSizeTests, AzureBlockSizeTests, S3UploadIntegrityTests).
    /// </summary>
    public class PartedUploadTests
    {
        private static byte[] Source(int n)
        {
            var bytes = new byte[n];
            new Random(n).NextBytes(bytes);
            return bytes;
        }

        private sealed class Sent
        {
            public int Number;
            public byte[] Bytes;
        }

        private static PartedUpload<Sent> Upload(int first, int perStep, int maxParts, int inFlight, Func<int, byte[], int, Task<Sent>> send)
            => new PartedUpload<Sent>
            {
                FirstBytes = first, PartsPerSizeStep = perStep, MaxParts = maxParts, PartsInFlight = inFlight, SendPart = send,
                TooManyParts = () => new InvalidOperationException("too many parts"),
            };

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(40)]
        [InlineData(41)]
        [InlineData(1000)]
        public void Parts_come_back_in_order_growing_as_the_object_does_and_hold_every_byte_once(int length)
        {
            byte[] source = Source(length);
            int running = 0, most = 0;
            var random = new Random(7);
            var seen = new MemoryStream();
            var upload = Upload(4, 2, 1000, 3, async (number, bytes, count) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                var copy = new byte[count];
                Buffer.BlockCopy(bytes, 0, copy, 0, count);
                int delay;
                lock (random)
                {
                    delay = random.Next(0, 4);
                }
                await Task.Delay(delay);
                Interlocked.Decrement(ref running);
                return new Sent { Number = number, Bytes = copy };
            });
            upload.SeePart = (bytes, count) => seen.Write(bytes, 0, count);

            var parts = upload.Run(new MemoryStream(source), null, CancellationToken.None);

            Assert.Equal(Enumerable.Range(1, parts.Count), parts.Select(p => p.Number));
            Assert.Equal(parts.Select(p => p.Number).Select((n, i) => i == parts.Count - 1 ? parts[i].Bytes.Length : DriverSupport.GrowingChunkSize(n, 4, 2)), parts.Select(p => p.Bytes.Length));
            Assert.Equal(source, parts.SelectMany(p => p.Bytes).ToArray());
            Assert.Equal(source, seen.ToArray());
            Assert.Equal(length, upload.BytesSent);
            Assert.True(most <= 3, $"{most} parts were sent at once");
            if (length >= 40)
            {
                Assert.Equal(new[] { 4, 4, 8, 8, 16 }, parts.Take(5).Select(p => p.Bytes.Length));
            }
        }

        [Fact]
        public void A_first_part_read_already_is_sent_first_and_not_read_again()
        {
            byte[] source = Source(30);
            var upload = Upload(10, 1000, 100, 2, (number, bytes, count) => Task.FromResult(new Sent { Number = number, Bytes = bytes.Take(count).ToArray() }));
            var parts = upload.Run(new MemoryStream(source, 10, 20), source.Take(10).ToArray(), CancellationToken.None);
            Assert.Equal(source, parts.SelectMany(p => p.Bytes).ToArray());
            Assert.Equal(30, upload.BytesSent);
        }

        [Fact]
        public void A_failed_part_fails_the_upload_only_once_every_part_started_has_ended()
        {
            int running = 0;
            var started = new ConcurrentBag<int>();
            var upload = Upload(4, 1000, 1000, 3, async (number, bytes, count) =>
            {
                Interlocked.Increment(ref running);
                started.Add(number);
                try
                {
                    await Task.Delay(number == 2 ? 1 : 50);
                    if (number == 2)
                    {
                        throw new IOException("part 2 refused");
                    }
                    return new Sent { Number = number };
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            });
            var e = Assert.Throws<IOException>(() => upload.Run(new MemoryStream(Source(4000)), null, CancellationToken.None));
            Assert.Equal("part 2 refused", e.Message);
            Assert.Equal(0, Volatile.Read(ref running));
            Assert.True(started.Count < 1000, $"{started.Count} parts were started after part 2 failed");
        }

        [Fact]
        public void More_parts_than_the_service_takes_is_refused_with_the_drivers_error_and_nothing_left_running()
        {
            int running = 0;
            var upload = Upload(4, 1000, 3, 2, async (number, bytes, count) =>
            {
                Interlocked.Increment(ref running);
                await Task.Delay(20);
                Interlocked.Decrement(ref running);
                return new Sent { Number = number };
            });
            Assert.Equal(12, upload.Run(new MemoryStream(Source(12)), null, CancellationToken.None).Count * 4); // exactly the most parts
            upload = Upload(4, 1000, 3, 2, upload.SendPart);
            var e = Assert.Throws<InvalidOperationException>(() => upload.Run(new MemoryStream(Source(13)), null, CancellationToken.None));
            Assert.Equal("too many parts", e.Message);
            Assert.Equal(0, Volatile.Read(ref running));
        }

        [Fact]
        public void Cancellation_while_waiting_for_a_free_part_stops_the_upload_with_nothing_left_running()
        {
            int running = 0;
            using var cancel = new CancellationTokenSource();
            var upload = Upload(4, 1000, 1000, 1, async (number, bytes, count) =>
            {
                Interlocked.Increment(ref running);
                cancel.Cancel();
                await Task.Delay(30);
                Interlocked.Decrement(ref running);
                return new Sent { Number = number };
            });
            Assert.ThrowsAny<OperationCanceledException>(() => upload.Run(new MemoryStream(Source(400)), null, cancel.Token));
            Assert.Equal(0, Volatile.Read(ref running));
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
