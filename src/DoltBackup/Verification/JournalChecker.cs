using System;
using System.Collections.Generic;
using System.IO;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Checks a chunk journal (<c>vvvv…</c>, dolt-reference §6): a sequence of records
    /// <c>[uint32 length][tagged fields][uint32 CRC-32C]</c>, ended by a zero length (older journals are zero-padded).
    /// Structure: every record's framing and CRC, the chunk-record count and the last root record against the
    /// manifest. Deep: every chunk record's payload CRC, snappy data and SHA-512[:20] address.
    /// </summary>
    internal static class JournalChecker
    {
        internal const int MaxRecordLength = 5 * 1024 * 1024;

        public static void Check(string path, NbsTableSpec spec, NbsManifest manifest, StoreCheckContext ctx)
        {
            using (var fs = FileReading.OpenSequential(path))
            {
                Check(fs, fs.Length, path, ctx.ForFile(spec, manifest));
            }
        }

        /// <summary>
        /// Checks a journal read once, front to back, from a stream of <paramref name="size"/> bytes (a file, or an
        /// archive entry as it streams by). The record count and the last root are compared with the manifest once it
        /// is known.
        /// </summary>
        public static void Check(Stream fs, long size, string path, StoreCheckContext ctx)
        {
            long offset = 0;
            long chunkRecords = 0;
            long rootRecords = 0;
            byte[] lastRoot = null;
            string framingProblem = null;
            var buffer = new byte[64 * 1024];
            var deepFailures = new List<string>();
            long deepFailed = 0;
            bool deep = ctx.Options.Deep;
            var digest = deep ? new ChunkDigest() : null;
            try
            {
                while (offset + 4 <= size)
                {
                    ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                    if (!FileReading.ReadExactly(fs, buffer, 0, 4))
                    {
                        framingProblem = $"the file ends inside the record length at offset {offset}";
                        break;
                    }
                    uint length = BigEndian.UInt32(buffer, 0);
                    if (length == 0)
                    {
                        break; // end of records (the rest is zero padding)
                    }
                    if (length > MaxRecordLength || length < 4 + 2 + 4)
                    {
                        framingProblem = $"the record at offset {offset} has an impossible length {length}";
                        break;
                    }
                    if (offset + length > size)
                    {
                        framingProblem = $"the record at offset {offset} ({length} bytes) runs past the end of the {size}-byte file (truncated)";
                        break;
                    }
                    if (length > buffer.Length)
                    {
                        var bigger = new byte[Math.Max(length, (uint)buffer.Length * 2)];
                        Buffer.BlockCopy(buffer, 0, bigger, 0, 4);
                        buffer = bigger;
                    }
                    if (!FileReading.ReadExactly(fs, buffer, 4, (int)length - 4))
                    {
                        framingProblem = $"the file ends inside the record at offset {offset}";
                        break;
                    }
                    int end = (int)length - 4;
                    uint stored = BigEndian.UInt32(buffer, end);
                    uint actual = Crc32C.Compute(buffer, 0, end);
                    if (stored != actual)
                    {
                        framingProblem = $"the record at offset {offset} fails its CRC-32C (computed {actual:x8}, stored {stored:x8}); Dolt stops reading the journal there";
                        break;
                    }
                    string recordProblem = ReadRecordFields(buffer, end, out int kind, out int addr, out int payload);
                    if (recordProblem != null)
                    {
                        framingProblem = $"the record at offset {offset} {recordProblem}";
                        break;
                    }
                    if (kind == 1)
                    {
                        rootRecords++;
                        lastRoot = new byte[DoltHash.ByteLength];
                        Buffer.BlockCopy(buffer, addr, lastRoot, 0, DoltHash.ByteLength);
                    }
                    else
                    {
                        chunkRecords++;
                        if (deep)
                        {
                            string problem = digest.CheckSnappyRecord(buffer, payload, end - payload, buffer, addr);
                            if (problem != null)
                            {
                                deepFailed++;
                                if (deepFailures.Count < 3)
                                {
                                    deepFailures.Add($"chunk {DoltHash.Encode(buffer, addr)} at offset {offset}: {problem}");
                                }
                            }
                        }
                    }
                    offset += length;
                    if ((chunkRecords & 1023) == 0)
                    {
                        ctx.Options.Report("Reading the chunk journal", path, offset, size);
                    }
                }
            }
            finally
            {
                digest?.Dispose();
            }

            ctx.WhenManifestKnown((spec, manifest) =>
            {
                string records = $"{chunkRecords} chunk and {rootRecords} root records in {offset} bytes";
                if (framingProblem != null)
                {
                    ctx.Failed("Journal.Records", $"The journal is damaged after {records}: {framingProblem}.", path);
                }
                else
                {
                    ctx.Passed("Journal.Records", $"{records}: every record's framing and CRC-32C are intact.", path);
                }

                if (chunkRecords == spec.ChunkCount)
                {
                    ctx.Passed("Journal.ChunkCount", $"{chunkRecords} chunk records, as in the manifest.", path);
                }
                else if (chunkRecords > spec.ChunkCount && framingProblem == null)
                {
                    ctx.Info("Journal.ChunkCount", $"{chunkRecords} chunk records, more than the manifest's {spec.ChunkCount}: the journal is ahead of the manifest (Dolt trues the manifest up when it opens the database).", path);
                }
                else
                {
                    ctx.Failed("Journal.ChunkCount", $"{chunkRecords} readable chunk records, the manifest says {spec.ChunkCount}: chunks are missing from the journal.", path);
                }

                string root = lastRoot == null ? null : DoltHash.Encode(lastRoot);
                if (root == null)
                {
                    ctx.Failed("Journal.Root", "The journal has no readable root record.", path);
                }
                else if (root == manifest.Root)
                {
                    ctx.Passed("Journal.Root", $"The last root record {root} is the manifest's root.", path);
                }
                else if (framingProblem == null && chunkRecords >= spec.ChunkCount)
                {
                    ctx.Info("Journal.Root", $"The last root record {root} differs from the manifest's root {manifest.Root}: the journal is ahead of the manifest, and it is the source of truth for the root.", path);
                }
                else
                {
                    ctx.Failed("Journal.Root", $"The last readable root record {root} is not the manifest's root {manifest.Root}: later records are lost.", path);
                }
            });

            if (deep)
            {
                if (deepFailed == 0)
                {
                    ctx.Passed("Journal.Chunks", $"All {chunkRecords} readable chunk records decompress and hash to their addresses.", path, VerificationLevel.Deep);
                }
                else
                {
                    ctx.Failed("Journal.Chunks", $"{deepFailed} of {chunkRecords} chunk records are damaged: {string.Join("; ", deepFailures)}.", path, VerificationLevel.Deep);
                }
            }
        }

        /// <summary>
        /// Reads the tagged fields of one journal record held in <paramref name="record"/>, whose CRC starts at
        /// <paramref name="end"/>: the record kind (1 root, 2 chunk), and the offsets of the address and the payload
        /// (-1 when absent). Returns null for a well-formed root or chunk record, else what is wrong with it.
        /// </summary>
        internal static string ReadRecordFields(byte[] record, int end, out int kind, out int address, out int payload)
        {
            kind = -1;
            address = -1;
            payload = -1;
            int pos = 4;
            while (pos < end)
            {
                byte tag = record[pos++];
                switch (tag)
                {
                    case 1: kind = pos < end ? record[pos] : -1; pos += 1; break;
                    case 2: address = pos; pos += DoltHash.ByteLength; break;
                    case 3: payload = pos; pos = end; break;
                    case 4: pos += 8; break;
                    default: return $"has an unknown field tag {tag}";
                }
            }
            bool wellFormed = pos == end && address >= 0 && (kind == 1 || (kind == 2 && payload >= 0));
            return wellFormed ? null : "is not a well-formed root or chunk record";
        }
    }
}
