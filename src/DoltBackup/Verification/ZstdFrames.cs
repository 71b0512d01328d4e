using System.IO;
using ZstdSharp;

namespace DoltBackup.Verification
{
    /// <summary>zstd decompression (archives' chunks and dictionaries) through ZstdSharp.</summary>
    internal static class ZstdFrames
    {
        public static byte[] Decompress(byte[] data, byte[] dictionary)
        {
            using (var decompressor = new Decompressor())
            {
                if (dictionary != null)
                {
                    decompressor.LoadDictionary(dictionary);
                }
                ulong known = Decompressor.GetDecompressedSize(data);
                if (known > 0 && known < int.MaxValue)
                {
                    return decompressor.Unwrap(data, (int)known).ToArray();
                }
                using (var input = new MemoryStream(data))
                using (var stream = new DecompressionStream(input, decompressor, 64 * 1024, false, false))
                using (var output = new MemoryStream())
                {
                    stream.CopyTo(output);
                    return output.ToArray();
                }
            }
        }
    }
}
