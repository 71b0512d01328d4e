using System;
using System.IO;
using System.Security.Cryptography;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A read-only pass-through that computes the SHA-256 (recorded by the module) and the MD5 (compared with the
    /// service's Content-MD5/ETag) of the bytes an upload reads, so what was sent is known without a second pass.
    /// </summary>
    internal sealed class DigestingReadStream : Common.ForwardReadStream
    {
        private readonly Stream _inner;
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private string _shaHex;
        private string _md5Hex;

        public DigestingReadStream(Stream inner) => _inner = inner;

        public long BytesRead { get; private set; }

        /// <summary>The SHA-256 of everything read (call once the upload is done).</summary>
        public string Sha256Hex => _shaHex ?? (_shaHex = Hex(_sha.GetHashAndReset()));

        /// <summary>The MD5 of everything read.</summary>
        public string Md5Hex => _md5Hex ?? (_md5Hex = Hex(_md5.GetHashAndReset()));

        public override long Length => _inner.Length;
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            if (n > 0)
            {
                _sha.AppendData(buffer, offset, n);
                _md5.AppendData(buffer, offset, n);
                BytesRead += n;
            }
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _sha.Dispose();
                _md5.Dispose();
            }
            base.Dispose(disposing);
        }

        internal static string Hex(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
    }
}
