using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks a Dolt archive (<c>&lt;name&gt;.darc</c>, dolt-reference §6): <c>[byte spans][index][metadata][footer]</c>.
    /// Structure: the DOLTARC signature, version 1, 2 or 3, the chunk count against the manifest, the index length,
    /// the size identity and the name (SHA-512 of the footer). Deep: every chunk decompressed (zstd, with its dictionary,
    /// or snappy with its CRC-32C) and hashed against its address.
    /// </summary>
    internal static class ArchiveChecker
    {
        private static readonly byte[] Signature = Encoding.ASCII.GetBytes("DOLTARC");

        public static void Check(string path, NbsTableSpec spec, StoreCheckContext ctx)
        {
            using (var fs = FileReading.OpenRandom(path))
            {
                Check(fs, fs.Length, spec.Name, path, ctx.ForFile(spec, null));
            }
        }

        /// <summary>
        /// Checks an archive read from a seekable stream of <paramref name="size"/> bytes (a file, or an archive entry
        /// held in memory or spooled); <paramref name="name"/> is its name without .darc. The chunk count is compared
        /// with the manifest once it is known. <paramref name="wholeFileName"/>, when given, is the name from the SHA-512
        /// of the whole file, computed as it streamed by (else the stream is read again when the footer's hash differs).
        /// </summary>
        public static void Check(Stream fs, long size, string name, string path, StoreCheckContext ctx, string wholeFileName = null)
        {
            string shown = name + ".darc";
            if (size < 216)
            {
                ctx.Failed("Archive.Footer", $"{shown} is {size} bytes, shorter than an archive footer (truncated).", path);
                SkipDeep(ctx, path, shown);
                return;
            }
            int tailLength = (int)Math.Min(220, size);
            var tail = new byte[tailLength];
            FileReading.ReadAt(fs, size - tailLength, tail, 0, tailLength);
            for (int i = 0; i < Signature.Length; i++)
            {
                if (tail[tailLength - 7 + i] != Signature[i])
                {
                    ctx.Failed("Archive.Footer", $"{shown} does not end with the DOLTARC signature (truncated or damaged footer).", path);
                    SkipDeep(ctx, path, shown);
                    return;
                }
            }
            int version = tail[tailLength - 8];
            int footerSize;
            if (version == 1 || version == 2)
            {
                footerSize = 216;
            }
            else if (version == 3 && tailLength == 220)
            {
                footerSize = 220;
            }
            else
            {
                ctx.Failed("Archive.Footer", $"{shown} has archive format version {version}; versions 1, 2 and 3 are known.", path);
                SkipDeep(ctx, path, shown);
                return;
            }
            var footer = new byte[footerSize];
            Buffer.BlockCopy(tail, tailLength - footerSize, footer, 0, footerSize);
            int o = footerSize == 220 ? 4 : 0;
            ulong indexLength = footerSize == 220 ? BigEndian.UInt64(footer, 0) : BigEndian.UInt32(footer, 0);
            uint spanCount = BigEndian.UInt32(footer, 4 + o);
            uint chunkCount = BigEndian.UInt32(footer, 8 + o);
            uint metadataLength = BigEndian.UInt32(footer, 12 + o);

            ctx.WhenManifestKnown((spec, manifest) =>
            {
                if (chunkCount != spec.ChunkCount)
                {
                    ctx.Failed("Archive.Footer", $"{shown} (version {version}) holds {chunkCount} chunks, the manifest says {spec.ChunkCount}.", path);
                }
                else
                {
                    ctx.Passed("Archive.Footer", $"{shown}: DOLTARC version {version}, {chunkCount} chunks as in the manifest, {spanCount} byte spans.", path);
                }
            });

            string hashed;
            using (var sha = SHA512.Create())
            {
                hashed = DoltHash.Encode(sha.ComputeHash(footer));
            }
            if (hashed == name)
            {
                ctx.Passed("Archive.Name", $"{shown}: the name is the hash of its footer.", path);
            }
            else if ((wholeFileName ?? WholeFileName(fs, ctx)) == name)
            {
                ctx.Passed("Archive.Name", $"{shown}: the name is the hash of the whole file.", path);
            }
            else
            {
                ctx.Failed("Archive.Name", $"{shown}: neither the footer (hash {hashed}) nor the whole file hashes to the file's name (damaged).", path);
            }

            ulong expectedIndex = 8UL * spanCount + 28UL * chunkCount;
            if (indexLength != expectedIndex || spanCount == 0 || (ulong)size < indexLength + metadataLength + (ulong)footerSize)
            {
                ctx.Failed("Archive.Size", $"{shown}: the footer's index length {indexLength} does not fit {spanCount} spans and {chunkCount} chunks in a {size}-byte file (damaged footer).", path);
                SkipDeep(ctx, path, shown);
                return;
            }
            long indexStart = size - footerSize - (long)metadataLength - (long)indexLength;
            if (indexLength > int.MaxValue)
            {
                ctx.Skipped("Archive.Size", $"{shown}: its index is {indexLength} bytes, too large to check in memory.", path);
                SkipDeep(ctx, path, shown, "the index is too large to load");
                return;
            }
            var index = new byte[indexLength];
            FileReading.ReadAt(fs, indexStart, index, 0, (int)indexLength);
            long dataEnd = (long)BigEndian.UInt64(index, (int)(spanCount - 1) * 8);
            bool sizeOk = dataEnd == indexStart;
            if (sizeOk)
            {
                ctx.Passed("Archive.Size", $"{shown}: {size} bytes = spans {dataEnd} + index {indexLength} + metadata {metadataLength} + footer {footerSize}.", path);
            }
            else
            {
                ctx.Failed("Archive.Size", $"{shown} is {size} bytes, but its index places the end of the data at {dataEnd} instead of {indexStart} (truncated or damaged).", path);
            }

            if (!ctx.Options.Deep)
            {
                return;
            }
            if (!sizeOk)
            {
                SkipDeep(ctx, path, shown, "the index does not describe the file, so chunks cannot be located");
                return;
            }
            CheckChunks(fs, path, shown, ctx, version, index, spanCount, chunkCount, dataEnd);
        }

        /// <summary>Newer writers (seen with Dolt 2.2.2, format 3) name the archive by the SHA-512 of the whole file.</summary>
        private static string WholeFileName(Stream fs, StoreCheckContext ctx)
        {
            fs.Position = 0;
            var buffer = new byte[1 << 20];
            using (var sha = SHA512.Create())
            {
                int n;
                while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
                {
                    ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                    sha.TransformBlock(buffer, 0, n, null, 0);
                }
                sha.TransformFinalBlock(buffer, 0, 0);
                return DoltHash.Encode(sha.Hash);
            }
        }

        private static void SkipDeep(StoreCheckContext ctx, string path, string shown, string why = "the archive's framing is broken")
        {
            if (ctx.Options.Deep)
            {
                ctx.Skipped("Archive.Chunks", $"{shown}: chunks not re-hashed: {why}.", path, VerificationLevel.Deep);
            }
        }

        private static void CheckChunks(Stream fs, string path, string shown, StoreCheckContext ctx, int version, byte[] index,
            uint spanCount, uint chunkCount, long dataEnd)
        {
            int prefixes = (int)(8 * spanCount);
            int refs = prefixes + (int)(8 * chunkCount);
            int suffixes = refs + (int)(8 * chunkCount);
            var address = new byte[DoltHash.ByteLength];
            var dictionaries = new Dictionary<uint, byte[]>();
            var failures = new List<string>();
            int failed = 0;
            long done = 0;
            using (var digest = new ChunkDigest())
            {
                for (int j = 0; j < chunkCount; j++)
                {
                    ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                    Buffer.BlockCopy(index, prefixes + 8 * j, address, 0, 8);
                    Buffer.BlockCopy(index, suffixes + 12 * j, address, 8, 12);
                    uint dictId = BigEndian.UInt32(index, refs + 8 * j);
                    uint dataId = BigEndian.UInt32(index, refs + 8 * j + 4);
                    string problem;
                    try
                    {
                        byte[] data = ReadSpan(fs, index, spanCount, dataId, dataEnd);
                        done += data.Length;
                        if (IsSnappy(version, dictId))
                        {
                            problem = digest.CheckSnappyRecord(data, 0, data.Length, address, 0);
                        }
                        else
                        {
                            byte[] chunk = ZstdFrames.Decompress(data, Dictionary(fs, index, spanCount, dictId, dataEnd, dictionaries));
                            problem = digest.CheckHash(chunk, 0, chunk.Length, address, 0);
                        }
                    }
                    catch (Exception e) when (!(e is OperationCanceledException) && !(e is OutOfMemoryException))
                    {
                        problem = "the data does not decompress: " + e.Message;
                    }
                    if (problem != null)
                    {
                        failed++;
                        if (failures.Count < 3)
                        {
                            failures.Add($"chunk {DoltHash.Encode(address)}: {problem}");
                        }
                    }
                    if ((j & 1023) == 0)
                    {
                        ctx.Options.Report("Re-hashing chunks", shown, done, dataEnd);
                    }
                }
            }
            if (failed == 0)
            {
                ctx.Passed("Archive.Chunks", $"{shown}: all {chunkCount} chunks decompress and hash to their addresses.", path, VerificationLevel.Deep);
            }
            else
            {
                ctx.Failed("Archive.Chunks", $"{shown}: {failed} of {chunkCount} chunks are damaged: {string.Join("; ", failures)}.", path, VerificationLevel.Deep);
            }
        }

        /// <summary>Archives v2 and later keep chunks without a dictionary as snappy records (with a CRC-32C); every other chunk is zstd.</summary>
        internal static bool IsSnappy(int version, uint dictId) => dictId == 0 && version >= 2;

        /// <summary>The zstd dictionary of byte span <paramref name="dictId"/> (null for 0), decompressed once per archive.</summary>
        internal static byte[] Dictionary(Stream fs, byte[] index, uint spanCount, uint dictId, long dataEnd, Dictionary<uint, byte[]> dictionaries)
        {
            byte[] dictionary = null;
            if (dictId != 0 && !dictionaries.TryGetValue(dictId, out dictionary))
            {
                dictionary = ZstdFrames.Decompress(ReadSpan(fs, index, spanCount, dictId, dataEnd), null);
                dictionaries[dictId] = dictionary;
            }
            return dictionary;
        }

        /// <summary>The bytes of byte span <paramref name="id"/> (1-based), checked against the index and the data's end.</summary>
        internal static byte[] ReadSpan(Stream fs, byte[] index, uint spanCount, uint id, long dataEnd)
        {
            if (id == 0 || id > spanCount)
            {
                throw new InvalidDataException($"byte span {id} does not exist (the archive has {spanCount})");
            }
            long start = id == 1 ? 0 : (long)BigEndian.UInt64(index, (int)(id - 2) * 8);
            long end = (long)BigEndian.UInt64(index, (int)(id - 1) * 8);
            if (start > end || end > dataEnd || end - start > int.MaxValue)
            {
                throw new InvalidDataException($"byte span {id} [{start}, {end}) lies outside the data");
            }
            var data = new byte[end - start];
            if (!FileReading.ReadAt(fs, start, data, 0, data.Length))
            {
                throw new InvalidDataException($"the file ends inside byte span {id}");
            }
            return data;
        }
    }
}
