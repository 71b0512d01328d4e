using System;
using System.IO;
using System.Text;

namespace DoltBackup.Common
{
    /// <summary>Whole-file writes that never leave a half-written file behind.</summary>
    public static class AtomicFile
    {
        private static readonly UTF8Encoding Utf8NoBom = new UTF8Encoding(false);

        /// <summary>Writes text atomically: temp file in the same folder, flushed to disk, then renamed over the target.</summary>
        public static void WriteAllText(string path, string text, bool ownerOnly) => WriteAllBytes(path, Utf8NoBom.GetBytes(text), ownerOnly);

        /// <summary>Writes bytes atomically; with <paramref name="ownerOnly"/> the file is readable by its owner only.</summary>
        public static void WriteAllBytes(string path, byte[] bytes, bool ownerOnly)
        {
            string full = Path.GetFullPath(path);
            string dir = Path.GetDirectoryName(full);
            Directory.CreateDirectory(dir);
            string temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = OwnerOnlyFile.Create(temp, ownerOnly))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }
                Replace(temp, full);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        /// <summary>Renames <paramref name="source"/> over <paramref name="destination"/>, replacing it when it exists.</summary>
        public static void Replace(string source, string destination)
        {
            if (File.Exists(destination))
            {
                File.Replace(source, destination, null, ignoreMetadataErrors: true);
            }
            else
            {
                File.Move(source, destination);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
