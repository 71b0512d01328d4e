using System;
using System.IO;

namespace DoltBackup.Storage
{
    /// <summary>A read-only stream of bytes already read (to decide how to upload) followed by the rest of the source.</summary>
    internal sealed class ConcatenatedStream : Common.ForwardReadStream
    {
        private readonly byte[] _head;
        private readonly Stream _tail;
        private int _headPosition;
        private long _position;

        public ConcatenatedStream(byte[] head, Stream tail)
        {
            _head = head;
            _tail = tail;
        }

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n;
            if (_headPosition < _head.Length)
            {
                n = Math.Min(count, _head.Length - _headPosition);
                Buffer.BlockCopy(_head, _headPosition, buffer, offset, n);
                _headPosition += n;
            }
            else
            {
                n = _tail.Read(buffer, offset, count);
            }
            _position += n;
            return n;
        }

    }
}
