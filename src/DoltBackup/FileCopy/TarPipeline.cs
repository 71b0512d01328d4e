using System;
using System.Collections.Concurrent;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Writes a tar archive on a second thread, so that reading and hashing the source files (the caller's thread)
    /// overlaps with hashing, compressing and writing the archive (the writer thread). Buffers are recycled from a
    /// small pool; the queue is bounded, so memory stays at a few MiB. Any failure on either side stops both and is
    /// rethrown by <see cref="Complete"/> (or by the call that observed it).
    /// </summary>
    internal sealed class TarPipeline : IDisposable
    {
        private enum Kind { Directory, Begin, Data, End }

        private struct Command
        {
            public Kind Kind;
            public string Name;
            public long Size;
            public int Mode;
            public DateTime Modified;
            public byte[] Buffer;
            public int Count;
        }

        private readonly BlockingCollection<Command> _queue = new BlockingCollection<Command>(16);
        private readonly BlockingCollection<byte[]> _free = new BlockingCollection<byte[]>();
        private readonly CancellationTokenSource _abort = new CancellationTokenSource();
        private readonly Task _writer;
        private Exception _writerError;

        public TarPipeline(Stream output, int bufferSize, int buffers = 12)
        {
            for (int i = 0; i < buffers; i++)
            {
                _free.Add(new byte[bufferSize]);
            }
            _writer = Task.Factory.StartNew(() => Write(output), TaskCreationOptions.LongRunning);
        }

        /// <summary>A free buffer to read into (blocks while all are in flight).</summary>
        public byte[] RentBuffer() => Take(() => _free.Take(_abort.Token));

        public void Directory(string name, int mode, DateTime modified) => Post(new Command { Kind = Kind.Directory, Name = name, Mode = mode, Modified = modified });

        public void BeginFile(string name, long size, int mode, DateTime modified) => Post(new Command { Kind = Kind.Begin, Name = name, Size = size, Mode = mode, Modified = modified });

        /// <summary>Hands a rented buffer with data to the writer (which returns it to the pool).</summary>
        public void Data(byte[] buffer, int count) => Post(new Command { Kind = Kind.Data, Buffer = buffer, Count = count });

        public void EndFile() => Post(new Command { Kind = Kind.End });

        /// <summary>Writes the end-of-archive marker, waits for the writer and rethrows its failure.</summary>
        public void Complete()
        {
            _queue.CompleteAdding();
            WaitWriter();
            if (_writerError != null)
            {
                throw Rethrowable(_writerError);
            }
        }

        private void Post(Command command) => Take(() => { _queue.Add(command, _abort.Token); return true; });

        private T Take<T>(Func<T> op)
        {
            try
            {
                return op();
            }
            catch (OperationCanceledException) when (_writerError != null)
            {
                throw Rethrowable(_writerError);
            }
        }

        private static Exception Rethrowable(Exception e) => e is IOException io ? new IOException(io.Message, io) : e is OperationCanceledException ? e : new IOException(e.Message, e);

        private void Write(Stream output)
        {
            try
            {
                var tar = new TarWriter(output);
                foreach (var c in _queue.GetConsumingEnumerable(_abort.Token))
                {
                    switch (c.Kind)
                    {
                        case Kind.Directory:
                            tar.WriteDirectory(c.Name, c.Mode, c.Modified);
                            break;
                        case Kind.Begin:
                            tar.BeginFile(c.Name, c.Size, c.Mode, c.Modified);
                            break;
                        case Kind.Data:
                            tar.WriteData(c.Buffer, 0, c.Count);
                            _free.Add(c.Buffer);
                            break;
                        case Kind.End:
                            tar.EndFile();
                            break;
                    }
                }
                tar.Finish();
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _writerError = e;
                _abort.Cancel();
            }
        }

        private void WaitWriter()
        {
            try
            {
                _writer.Wait();
            }
            catch (AggregateException)
            {
            }
        }

        /// <summary>Stops the writer (when the reader failed) and waits for it.</summary>
        public void Dispose()
        {
            if (!_queue.IsAddingCompleted)
            {
                _abort.Cancel();
                _queue.CompleteAdding();
            }
            WaitWriter();
            _abort.Dispose();
            _queue.Dispose();
            _free.Dispose();
        }
    }
}
