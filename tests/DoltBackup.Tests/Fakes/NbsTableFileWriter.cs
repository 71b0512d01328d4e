using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using DoltBackup.Verification;
using Snappier;

namespace DoltBackup.Tests.Fakes
{
    /// <summary>
    /// Writes real NBS table files (dolt-reference §6): snappy chunks each followed by its CRC-32C, the index (hash
    /// prefixes and ordinals, lengths, suffixes), the 20-byte footer, and the name Dolt gives the file (base32 of
    /// SHA-512 of the suffixes). Chunk bytes are pseudo-random and half compressible, like table data; every chunk's
    /// address is the SHA-512[:20] of its bytes, so -Deep verification passes. Test and benchmark support (no xunit):
    /// shared by the fake engine and the benchmarks' synthetic data dir.
    /// </summary>
    public static class NbsTableFileWriter
    {
        private static readonly byte[] Magic = { 0xff, 0xb5, 0xd8, 0xc2, 0x24, 0x63, 0xee, 0x50 };

        /// <summary>Writes a table file of about <paramref name="targetBytes"/> into <paramref name="dir"/> (temporary name, then renamed to its hash, as Dolt does).</summary>
        public static (string Name, int Count) WriteTo(string dir, long targetBytes, int chunkSize, Random rng)
        {
            string temp = Path.Combine(dir, "nbs_table_" + Guid.NewGuid().ToString("N").Substring(0, 12));
            (string Name, int Count) result;
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                result = Write(fs, targetBytes, chunkSize, rng);
            }
            File.Move(temp, Path.Combine(dir, result.Name));
            return result;
        }

        /// <summary>Builds a table file in memory.</summary>
        public static (string Name, int Count, byte[] Bytes) Build(long targetBytes, int chunkSize, Random rng)
        {
            using var ms = new MemoryStream();
            var (name, count) = Write(ms, targetBytes, chunkSize, rng);
            return (name, count, ms.ToArray());
        }

        /// <summary>Writes a table file to <paramref name="output"/>; returns its name and chunk count.</summary>
        public static (string Name, int Count) Write(Stream output, long targetBytes, int chunkSize, Random rng)
        {
            var addresses = new List<byte[]>();
            var lengths = new List<uint>();
            long uncompressed = 0;
            var chunk = new byte[chunkSize];
            long salt = rng.Next();
            using var sha = SHA512.Create();
            long written = 0;
            while (written < targetBytes || addresses.Count == 0)
            {
                rng.NextBytes(chunk.AsSpan(0, chunkSize / 2));
                Array.Clear(chunk, chunkSize / 2, chunkSize / 2);
                BitConverter.TryWriteBytes(chunk.AsSpan(chunkSize / 2), written);
                BitConverter.TryWriteBytes(chunk.AsSpan(chunkSize / 2 + 8), salt);
                var address = sha.ComputeHash(chunk).Take(20).ToArray();
                byte[] compressed = Snappy.CompressToArray(chunk);
                uint crc = Crc32C.Compute(compressed, 0, compressed.Length);
                output.Write(compressed);
                output.Write(new[] { (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc });
                addresses.Add(address);
                lengths.Add((uint)(compressed.Length + 4));
                written += compressed.Length + 4;
                uncompressed += chunkSize;
            }
            int n = addresses.Count;
            var order = Enumerable.Range(0, n).OrderBy(i => BitConverter.ToUInt64(addresses[i].Take(8).Reverse().ToArray())).ToArray();
            var index = new byte[28L * n];
            for (int j = 0; j < n; j++)
            {
                int ord = order[j];
                Buffer.BlockCopy(addresses[ord], 0, index, j * 12, 8);
                PutUInt32(index, j * 12 + 8, (uint)ord);
            }
            for (int i = 0; i < n; i++)
            {
                PutUInt32(index, 12 * n + 4 * i, lengths[i]);
                Buffer.BlockCopy(addresses[i], 8, index, 16 * n + 12 * i, 12);
            }
            output.Write(index);
            var footer = new byte[20];
            PutUInt32(footer, 0, (uint)n);
            PutUInt32(footer, 4, (uint)(uncompressed >> 32));
            PutUInt32(footer, 8, (uint)uncompressed);
            Buffer.BlockCopy(Magic, 0, footer, 12, 8);
            output.Write(footer);
            return (DoltHash.Encode(sha.ComputeHash(index, 16 * n, 12 * n)), n);
        }

        private static void PutUInt32(byte[] b, int o, uint v)
        {
            b[o] = (byte)(v >> 24);
            b[o + 1] = (byte)(v >> 16);
            b[o + 2] = (byte)(v >> 8);
            b[o + 3] = (byte)v;
        }
    }
}
