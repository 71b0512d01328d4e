using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Storage
{
    /// <summary>
    /// The upload of a stream of unknown length as numbered parts (S3 multipart parts, Azure staged blocks), shared by
    /// the object-store drivers, which give only how one part is sent and commit the parts themselves.
    /// This thread reads the source part after part into a small pool of reused buffers and hands each part to its own
    /// upload task, at most <see cref="PartsInFlight"/> at once (one more buffer is being read meanwhile). Parts grow as
    /// the object does (<see cref="DriverSupport.GrowingChunkSize"/>), so a service's part-count limit is never what
    /// stops a large stream; buffers of an earlier size are dropped.
    /// </summary>
    /// <typeparam name="TSent">What sending one part answers (the driver's record of it, for its commit).</typeparam>
    internal sealed class PartedUpload<TSent>
    {
        /// <summary>The size of the first parts.</summary>
        public int FirstBytes { get; set; }

        /// <summary>Parts are twice as large after each this many.</summary>
        public int PartsPerSizeStep { get; set; }

        /// <summary>The service's largest number of parts per object.</summary>
        public int MaxParts { get; set; }

        /// <summary>Parts sent at once.</summary>
        public int PartsInFlight { get; set; }

        /// <summary>Sends part number n (from 1) of <c>count</c> bytes of the buffer, which it must only read.</summary>
        public Func<int, byte[], int, Task<TSent>> SendPart { get; set; }

        /// <summary>Optional: sees each part's bytes on the reading thread while the part is sent (both only read the buffer).</summary>
        public Action<byte[], int> SeePart { get; set; }

        /// <summary>The error when the stream needs more than <see cref="MaxParts"/> parts (nothing is committed).</summary>
        public Func<Exception> TooManyParts { get; set; }

        /// <summary>The bytes handed to <see cref="SendPart"/> so far.</summary>
        public long BytesSent { get; private set; }

        /// <summary>
        /// Sends the stream (after <paramref name="first"/>, a whole first part already read, when not null) and answers
        /// what each part's sending answered, in part order. On any failure (a part, the source, cancellation, too many
        /// parts) it waits until every started part has ended and rethrows; committing nothing is then the driver's part.
        /// </summary>
        public IReadOnlyList<TSent> Run(Stream source, byte[] first, CancellationToken ct)
        {
            var uploads = new List<Task<TSent>>();
            var pool = new ConcurrentBag<byte[]>();
            // Not disposed: a buffer's release may run after this method returned.
            var free = new SemaphoreSlim(PartsInFlight);
            try
            {
                for (int number = 1; ; number++)
                {
                    int size = DriverSupport.GrowingChunkSize(number, FirstBytes, PartsPerSizeStep);
                    byte[] buffer = number == 1 && first != null ? first
                        : pool.TryTake(out var reused) && reused.Length == size ? reused : new byte[size];
                    int count = number == 1 && first != null ? first.Length : DriverSupport.Fill(source, buffer, 0);
                    if (count == 0)
                    {
                        break;
                    }
                    if (number > MaxParts)
                    {
                        throw TooManyParts();
                    }
                    // A part that failed or was cancelled (an HTTP timeout ends a part cancelled) stops the reading here.
                    uploads.FirstOrDefault(t => t.IsFaulted || t.IsCanceled)?.GetAwaiter().GetResult();
                    free.Wait(ct);
                    int partNumber = number;
                    var upload = Task.Run(() => SendPart(partNumber, buffer, count));
                    uploads.Add(upload);
                    // The buffer returns to the pool once sent, and only this thread takes it from there, after SeePart.
                    upload.ContinueWith(_ =>
                    {
                        pool.Add(buffer);
                        free.Release();
                    }, TaskScheduler.Default);
                    SeePart?.Invoke(buffer, count);
                    BytesSent += count;
                    if (count < size)
                    {
                        break;
                    }
                }
                return Task.WhenAll(uploads).GetAwaiter().GetResult();
            }
            catch
            {
                // No part may still be using a buffer, or be sent into an upload the driver is about to abort.
                Task.WhenAll(uploads).ContinueWith(_ => { }, TaskScheduler.Default).Wait();
                throw;
            }
        }
    }
}
