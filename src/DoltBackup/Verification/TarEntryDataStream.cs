using System;
using System.IO;
using DoltBackup.FileCopy;

namespace DoltBackup.Verification
{
    /// <summary>
    /// The data of the current tar entry as a read-only stream that feeds every byte read to a SHA-256 hasher, so
    /// the store checks and the artifact hash share one read. Disposing it leaves the archive untouched.
    /// </summary>
    internal sealed class TarEntryDataStream : Common.ForwardReadStream
    {
        private readonly TarReader _reader;
        private readonly Sha256Hasher _hasher;

        public TarEntryDataStream(TarReader reader, Sha256Hasher hasher)
        {
            _reader = reader;
            _hasher = hasher;
        }

        /// <summary>Bytes of the entry read so far.</summary>
        public long BytesRead { get; private set; }

        /// <summary>Reads (and hashes) what the checks left unread.</summary>
        public void ReadToEnd(byte[] buffer)
        {
            while (Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _reader.ReadData(buffer, offset, count);
            if (n > 0)
            {
                _hasher.Append(buffer, offset, n);
                BytesRead += n;
            }
            return n;
        }

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    }
}
