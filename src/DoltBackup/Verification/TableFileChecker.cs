using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks a classic NBS table file (dolt-reference §6): <c>[chunk records][index][footer]</c>. Structure: footer
    /// magic, chunk count against the manifest, the size identity <c>size = Σlengths + 28·N + 20</c>, and the name
    /// (base32 of SHA-512 of the suffixes). Deep: every record's CRC-32C, snappy data and SHA-512[:20] address.
    /// </summary>
    internal static class TableFileChecker
    {
        internal const int FooterSize = 20;
        internal static readonly byte[] Magic = { 0xff, 0xb5, 0xd8, 0xc2, 0x24, 0x63, 0xee, 0x50 };

        public static void Check(string path, NbsTableSpec spec, StoreCheckContext ctx)
        {
            // Structure reads the footer and index only; -Deep then reads every record front to back.
            using (var fs = ctx.Options.Deep ? FileReading.OpenSequential(path) : FileReading.OpenRandom(path))
            {
                Check(fs, fs.Length, spec.Name, path, ctx.ForFile(spec, null));
            }
        }

        /// <summary>
        /// Checks a table file read from a seekable stream of <paramref name="size"/> bytes (a file, or an archive entry
        /// held in memory or spooled). The chunk count is compared with the manifest once it is known.
        /// </summary>
        public static void Check(Stream fs, long size, string name, string path, StoreCheckContext ctx) => Check(fs, size, name, path, ctx, null);

        /// <summary>
        /// Judges the chunks of a table whose framing is sound, given its index and chunk addresses by ordinal; for a
        /// table read as a stream, whose records went by before the index could be read.
        /// </summary>
        internal delegate void ChunkJudge(byte[] index, uint count, byte[] addressesByOrdinal);

        /// <summary>As <see cref="Check(Stream, long, string, string, StoreCheckContext)"/>; with -Deep, <paramref name="judge"/> (when given) judges the chunks instead of reading them from the stream.</summary>
        internal static void Check(Stream fs, long size, string name, string path, StoreCheckContext ctx, ChunkJudge judge)
        {
            if (size < FooterSize)
            {
                ctx.Failed("TableFile.Footer", $"{name} is {size} bytes, shorter than the 20-byte table footer (truncated).", path);
                SkipDeep(ctx, path, name);
                return;
            }
            var footer = new byte[FooterSize];
            FileReading.ReadAt(fs, size - FooterSize, footer, 0, FooterSize);
            for (int i = 0; i < Magic.Length; i++)
            {
                if (footer[12 + i] != Magic[i])
                {
                    ctx.Failed("TableFile.Footer", $"{name} does not end with the NBS table magic (truncated or damaged footer).", path);
                    SkipDeep(ctx, path, name);
                    return;
                }
            }
            uint count = BigEndian.UInt32(footer, 0);
            ulong uncompressed = BigEndian.UInt64(footer, 4);
            ctx.WhenManifestKnown((spec, manifest) =>
            {
                if (count != spec.ChunkCount)
                {
                    ctx.Failed("TableFile.Footer", $"{name} holds {count} chunks, the manifest says {spec.ChunkCount}.", path);
                }
                else
                {
                    ctx.Passed("TableFile.Footer", $"{name}: table magic present, {count} chunks as in the manifest ({uncompressed.ToString(CultureInfo.InvariantCulture)} bytes uncompressed).", path);
                }
            });

            long indexSize = 28L * count;
            if (indexSize + FooterSize > size || indexSize > int.MaxValue)
            {
                ctx.Failed("TableFile.Size", $"{name} is {size} bytes, too short for the index of {count} chunks its footer announces.", path);
                SkipDeep(ctx, path, name);
                return;
            }
            var index = new byte[indexSize];
            FileReading.ReadAt(fs, size - FooterSize - indexSize, index, 0, (int)indexSize);
            int lengthsOffset = (int)(12L * count);
            int suffixOffset = (int)(16L * count);
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += BigEndian.UInt32(index, lengthsOffset + 4 * i);
            }
            long expected = sum + indexSize + FooterSize;
            bool sizeOk = expected == size;
            if (sizeOk)
            {
                ctx.Passed("TableFile.Size", $"{name}: {size} bytes = chunk data {sum} + index {indexSize} + footer 20.", path);
            }
            else
            {
                ctx.Failed("TableFile.Size", $"{name} is {size} bytes, but its index describes {expected} bytes (truncated, extended or damaged index).", path);
            }

            string hashed = NameOf(index, count);
            if (hashed == name || LegacyNameOf(index, count) == name)
            {
                ctx.Passed("TableFile.Name", $"{name}: the name is the hash of its chunk index.", path);
            }
            else
            {
                ctx.Failed("TableFile.Name", $"{name}: the index's chunk suffixes hash to {hashed}, not to the file's name (damaged index).", path);
            }

            if (!ctx.Options.Deep)
            {
                return;
            }
            if (!sizeOk)
            {
                SkipDeep(ctx, path, name, "the index does not describe the file, so chunk records cannot be located");
                return;
            }
            byte[] addresses = AddressesByOrdinal(index, count, name, path, ctx);
            if (addresses == null)
            {
                return;
            }
            if (judge != null)
            {
                judge(index, count, addresses);
                return;
            }
            CheckChunks(fs, name, path, ctx, index, count, addresses, size - indexSize - FooterSize);
        }

        /// <summary>
        /// Each chunk's address by ordinal (position in the file): index entries (prefix, ordinal) are sorted by prefix,
        /// suffixes are stored by ordinal. Null, after a failure, when an entry names an ordinal that does not exist.
        /// </summary>
        private static byte[] AddressesByOrdinal(byte[] index, uint count, string name, string path, StoreCheckContext ctx)
        {
            var addresses = new byte[count * (long)DoltHash.ByteLength];
            int suffixOffset = (int)(16L * count);
            for (int j = 0; j < count; j++)
            {
                uint ord = BigEndian.UInt32(index, j * 12 + 8);
                if (ord >= count)
                {
                    ctx.Failed("TableFile.Chunks", $"{name}: index entry {j} names ordinal {ord} of {count} (damaged index).", path, VerificationLevel.Deep);
                    return null;
                }
                Buffer.BlockCopy(index, j * 12, addresses, (int)ord * 20, 8);
                Buffer.BlockCopy(index, suffixOffset + (int)ord * 12, addresses, (int)ord * 20 + 8, 12);
            }
            return addresses;
        }

        /// <summary>Current writers: SHA-512 of the suffix block (12 bytes per chunk, by ordinal).</summary>
        private static string NameOf(byte[] index, uint count)
        {
            using (var sha = SHA512.Create())
            {
                return DoltHash.Encode(sha.ComputeHash(index, (int)(16L * count), (int)(12L * count)));
            }
        }

        /// <summary>Older writers: SHA-512 of every full address (prefix then suffix) in the index's prefix order.</summary>
        private static string LegacyNameOf(byte[] index, uint count)
        {
            using (var sha = SHA512.Create())
            {
                var address = new byte[DoltHash.ByteLength];
                int suffixOffset = (int)(16L * count);
                for (int j = 0; j < count; j++)
                {
                    uint ord = BigEndian.UInt32(index, j * 12 + 8);
                    if (ord >= count)
                    {
                        return null;
                    }
                    Buffer.BlockCopy(index, j * 12, address, 0, 8);
                    Buffer.BlockCopy(index, suffixOffset + (int)ord * 12, address, 8, 12);
                    sha.TransformBlock(address, 0, address.Length, null, 0);
                }
                sha.TransformFinalBlock(address, 0, 0);
                return DoltHash.Encode(sha.Hash);
            }
        }

        private static void SkipDeep(StoreCheckContext ctx, string path, string name, string why = "the table's framing is broken")
        {
            if (ctx.Options.Deep)
            {
                ctx.Skipped("TableFile.Chunks", $"{name}: chunks not re-hashed: {why}.", path, VerificationLevel.Deep);
            }
        }

        private static void CheckChunks(Stream fs, string name, string path, StoreCheckContext ctx, byte[] index, uint count, byte[] addresses, long dataLength)
        {
            var failures = new List<string>();
            int failed = 0;
            byte[] buffer = new byte[64 * 1024];
            long done = 0;
            fs.Position = 0;
            using (var digest = new ChunkDigest())
            {
                for (int i = 0; i < count; i++)
                {
                    ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                    int len = (int)BigEndian.UInt32(index, (int)(12L * count) + 4 * i);
                    if (len > buffer.Length)
                    {
                        buffer = new byte[Math.Max(len, buffer.Length * 2)];
                    }
                    if (!FileReading.ReadExactly(fs, buffer, 0, len))
                    {
                        ctx.Failed("TableFile.Chunks", $"{name}: the file ends inside chunk record {i}.", path, VerificationLevel.Deep);
                        return;
                    }
                    done += len;
                    string problem = digest.CheckSnappyRecord(buffer, 0, len, addresses, i * 20);
                    if (problem != null)
                    {
                        failed++;
                        if (failures.Count < 3)
                        {
                            failures.Add($"chunk {DoltHash.Encode(addresses, i * 20)}: {problem}");
                        }
                    }
                    if ((i & 1023) == 0)
                    {
                        ctx.Options.Report("Re-hashing chunks", name, done, dataLength);
                    }
                }
            }
            if (failed == 0)
            {
                ctx.Passed("TableFile.Chunks", $"{name}: all {count} chunks decompress and hash to their addresses.", path, VerificationLevel.Deep);
            }
            else
            {
                ctx.Failed("TableFile.Chunks", $"{name}: {failed} of {count} chunks are damaged: {string.Join("; ", failures)}.", path, VerificationLevel.Deep);
            }
        }
    }
}
