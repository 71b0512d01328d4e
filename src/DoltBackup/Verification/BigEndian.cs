namespace DoltBackup.Verification
{
    /// <summary>Big-endian integer reads (every integer in NBS files is big-endian).</summary>
    internal static class BigEndian
    {
        public static uint UInt32(byte[] b, int o) => (uint)(b[o] << 24 | b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3]);

        public static ulong UInt64(byte[] b, int o) => (ulong)UInt32(b, o) << 32 | UInt32(b, o + 4);
    }
}
