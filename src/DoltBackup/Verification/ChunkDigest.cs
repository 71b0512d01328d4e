using System;
using System.Security.Cryptography;
using Snappier;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Re-hashes chunks for -Deep: a snappy record (compressed bytes followed by a CRC-32C of them, as in table files
    /// and journal records) is checked, decompressed and hashed; SHA-512[:20] must equal the chunk's address.
    /// </summary>
    internal sealed class ChunkDigest : IDisposable
    {
        private readonly SHA512 _sha = SHA512.Create();

        /// <summary>Checks a snappy record; returns null when good, else the reason.</summary>
        public string CheckSnappyRecord(byte[] buffer, int offset, int length, byte[] address, int addressOffset)
        {
            byte[] data = DecodeSnappyRecord(buffer, offset, length, out string problem);
            return data == null ? problem : CheckHash(data, 0, data.Length, address, addressOffset);
        }

        /// <summary>
        /// The chunk in a snappy record (compressed bytes followed by a CRC-32C of them); null, with the reason, when the
        /// CRC does not match or the data does not decompress.
        /// </summary>
        public static byte[] DecodeSnappyRecord(byte[] buffer, int offset, int length, out string problem)
        {
            problem = null;
            if (length < 4)
            {
                problem = "the record is shorter than its 4-byte checksum";
                return null;
            }
            uint stored = BigEndian.UInt32(buffer, offset + length - 4);
            uint actual = Crc32C.Compute(buffer, offset, length - 4);
            if (stored != actual)
            {
                problem = $"CRC-32C of the compressed data is {actual:x8}, the record says {stored:x8}";
                return null;
            }
            try
            {
                return Snappy.DecompressToArray(new ReadOnlySpan<byte>(buffer, offset, length - 4));
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                problem = "the snappy data does not decompress: " + e.Message;
                return null;
            }
        }

        /// <summary>Checks that SHA-512[:20] of uncompressed data equals the address; null when it does.</summary>
        public string CheckHash(byte[] data, int offset, int count, byte[] address, int addressOffset)
        {
            var digest = _sha.ComputeHash(data, offset, count);
            if (DoltHash.Equal(digest, 0, address, addressOffset))
            {
                return null;
            }
            return $"the data hashes to {DoltHash.Encode(digest)}";
        }

        public void Dispose() => _sha.Dispose();
    }
}
