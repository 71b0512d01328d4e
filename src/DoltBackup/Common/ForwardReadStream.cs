using System;
using System.IO;

namespace DoltBackup.Common
{
    /// <summary>
    /// The shape every forward-only, read-only stream of the module shares: readable, not seekable, not writable, no
    /// length; Flush does nothing. Subclasses implement <see cref="Stream.Read(byte[], int, int)"/> and override
    /// <see cref="Length"/> or <see cref="Position"/> where they know them.
    /// </summary>
    internal abstract class ForwardReadStream : Stream
    {
        public sealed override bool CanRead => true;
        public sealed override bool CanSeek => false;
        public sealed override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public sealed override void Flush()
        {
        }

        public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public sealed override void SetLength(long value) => throw new NotSupportedException();
        public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
