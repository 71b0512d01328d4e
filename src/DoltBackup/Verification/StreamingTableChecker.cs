using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using Snappier;

namespace DoltBackup.Verification
{
    /// <summary>
    /// -Deep for a table file read once, front to back, from a stream (an archive entry too large to hold): no spool.
    /// A chunk record is self-delimiting (a snappy block announces its uncompressed length and its elements say how
    /// long they are; the 4-byte CRC-32C follows), so each record is found, CRC-checked, decompressed and hashed as it
    /// streams by, keeping only its length and its SHA-512[:20] (24 bytes per chunk, less than the index itself). The
    /// footer and index, at the end, come from a ring buffer of the last bytes. Then the records are matched with the
    /// index: same lengths in order, and each hash equal to the address the index gives that ordinal. The structure
    /// checks are those of <see cref="TableFileChecker"/>, on the kept end of the file.
    /// </summary>
    internal static class StreamingTableChecker
    {
        /// <summary>A record longer than this is taken as the end of the parseable data (real chunks are far smaller).</summary>
        private const int MaxRecord = 16 << 20;

        public static void Check(Stream data, long size, string name, string path, byte[] ring, int keep, StoreCheckContext ctx)
        {
            var records = new Records();
            var work = new byte[1 << 20];
            int workCount = 0;     // bytes in work
            int parsed = 0;        // of which taken by whole records
            bool parsing = true;
            long total = 0;
            var chunk = new byte[1 << 20];
            using (var sha = SHA512.Create())
            {
                int n;
                while ((n = data.Read(chunk, 0, chunk.Length)) > 0)
                {
                    ctx.Options.CancellationToken.ThrowIfCancellationRequested();
                    KeepTail(ring, keep, chunk, n, total);
                    total += n;
                    if (!parsing)
                    {
                        continue;
                    }
                    if (parsed > 0)
                    {
                        Buffer.BlockCopy(work, parsed, work, 0, workCount - parsed);
                        workCount -= parsed;
                        parsed = 0;
                    }
                    if (workCount + n > work.Length)
                    {
                        var bigger = new byte[Math.Max(work.Length * 2, workCount + n)];
                        Buffer.BlockCopy(work, 0, bigger, 0, workCount);
                        work = bigger;
                    }
                    Buffer.BlockCopy(chunk, 0, work, workCount, n);
                    workCount += n;
                    while (true)
                    {
                        int length = RecordLength(work, parsed, workCount - parsed);
                        if (length < 0 || (length == 0 && workCount - parsed > MaxRecord))
                        {
                            parsing = false; // no record can start here: the index has begun, or damage broke the framing
                            break;
                        }
                        if (length == 0)
                        {
                            break;
                        }
                        records.Add(length, Digest(work, parsed, length, sha, out string problem), problem);
                        parsed += length;
                    }
                    ctx.Options.Report("Re-hashing chunks", name, total, size);
                }
            }
            if (total != size)
            {
                throw new InvalidDataException("The tar archive ends inside an entry's data (truncated).");
            }
            InOrder(ring, keep, size);
            try
            {
                // Footer, size identity and name exactly as for a file; the records are then matched with the index.
                TableFileChecker.Check(new TailStream(ring, keep, size), size, name, path, ctx,
                    (index, count, addresses) => records.Judge(index, count, addresses, name, path, ctx));
            }
            catch (TailStream.OutsideException)
            {
                ctx.Skipped("Store.FileReadable", $"{name}: its index is larger than the last {keep} bytes kept in memory; its chunks cannot be matched with their addresses.", path);
            }
        }

        /// <summary>What was found of each record as it streamed by: 24 bytes per chunk, and the first problems.</summary>
        private sealed class Records
        {
            private readonly List<uint> _lengths = new List<uint>();
            private byte[] _digests = new byte[20 * 1024];
            private readonly Dictionary<int, string> _problems = new Dictionary<int, string>();

            public void Add(int length, byte[] digest, string problem)
            {
                if (problem != null)
                {
                    _problems[_lengths.Count] = problem;
                }
                int at = _lengths.Count * DoltHash.ByteLength;
                if (at + DoltHash.ByteLength > _digests.Length)
                {
                    Array.Resize(ref _digests, _digests.Length * 2);
                }
                Buffer.BlockCopy(digest, 0, _digests, at, DoltHash.ByteLength);
                _lengths.Add((uint)length);
            }

