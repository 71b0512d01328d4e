using System;
using System.IO;
using System.Security.Cryptography;
using DoltBackup.Common;

namespace DoltBackup.Capture
{
    /// <summary>
    /// Copies a file into place atomically while hashing it: the source is read once, each block is hashed and
    /// written to a temp file beside the target, which is flushed to disk and renamed over the target. Owner-only
    /// targets get mode 0600 (or an owner-only ACL) while still empty.
    /// </summary>
    public static class HashedCopy
    {
        private const int BufferSize = 81920;

        /// <summary>The size and lower-case hex SHA-256 of what was written.</summary>
        public readonly struct Outcome
        {
            /// <summary>Creates an outcome.</summary>
            public Outcome(long size, string sha256)
            {
                Size = size;
                Sha256 = sha256;
            }

            /// <summary>Bytes written.</summary>
            public long Size { get; }

            /// <summary>SHA-256 of the bytes written, lower-case hex.</summary>
            public string Sha256 { get; }
        }

        /// <summary>Opens a file for reading while other processes may keep writing or renaming it.</summary>
        public static FileStream OpenRead(string path) => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize);

        /// <summary>
        /// Copies <paramref name="source"/> to <paramref name="target"/>. When <paramref name="expectedSha256"/> is given
        /// and the bytes read do not match it, nothing is written and an <see cref="InvalidDataException"/> is thrown.
        /// <paramref name="mode"/>, when given, is set on the temp file before the rename (Unix); create with
        /// <paramref name="ownerOnly"/> when the final mode is owner-only, so no other user can read it in between.
        /// </summary>
        public static Outcome CopyFile(string source, string target, bool ownerOnly, string expectedSha256 = null, int? mode = null)
        {
            using (var input = OpenRead(source))
            {
                return CopyStream(input, target, ownerOnly, expectedSha256, mode);
            }
        }

        /// <summary>Writes bytes to <paramref name="target"/> atomically and hashes them.</summary>
        public static Outcome WriteBytes(byte[] bytes, string target, bool ownerOnly)
        {
            using (var input = new MemoryStream(bytes, writable: false))
            {
                return CopyStream(input, target, ownerOnly, null, null);
            }
        }

        /// <summary>Copies a stream to <paramref name="target"/> atomically, hashing on the way.</summary>
        public static Outcome CopyStream(Stream input, string target, bool ownerOnly, string expectedSha256, int? mode)
        {
            string full = Path.GetFullPath(target);
            string dir = Path.GetDirectoryName(full);
            Directory.CreateDirectory(dir);
            string temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                long size = 0;
                string sha;
                using (var sha256 = SHA256.Create())
                using (var output = OwnerOnlyFile.Create(temp, ownerOnly))
                {
                    var buffer = new byte[BufferSize];
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        sha256.TransformBlock(buffer, 0, n, null, 0);
                        output.Write(buffer, 0, n);
                        size += n;
                    }
                    sha256.TransformFinalBlock(buffer, 0, 0);
                    sha = ToHex(sha256.Hash);
                    output.Flush(true);
                }
                if (expectedSha256 != null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException($"The bytes read have SHA-256 {sha}, not the expected {expectedSha256}: the source changed or is damaged. Nothing was written.");
                }
                if (mode.HasValue)
                {
                    OwnerOnlyFile.SetMode(temp, mode.Value);
                }
                AtomicFile.Replace(temp, full);
                return new Outcome(size, sha);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        /// <summary>SHA-256 and size of a file, read once.</summary>
        public static Outcome HashFile(string path)
        {
            using (var input = OpenRead(path))
            using (var sha256 = SHA256.Create())
            {
                var buffer = new byte[BufferSize];
                long size = 0;
                int n;
                while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    sha256.TransformBlock(buffer, 0, n, null, 0);
                    size += n;
                }
                sha256.TransformFinalBlock(buffer, 0, 0);
                return new Outcome(size, ToHex(sha256.Hash));
            }
        }

        /// <summary>Lower-case hex of bytes.</summary>
        public static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            const string digits = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[2 * i + 1] = digits[bytes[i] & 0xF];
            }
            return new string(chars);
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
