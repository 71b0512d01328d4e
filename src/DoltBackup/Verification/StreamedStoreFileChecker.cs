using System;
using System.IO;
using DoltBackup.Common;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks one file of a Dolt store read once as a stream (an entry of a FileCopy archive, or an object of a staged
    /// store in an object store), with the checks a folder gets: a journal straight from the stream; a table file or a
    /// <c>.darc</c> archive of at most <see cref="VerificationOptions.ArchiveMemoryLimit"/> bytes from memory; of a
    /// larger one only its end (footer, index) in a ring buffer of that size, with -Deep a table re-hashed record by
    /// record as it streams by (<see cref="StreamingTableChecker"/>) and a .darc archive, whose chunks refer to
    /// dictionaries anywhere in the file, spooled to one owner-only temporary file deleted as soon as it is checked.
    /// Two buffers of the memory budget at most.
    /// </summary>
    internal sealed class StreamedStoreFileChecker
    {
        private readonly VerificationOptions _options;
        private readonly string _truncated;
        private readonly byte[][] _buffers = { new byte[1 << 20], new byte[1 << 20] };
        private int _nextBuffer;

        /// <summary><paramref name="truncated"/>: the reason given when the stream ends before its announced size.</summary>
        public StreamedStoreFileChecker(VerificationOptions options, string truncated)
        {
            _options = options;
            _truncated = truncated;
        }

        /// <summary>True when a file of that size is checked from memory (<see cref="Fill"/>).</summary>
        public bool FitsInMemory(long size) => size <= _options.ArchiveMemoryLimit;

        /// <summary>
        /// Checks a file of <paramref name="size"/> bytes read from <paramref name="data"/> (every byte of it is read):
        /// <paramref name="fileName"/> its name in the store, <paramref name="specName"/> its manifest name (a .darc's without the suffix).
        /// </summary>
        public void Check(Stream data, long size, string fileName, string specName, string shown, StoreCheckContext ctx)
        {
            if (fileName == DoltHash.JournalFileName)
            {
                JournalChecker.Check(new BufferedStream(data, 1 << 16), size, shown, ctx);
                return;
            }
            bool archive = fileName.EndsWith(".darc", StringComparison.Ordinal);
            if (FitsInMemory(size))
            {
                byte[] buffer = Fill(data, size);
                CheckHeld(new MemoryStream(buffer, 0, (int)size, writable: false), size, archive, specName, shown, ctx);
                return;
            }
            CheckLarge(data, size, archive, fileName, specName, shown, ctx);
        }

        /// <summary>Checks a table file or archive larger than the memory budget (the buffer <see cref="Fill"/> did not give out last must be free).</summary>
        public void CheckLarge(Stream data, long size, bool archive, string fileName, string specName, string shown, StoreCheckContext ctx)
        {
            if (!_options.Deep)
            {
                CheckTail(data, size, archive, fileName, specName, shown, ctx);
                return;
            }
            if (!archive)
            {
                // A table's records are self-delimiting: re-hashed as they stream by, matched with the index at the end.
                StreamingTableChecker.Check(data, size, specName, shown, Ring(), _options.ArchiveMemoryLimit, ctx);
                return;
            }
            var spooled = Spool(data, size, out string problem);
            if (spooled == null)
            {
                ctx.Skipped("Store.FileReadable",
                    $"{fileName} is {size} bytes, more than the {_options.ArchiveMemoryLimit} checked in memory, and could not be spooled to the temporary folder: {problem} Free space there (or point TMPDIR, TEMP on Windows, elsewhere) and run again.", shown);
                return;
            }
            CheckHeld(spooled, size, archive, specName, shown, ctx);
        }

        /// <summary>Checks a table file or archive held whole in a seekable stream (disposed).</summary>
        public static void CheckHeld(Stream copy, long size, bool archive, string specName, string shown, StoreCheckContext ctx)
        {
            using (copy)
            {
                if (archive)
                {
                    ArchiveChecker.Check(copy, size, specName, shown, ctx);
                }
                else
                {
                    TableFileChecker.Check(copy, size, specName, shown, ctx);
                }
            }
        }

        /// <summary>
        /// The structure checks of a file larger than the memory budget need only its end (footer, index, an archive's
        /// metadata): the last bytes are kept in a ring buffer as the file streams by, nothing is spooled. An archive's
        /// SHA-512 (its name, for newer writers) is computed on the way.
        /// </summary>
        private void CheckTail(Stream data, long size, bool archive, string fileName, string specName, string shown, StoreCheckContext ctx)
        {
            int keep = _options.ArchiveMemoryLimit;
            byte[] ring = Ring();
            var chunk = new byte[1 << 20];
            long total = 0;
            using (var sha = archive ? System.Security.Cryptography.SHA512.Create() : null)
            {
                int n;
                while ((n = data.Read(chunk, 0, chunk.Length)) > 0)
                {
                    _options.CancellationToken.ThrowIfCancellationRequested();
                    sha?.TransformBlock(chunk, 0, n, null, 0);
                    StreamingTableChecker.KeepTail(ring, keep, chunk, n, total);
                    total += n;
                }
                if (total != size)
                {
                    throw new InvalidDataException(_truncated);
                }
                StreamingTableChecker.InOrder(ring, keep, total);
                string wholeName = null;
                if (sha != null)
                {
                    sha.TransformFinalBlock(chunk, 0, 0);
                    wholeName = DoltHash.Encode(sha.Hash);
                }
                var tail = new TailStream(ring, keep, size);
                try
                {
                    if (archive)
                    {
                        ArchiveChecker.Check(tail, size, specName, shown, ctx, wholeName);
                    }
                    else
                    {
                        TableFileChecker.Check(tail, size, specName, shown, ctx);
                    }
                }
                catch (TailStream.OutsideException)
                {
                    ctx.Skipped("Store.FileReadable",
                        $"{fileName}: its index is larger than the last {keep} bytes kept in memory (only the end of a file that size is kept without -Deep). Run with -Deep to check it from a spool file.", shown);
                }
            }
        }

        /// <summary>A ring buffer of the memory budget's size, from the buffer <see cref="Fill"/> did not give out last.</summary>
        private byte[] Ring()
        {
            int slot = _nextBuffer;
            if (_buffers[slot].Length < _options.ArchiveMemoryLimit)
            {
                _buffers[slot] = new byte[_options.ArchiveMemoryLimit];
            }
            return _buffers[slot];
        }

        /// <summary>Reads a file into one of the two buffers, in turn (the other may still be checked on another thread).</summary>
        public byte[] Fill(Stream data, long size)
        {
            int slot = _nextBuffer;
            _nextBuffer = 1 - slot;
            if (_buffers[slot].Length < size)
            {
                _buffers[slot] = new byte[Math.Min(_options.ArchiveMemoryLimit, Math.Max(size, (long)_buffers[slot].Length * 2))];
            }
            if (!FileReading.ReadExactly(data, _buffers[slot], 0, (int)size))
            {
                throw new InvalidDataException(_truncated);
            }
            return _buffers[slot];
        }

        /// <summary>
        /// A seekable copy of a file larger than the memory budget: an owner-only temp file deleted on close; null
        /// (with the reason) when the spool file cannot be written. Errors reading the source are not caught.
        /// </summary>
        private Stream Spool(Stream data, long size, out string problem)
        {
            problem = null;
            string path = Path.Combine(_options.SpoolFolder ?? Path.GetTempPath(), "doltbackup-verify-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            FileStream spool;
            try
            {
                spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                problem = e.Message;
                return null;
            }
            try
            {
                OwnerOnlyFile.Restrict(path);
                var buffer = new byte[1 << 20];
                long left = size;
                while (left > 0)
                {
                    _options.CancellationToken.ThrowIfCancellationRequested();
                    int n = data.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n <= 0)
                    {
                        throw new InvalidDataException(_truncated);
                    }
                    if (!TryWrite(spool, buffer, n, ref problem))
                    {
                        spool.Dispose();
                        return null;
                    }
                    left -= n;
                }
                spool.Position = 0;
                return spool;
            }
            catch
            {
                spool.Dispose();
                throw;
            }
        }

        private static bool TryWrite(FileStream spool, byte[] buffer, int count, ref string problem)
        {
            try
            {
                spool.Write(buffer, 0, count);
                return true;
            }
            catch (IOException e)
            {
                problem = e.Message;
                return false;
            }
        }
    }
}
