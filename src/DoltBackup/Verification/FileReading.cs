using System.IO;

namespace DoltBackup.Verification
{
    /// <summary>Reads from store files without blocking Dolt (shared read, write and delete).</summary>
    internal static class FileReading
    {
        public const int LargeBuffer = 1 << 20;

        public static FileStream OpenSequential(string path, int bufferSize = LargeBuffer)
            => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize, FileOptions.SequentialScan);

        public static FileStream OpenRandom(string path)
            => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.RandomAccess);

        /// <summary>Reads exactly count bytes at a position; false when the file ends first.</summary>
        public static bool ReadAt(Stream stream, long position, byte[] buffer, int offset, int count)
        {
            stream.Position = position;
            return ReadExactly(stream, buffer, offset, count);
        }

        /// <summary>Reads exactly count bytes; false when the stream ends first.</summary>
        public static bool ReadExactly(Stream stream, byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int n = stream.Read(buffer, offset, count);
                if (n <= 0)
                {
                    return false;
                }
                offset += n;
                count -= n;
            }
            return true;
        }
    }
}
