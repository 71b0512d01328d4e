using System;
using System.IO.Hashing;

namespace DoltBackup.Verification
{
    /// <summary>CRC-32C (Castagnoli), as Dolt's table files and journal records use, through System.IO.Hashing.</summary>
    public static class Crc32C
    {
        /// <summary>The CRC-32C of a byte range.</summary>
        public static uint Compute(byte[] data, int offset, int count)
            => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, new ReadOnlySpan<byte>(data, offset, count));
    }
}