            public void Judge(byte[] index, uint count, byte[] addresses, string name, string path, StoreCheckContext ctx)
            {
                var failures = new List<string>();
                int failed = 0;
                int lost = -1;
                int lengthsOffset = (int)(12L * count);
                for (int i = 0; i < count; i++)
                {
                    if (i >= _lengths.Count || _lengths[i] != BigEndian.UInt32(index, lengthsOffset + 4 * i))
                    {
                        lost = i; // the stream lost the record boundaries here: the rest cannot be matched
                        break;
                    }
                    if (!_problems.TryGetValue(i, out string problem) && !DoltHash.Equal(_digests, i * 20, addresses, i * 20))
                    {
                        problem = $"the data hashes to {DoltHash.Encode(_digests, i * 20)}";
                    }
                    if (problem != null)
                    {
                        failed++;
                        if (failures.Count < 3)
                        {
                            failures.Add($"chunk {DoltHash.Encode(addresses, i * 20)}: {problem}");
                        }
                    }
                }
                if (lost >= 0)
                {
                    failed += (int)count - lost;
                    failures.Add($"chunk {DoltHash.Encode(addresses, lost * 20)}: its record is damaged where its length is encoded, so it and the {count - lost - 1} records after it could not be located in the stream");
                    ctx.Failed("TableFile.Chunks", $"{name}: {failed} of {count} chunks are damaged or could not be read: {string.Join("; ", failures)}.", path, VerificationLevel.Deep);
                }
                else if (failed == 0)
                {
                    ctx.Passed("TableFile.Chunks", $"{name}: all {count} chunks decompress and hash to their addresses.", path, VerificationLevel.Deep);
                }
                else
                {
                    ctx.Failed("TableFile.Chunks", $"{name}: {failed} of {count} chunks are damaged: {string.Join("; ", failures)}.", path, VerificationLevel.Deep);
                }
            }
        }

        /// <summary>CRC-32C, snappy and SHA-512[:20] of one record; the problem when the record is damaged.</summary>
        private static byte[] Digest(byte[] buffer, int offset, int length, SHA512 sha, out string problem)
        {
            problem = null;
            var digest = new byte[DoltHash.ByteLength];
            uint stored = BigEndian.UInt32(buffer, offset + length - 4);
            uint actual = Crc32C.Compute(buffer, offset, length - 4);
            if (stored != actual)
            {
                problem = $"CRC-32C of the compressed data is {actual:x8}, the record says {stored:x8}";
                return digest;
            }
            try
            {
                byte[] chunk = Snappy.DecompressToArray(new ReadOnlySpan<byte>(buffer, offset, length - 4));
                Buffer.BlockCopy(sha.ComputeHash(chunk), 0, digest, 0, DoltHash.ByteLength);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                problem = "the snappy data does not decompress: " + e.Message;
            }
            return digest;
        }

        /// <summary>
        /// The length of the record (snappy block + 4-byte CRC) at <paramref name="offset"/>: 0 when more bytes are
        /// needed, -1 when these bytes cannot start a record.
        /// </summary>
        internal static int RecordLength(byte[] b, int offset, int available)
        {
            int pos = offset, end = offset + available;
            ulong expected = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (pos >= end)
                {
                    return 0;
                }
                if (shift > 28)
                {
                    return -1;
                }
                byte v = b[pos++];
                expected |= (ulong)(v & 0x7f) << shift;
                if (v < 0x80)
                {
                    break;
                }
            }
            if (expected > MaxRecord)
            {
                return -1;
            }
            ulong produced = 0;
            while (produced < expected)
            {
                if (pos >= end)
                {
                    return 0;
                }
                int tag = b[pos];
                switch (tag & 3)
                {
                    case 0:
                        int code = tag >> 2;
                        long literal;
                        if (code < 60)
                        {
                            literal = code + 1;
                            pos += 1;
                        }
                        else
                        {
                            int extra = code - 59;
                            if (pos + extra >= end)
                            {
                                return 0;
                            }
                            literal = 0;
                            for (int i = 0; i < extra; i++)
                            {
                                literal |= (long)b[pos + 1 + i] << (8 * i);
                            }
                            literal += 1;
                            pos += 1 + extra;
                        }
                        if (literal > MaxRecord)
                        {
                            return -1;
                        }
                        pos += (int)literal;
                        produced += (ulong)literal;
                        break;
                    case 1:
                        produced += (ulong)(4 + ((tag >> 2) & 7));
                        pos += 2;
                        break;
                    case 2:
                        produced += (ulong)((tag >> 2) + 1);
                        pos += 3;
                        break;
                    default:
                        produced += (ulong)((tag >> 2) + 1);
                        pos += 5;
                        break;
                }
                if (pos - offset > MaxRecord)
                {
                    return -1;
                }
            }
            if (produced != expected)
            {
                return -1;
            }
            pos += 4;
            return pos > end ? 0 : pos - offset;
        }

        /// <summary>Copies bytes at stream position <paramref name="at"/> into a ring of the last <paramref name="keep"/> bytes.</summary>
        internal static void KeepTail(byte[] ring, int keep, byte[] chunk, int count, long at)
        {
            int from = Math.Max(0, count - keep);
            at += from;
            while (from < count)
            {
                int slot = (int)(at % keep);
                int part = Math.Min(count - from, keep - slot);
                Buffer.BlockCopy(chunk, from, ring, slot, part);
                from += part;
                at += part;
            }
        }

        /// <summary>Puts a ring of the last <paramref name="keep"/> bytes of a stream of <paramref name="total"/> bytes in file order.</summary>
        internal static void InOrder(byte[] ring, int keep, long total)
        {
            int start = (int)(total % keep);
            Array.Reverse(ring, 0, start);
            Array.Reverse(ring, start, keep - start);
            Array.Reverse(ring, 0, keep);
        }
    }
}
