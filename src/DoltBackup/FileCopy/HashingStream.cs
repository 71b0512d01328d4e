using System;
using System.IO;

namespace DoltBackup.FileCopy
{
    /// <summary>A pass-through stream that hashes (SHA-256) every byte read from or written to the inner stream.</summary>
    public sealed class HashingStream : Stream
    {
        private readonly Stream _inner;
        private readonly bool _leaveOpen;
        private readonly Sha256Hasher _hasher;

        /// <summary>Wraps a stream; with <paramref name="hash"/> false it only counts bytes.</summary>
        public HashingStream(Stream inner, bool leaveOpen = false, bool hash = true)
        {
            _inner = inner;
            _leaveOpen = leaveOpen;
            _hasher = hash ? new Sha256Hasher() : null;
        }

        /// <summary>Bytes that passed.</summary>
        public long BytesHashed { get; private set; }

        /// <summary>The SHA-256 of the bytes that passed (call once, at the end).</summary>
        public string FinishHex() => _hasher?.FinishHex();

        public override bool CanRead => _inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => _inner.CanWrite;
        public override long Length => _inner.Length;
        public override long Position { get => BytesHashed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            _hasher?.Append(buffer, offset, n);
            BytesHashed += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _inner.Write(buffer, offset, count);
            _hasher?.Append(buffer, offset, count);
            BytesHashed += count;
        }

        public override void Flush() => _inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hasher?.Dispose();
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }
            base.Dispose(disposing);
        }
    }
}
