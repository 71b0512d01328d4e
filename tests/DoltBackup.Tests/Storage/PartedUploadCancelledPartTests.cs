using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Storage;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A part whose sending ends cancelled without the caller cancelling (an HTTP client's timeout throws
    /// TaskCanceledException) stops the upload as a failed part does: the rest of the stream is not read and sent first.
    /// </summary>
    public class PartedUploadCancelledPartTests
    {
        [Fact]
        public void A_part_cancelled_by_a_timeout_stops_the_reading_and_fails_the_upload_with_nothing_left_running()
        {
            int running = 0;
            var started = new ConcurrentBag<int>();
            var upload = new PartedUpload<int>
            {
                FirstBytes = 4, PartsPerSizeStep = 1000, MaxParts = 1000, PartsInFlight = 3,
                TooManyParts = () => new InvalidOperationException("too many parts"),
                SendPart = async (number, bytes, count) =>
                {
                    Interlocked.Increment(ref running);
                    started.Add(number);
                    try
                    {
                        await Task.Delay(number == 2 ? 1 : 50);
                        if (number == 2)
                        {
                            throw new TaskCanceledException("part 2 timed out");
                        }
                        return number;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                },
            };

            var e = Assert.ThrowsAny<OperationCanceledException>(() => upload.Run(new MemoryStream(new byte[4000]), null, CancellationToken.None));

            Assert.Equal("part 2 timed out", e.Message);
            Assert.Equal(0, Volatile.Read(ref running));
            Assert.True(started.Count < 1000, $"{started.Count} of 1000 parts were started after part 2 was cancelled");
        }
    }
}
