using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Storage
{
    /// <summary>
    /// An upload fed by a writer: what is written to <see cref="Writer"/> flows through a bounded pipe (a few chunks,
    /// recycled) into <see cref="IBackupLocation.Put"/>, which runs on a second thread and sends it in parts or blocks
    /// as it arrives. Nothing is staged on disk and memory stays bounded (the pipe's chunks plus the driver's own part
    /// buffers), whatever the object's size. <see cref="Complete"/> ends the object and returns what the service
    /// stored; disposing an upload that was not completed abandons it: the driver's Put fails (a multipart upload is
    /// aborted, staged blocks are never committed), so no object, or the previous one, stays under the key.
    /// A failure of the upload makes the next write throw it.
    /// </summary>
    public sealed class StreamedUpload : IDisposable
    {
        /// <summary>Default size of one chunk of the pipe.</summary>
        public const int DefaultChunkSize = 1 << 20;

        /// <summary>Default number of chunks in the pipe (filled or being filled).</summary>
        public const int DefaultChunks = 4;

        private readonly Pipe _pipe;
        private readonly Task<StoredObject> _put;
        private bool _completed;
        private volatile Exception _failure;

        /// <summary>Starts the upload of <paramref name="key"/> to <paramref name="location"/>; write the object to <see cref="Writer"/>.</summary>
        public StreamedUpload(IBackupLocation location, string key, CancellationToken cancellationToken, int chunkSize = DefaultChunkSize, int chunks = DefaultChunks)
        {
            if (location == null)
            {
                throw new ArgumentNullException(nameof(location));
            }
            Key = key;
            _pipe = new Pipe(chunkSize, Math.Max(2, chunks));
            _put = Task.Factory.StartNew(() =>
            {
                try
                {
                    return location.Put(key, _pipe.Reader, cancellationToken);
                }
                catch (Exception e) when (!_pipe.IsAbandoned)
                {
                    // Recorded before the writer is released, so that it reports this rather than a broken pipe.
                    _failure = e is StorageException || e is OperationCanceledException ? e
                        : new StorageException("StorageFailed", System.Management.Automation.ErrorCategory.WriteError, StorageException.Join(location.DisplayName, key),
                            $"The upload of '{StorageException.Join(location.DisplayName, key)}' failed: {e.Message}", "Check the connection to the object store and run again; the set is not Completed.", e);
                    throw _failure;
                }
                finally
                {
                    _pipe.ReaderDone();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _pipe.UploadFailed = () => _failure;
        }

        /// <summary>The object's key in its location.</summary>
        public string Key { get; }

        /// <summary>Where the object's bytes are written (not seekable; dispose or flush does not end the object: <see cref="Complete"/> does).</summary>
        public Stream Writer => _pipe.Writer;

        /// <summary>Bytes written so far.</summary>
        public long BytesWritten => _pipe.BytesWritten;

        /// <summary>The most bytes that were ever waiting in the pipe at once (a bound, for tests and benchmarks).</summary>
        public long PeakBytesBuffered => _pipe.PeakBuffered;

        /// <summary>
        /// Ends the object: waits until the driver stored it and returns what the service holds (its size checked
        /// against the bytes written). The upload's failure is rethrown as it was raised (a <see cref="StorageException"/>).
        /// </summary>
        public StoredObject Complete()
        {
            _pipe.CompleteWriting();
            StoredObject stored;
            try
            {
                stored = _put.GetAwaiter().GetResult();
            }
            finally
            {
                _completed = true;
            }
            if (stored.Size != _pipe.BytesWritten)
            {
                throw new StorageException("StorageUploadMismatch", System.Management.Automation.ErrorCategory.WriteError, Key,
                    $"'{Key}' was stored with {stored.Size} bytes, but {_pipe.BytesWritten} were written.", "Run again.");
            }
            return stored;
        }

        /// <summary>The upload's own failure (not one caused by abandoning it), else null: report it rather than the write that saw it.</summary>
        public Exception Failure => _failure;

        /// <summary>Abandons an upload that was not completed (the driver sees a read failure and stores nothing), and waits for it.</summary>
        public void Dispose()
        {
            if (!_completed)
            {
                _completed = true;
                _pipe.Abandon();
                try
                {
                    _put.Wait();
                }
                catch (AggregateException)
                {
                    // Expected: the driver's Put failed because the writer gave up.
                }
            }
        }

        /// <summary>The bounded single-writer, single-reader pipe: filled chunks queue up; emptied ones are reused.</summary>
        private sealed class Pipe
        {
            private readonly BlockingCollection<Chunk> _filled;
            private readonly ConcurrentBag<byte[]> _free = new ConcurrentBag<byte[]>();
            private readonly SemaphoreSlim _slots;
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            private readonly int _chunkSize;
            private byte[] _writing;
            private int _writingCount;
            private Chunk _reading;
            private int _readOffset;
            private long _buffered;
            private volatile bool _abandoned;

            public Pipe(int chunkSize, int chunks)
            {
                _chunkSize = chunkSize;
                _filled = new BlockingCollection<Chunk>(chunks);
                _slots = new SemaphoreSlim(chunks, chunks);
                Writer = new WriteEnd(this);
                Reader = new ReadEnd(this);
            }

            public Stream Writer { get; }

            public Stream Reader { get; }

            public Func<Exception> UploadFailed { get; set; }

            public bool IsAbandoned => _abandoned;

            public long BytesWritten { get; private set; }

            public long PeakBuffered { get; private set; }

            public void Write(byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    if (_writing == null)
                    {
                        WaitFor(() => _slots.Wait(_stop.Token));
                        _writing = _free.TryTake(out var reused) ? reused : new byte[_chunkSize];
                        _writingCount = 0;
                    }
                    int n = Math.Min(count, _chunkSize - _writingCount);
                    Buffer.BlockCopy(buffer, offset, _writing, _writingCount, n);
                    _writingCount += n;
                    offset += n;
                    count -= n;
                    BytesWritten += n;
                    if (_writingCount == _chunkSize)
                    {
                        Send();
                    }
                }
            }

            private void Send()
            {
                var chunk = new Chunk { Bytes = _writing, Count = _writingCount };
                _writing = null;
                long buffered = Interlocked.Add(ref _buffered, chunk.Count);
                if (buffered > PeakBuffered)
                {
                    PeakBuffered = buffered;
                }
                WaitFor(() => _filled.Add(chunk, _stop.Token));
            }

            public void CompleteWriting()
            {
                if (_filled.IsAddingCompleted)
                {
                    return;
                }
                if (_writing != null && _writingCount > 0)
                {
                    Send();
                }
                _filled.CompleteAdding();
            }

            public void Abandon()
            {
                _abandoned = true;
                _stop.Cancel();
                if (!_filled.IsAddingCompleted)
                {
                    _filled.CompleteAdding();
                }
            }

            /// <summary>The driver stopped reading (stored, or failed): a blocked writer must not wait for it.</summary>
            public void ReaderDone() => _stop.Cancel();

            private void WaitFor(Action wait)
            {
                try
                {
                    wait();
                }
                catch (OperationCanceledException)
                {
                    var failure = UploadFailed?.Invoke();
                    if (failure != null)
                    {
                        throw new IOException(failure.Message, failure);
                    }
                    throw new IOException("The upload stopped reading before the object was complete.");
                }
                catch (InvalidOperationException)
                {
                    throw new IOException("The upload was already completed or abandoned.");
                }
            }

            public int Read(byte[] buffer, int offset, int count)
            {
                if (_abandoned)
                {
                    throw Abandoned();
                }
                if (_reading.Bytes == null || _readOffset == _reading.Count)
                {
                    if (_reading.Bytes != null)
                    {
                        Recycle(_reading);
                        _reading = default(Chunk);
                    }
                    if (!_filled.TryTake(out var next, Timeout.Infinite))
                    {
                        if (_abandoned)
                        {
                            throw Abandoned();
                        }
                        return 0; // the writer completed the object
                    }
                    if (_abandoned)
                    {
                        throw Abandoned();
                    }
                    _reading = next;
                    _readOffset = 0;
                }
                int n = Math.Min(count, _reading.Count - _readOffset);
                Buffer.BlockCopy(_reading.Bytes, _readOffset, buffer, offset, n);
                _readOffset += n;
                return n;
            }

            private void Recycle(Chunk chunk)
            {
                Interlocked.Add(ref _buffered, -chunk.Count);
                _free.Add(chunk.Bytes);
                _slots.Release();
            }

            private static IOException Abandoned() => new IOException("The object's writer failed or was cancelled before the end: the upload is abandoned and nothing is stored.");

            private struct Chunk
            {
                public byte[] Bytes;
                public int Count;
            }
        }

        private sealed class WriteEnd : Stream
        {
            private readonly Pipe _pipe;

            public WriteEnd(Pipe pipe) => _pipe = pipe;

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => _pipe.BytesWritten; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => _pipe.Write(buffer, offset, count);
        }

        private sealed class ReadEnd : Common.ForwardReadStream
        {
            private readonly Pipe _pipe;

            public ReadEnd(Pipe pipe) => _pipe = pipe;

            public override int Read(byte[] buffer, int offset, int count) => _pipe.Read(buffer, offset, count);
        }
    }
}
