using System;
using System.IO;

namespace DoltBackup.Verification
{
    /// <summary>A read-only view of the last bytes of a file of known size; reading before them throws <see cref="OutsideException"/>.</summary>
    internal sealed class TailStream : Stream
    {
        private readonly byte[] _tail;
        private readonly int _count;
        private readonly long _size;
        private long _position;

        public TailStream(byte[] tail, int count, long size)
        {
            _tail = tail;
            _count = count;
            _size = size;
        }

        /// <summary>A check needed bytes before the kept tail.</summary>
        public sealed class OutsideException : Exception
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            long start = _size - _count;
            if (_position < start)
            {
                throw new OutsideException();
            }
            int n = (int)Math.Min(count, _size - _position);
            if (n <= 0)
            {
                return 0;
            }
            Buffer.BlockCopy(_tail, (int)(_position - start), buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            _position = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _size + offset;
            return _position;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => _size;
        public override long Position { get => _position; set => _position = value; }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
