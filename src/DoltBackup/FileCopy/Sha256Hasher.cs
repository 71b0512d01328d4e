using System;
using System.Security.Cryptography;

namespace DoltBackup.FileCopy
{
    /// <summary>An incremental SHA-256 that gives lower-case hex, fed with the bytes as they pass.</summary>
    public sealed class Sha256Hasher : IDisposable
    {
        private readonly SHA256 _sha = SHA256.Create();

        /// <summary>Adds bytes.</summary>
        public void Append(byte[] buffer, int offset, int count)
        {
            if (count > 0)
            {
                _sha.TransformBlock(buffer, offset, count, null, 0);
            }
        }

        /// <summary>Finishes and returns the hex digest; the hasher can be reused afterwards.</summary>
        public string FinishHex()
        {
            _sha.TransformFinalBlock(new byte[0], 0, 0);
            string hex = ToHex(_sha.Hash);
            _sha.Initialize();
            return hex;
        }

        /// <summary>Lower-case hex of bytes.</summary>
        public static string ToHex(byte[] bytes)
        {
            var c = new char[bytes.Length * 2];
            const string digits = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                c[2 * i] = digits[bytes[i] >> 4];
                c[2 * i + 1] = digits[bytes[i] & 15];
            }
            return new string(c);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _sha.Dispose();
        }
    }
}
