using System;
using System.IO;
using System.Security.Cryptography;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// Turns a plaintext stream into a readable CMS AuthEnvelopedData stream (pull instead of push), for storage
    /// drivers that upload from a stream they read: the plaintext is read in 64 KiB steps, encrypted, and served from a
    /// small queue, so memory stays flat whatever the size. Also hashes the plaintext (SHA-256) on the way.
    /// </summary>
    internal sealed class CmsEncryptingReadStream : Common.ForwardReadStream
    {
        private const int StepBytes = 64 * 1024;

        private readonly Stream _plaintext;
        private readonly ByteQueue _queue = new ByteQueue();
        private readonly CmsAuthEnvelopedWriter _writer;
        private readonly SHA256 _sha = SHA256.Create();
        private readonly byte[] _step = new byte[StepBytes];
        private bool _sourceDone;
        private string _plaintextSha256;

        /// <summary>Encrypts what <paramref name="plaintext"/> yields (not disposed here).</summary>
        public CmsEncryptingReadStream(Stream plaintext, EncryptionKeys keys, PassphraseKeyCache cache)
        {
            _plaintext = plaintext ?? throw new ArgumentNullException(nameof(plaintext));
            _writer = new CmsAuthEnvelopedWriter(_queue, keys, cache);
        }

        /// <summary>Plaintext bytes read so far.</summary>
        public long PlaintextLength { get; private set; }

        /// <summary>Lower-case hex SHA-256 of the plaintext, once the stream was read to its end.</summary>
        public string PlaintextSha256 => _sourceDone ? _plaintextSha256 : throw new InvalidOperationException("The plaintext was not read to its end.");

        /// <summary>Ciphertext bytes served so far.</summary>
        public long CiphertextLength { get; private set; }

        /// <inheritdoc />
        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_queue.Count == 0 && !_sourceDone)
            {
                int n = _plaintext.Read(_step, 0, _step.Length);
                if (n > 0)
                {
                    _sha.TransformBlock(_step, 0, n, null, 0);
                    PlaintextLength += n;
                    _writer.Write(_step, 0, n);
                }
                else
                {
                    _sha.TransformFinalBlock(_step, 0, 0);
                    _plaintextSha256 = Capture.HashedCopy.ToHex(_sha.Hash);
                    _writer.Dispose(); // writes the last block, the tag and the closing BER into the queue
                    _sourceDone = true;
                }
            }
            int served = _queue.Dequeue(buffer, offset, count);
            CiphertextLength += served;
            return served;
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _sha.Dispose();
            }
            base.Dispose(disposing);
        }

        /// <inheritdoc />
        public override long Position { get => CiphertextLength; set => throw new NotSupportedException(); }

        /// <summary>A write-side sink that queues bytes until the reader takes them.</summary>
        private sealed class ByteQueue : Stream
        {
            private byte[] _bytes = new byte[2 * StepBytes];
            private int _start;
            private int _end;

            public int Count => _end - _start;

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (_end + count > _bytes.Length)
                {
                    // Compact, then grow only if one write is larger than what is left.
                    Buffer.BlockCopy(_bytes, _start, _bytes, 0, Count);
                    _end -= _start;
                    _start = 0;
                    if (_end + count > _bytes.Length)
                    {
                        Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _end + count));
                    }
                }
                Buffer.BlockCopy(buffer, offset, _bytes, _end, count);
                _end += count;
            }

            public int Dequeue(byte[] buffer, int offset, int count)
            {
                int n = Math.Min(count, Count);
                Buffer.BlockCopy(_bytes, _start, buffer, offset, n);
                _start += n;
                if (_start == _end)
                {
                    _start = _end = 0;
                }
                return n;
            }

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => Count;
            public override long Position { get => 0; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
