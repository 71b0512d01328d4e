using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using DoltBackup.Verification;

namespace DoltBackup.DoltStore
{
    /// <summary>
    /// Read-only lookup of a Dolt (NBS) store's chunks by address, offline, from the files in its folder: the
    /// <c>manifest</c> and <c>oldgen/manifest</c>, and the table files, archives (<c>.darc</c>) and chunk journal they
    /// name (dolt-reference §6; Verification's formats and decoders). Opening reads the footers only (a journal, which has
    /// no index, is scanned once); a chunk is found by a binary search of the file's index on disk and read when asked
    /// for, so the cost follows the chunks asked for, not the size of the store. Nothing is written, locked or created.
    /// </summary>
    public sealed class DoltChunkStore : IDisposable
    {
        private readonly List<ChunkFile> _files = new List<ChunkFile>();

        private DoltChunkStore(string dir)
        {
            Dir = dir;
        }

        /// <summary>The store's folder (the one holding <c>manifest</c>).</summary>
        public string Dir { get; }

        /// <summary>The root chunk's address: the last root record of the journal when there is one, else the manifest's root.</summary>
        public string Root { get; private set; }

        /// <summary>How many chunks were read so far (the cost of what was asked).</summary>
        public int ChunksRead { get; private set; }

        /// <summary>How many chunks the manifests list.</summary>
        public long ChunkCount { get; private set; }

        /// <summary>
        /// Opens the store in <paramref name="dir"/> (a file:// backup store, or a database's <c>.dolt/noms</c>).
        /// Throws <see cref="DoltStoreFormatException"/> when it is not a store this reader understands, and
        /// IOException / UnauthorizedAccessException when it cannot be read.
        /// </summary>
        public static DoltChunkStore Open(string dir)
        {
            var store = new DoltChunkStore(dir);
            try
            {
                string manifestPath = Path.Combine(dir, "manifest");
                if (!File.Exists(manifestPath))
                {
                    throw new DoltStoreFormatException($"{dir} holds no Dolt store manifest.");
                }
                var manifest = ReadManifest(manifestPath);
                store.Root = manifest.Root;
                store.AddFiles(dir, manifest);
                string oldgen = Path.Combine(dir, "oldgen", "manifest");
                if (File.Exists(oldgen))
                {
                    store.AddFiles(Path.Combine(dir, "oldgen"), ReadManifest(oldgen));
                }
                return store;
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }

        private static NbsManifest ReadManifest(string path)
        {
            NbsManifest manifest;
            try
            {
                manifest = NbsManifest.Read(path);
            }
            catch (FormatException e)
            {
                throw new DoltStoreFormatException($"{path}: {e.Message}.");
            }
            if (manifest.NbfVersion != "__DOLT__")
            {
                throw new DoltStoreFormatException($"{path}: the store format is '{manifest.NbfVersion}'; only __DOLT__ stores can be read.");
            }
            return manifest;
        }

        private void AddFiles(string dir, NbsManifest manifest)
        {
            foreach (var spec in manifest.Tables)
            {
                ChunkCount += spec.ChunkCount;
                string path = Path.Combine(dir, spec.Name);
                if (spec.IsJournal)
                {
                    var journal = new JournalChunkFile(path);
                    _files.Add(journal);
                    if (journal.LastRoot != null)
                    {
                        Root = journal.LastRoot;
                    }
                }
                else if (File.Exists(path))
                {
                    _files.Add(new TableChunkFile(path));
                }
                else if (File.Exists(path + ".darc"))
                {
                    _files.Add(new ArchiveChunkFile(path + ".darc"));
                }
                else
                {
                    throw new DoltStoreFormatException($"{Path.Combine(dir, spec.Name)} (named in the manifest) is missing.");
                }
            }
        }

        /// <summary>The chunk at <paramref name="address"/> (32-character text), uncompressed; null when the store does not hold it.</summary>
        public byte[] Get(string address)
        {
            var bytes = DoltHash.TryDecode(address) ?? throw new ArgumentException($"'{address}' is not a Dolt address.", nameof(address));
            return Get(bytes);
        }

        /// <summary>The chunk at a 20-byte address, uncompressed; null when the store does not hold it.</summary>
        public byte[] Get(byte[] address)
        {
            foreach (var f in _files)
            {
                var chunk = f.Get(address);
                if (chunk != null)
                {
                    ChunksRead++;
                    return chunk;
                }
            }
            return null;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (var f in _files)
            {
                f.Dispose();
            }
            _files.Clear();
        }

        private static ulong Prefix(byte[] address) => BigEndian.UInt64(address, 0);

        private static bool SuffixEquals(byte[] index, int at, byte[] address)
        {
            for (int i = 0; i < 12; i++)
            {
                if (index[at + i] != address[8 + i])
                {
                    return false;
                }
            }
            return true;
        }

        private static byte[] Snappy(byte[] record, string path)
        {
            var chunk = ChunkDigest.DecodeSnappyRecord(record, 0, record.Length, out string problem);
            return chunk ?? throw new DoltStoreFormatException($"{path}: a chunk is damaged ({problem}).");
        }

        private abstract class ChunkFile : IDisposable
        {
            protected ChunkFile(string path)
            {
                Path = path;
                Stream = FileReading.OpenRandom(path);
            }

            protected string Path { get; }
            protected FileStream Stream { get; }

            public abstract byte[] Get(byte[] address);

            /// <summary>Fills <paramref name="buffer"/> (or its first <paramref name="count"/> bytes) from <paramref name="position"/>.</summary>
            public byte[] ReadAt(long position, byte[] buffer, int count = -1)
            {
                if (position < 0 || !FileReading.ReadAt(Stream, position, buffer, 0, count < 0 ? buffer.Length : count))
                {
                    throw new DoltStoreFormatException($"{Path} ends inside a chunk or its index (truncated).");
                }
                return buffer;
            }

            public void Dispose() => Stream.Dispose();
        }

        /// <summary>
        /// The first entry (of <paramref name="count"/>, <paramref name="stride"/> bytes apart from <paramref name="start"/>
        /// in the file) whose 8-byte prefix is not below <paramref name="prefix"/>: a binary search on disk, so a lookup
        /// reads about log2(count) small pieces and opening a store never loads its indexes.
        /// </summary>
        private static long LowerBound(ChunkFile file, long start, int stride, long count, ulong prefix)
        {
            long lo = 0, hi = count;
            var buffer = new byte[8];
            while (lo < hi)
            {
                long mid = (lo + hi) >> 1;
                if (BigEndian.UInt64(file.ReadAt(start + stride * mid, buffer), 0) < prefix)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }

        /// <summary>A classic table file: index = N×(8-byte prefix, uint32 ordinal) sorted by prefix, N×uint32 length, N×12-byte suffix (by ordinal).</summary>
        private sealed class TableChunkFile : ChunkFile
        {
            private const int Step = 1024;
            private readonly long _count;
            private readonly long _indexStart;
            private long[] _sparseOffsets; // the offset of every Step-th ordinal's record, made on the first hit

            public TableChunkFile(string path) : base(path)
            {
                long size = Stream.Length;
                if (size < TableFileChecker.FooterSize)
                {
                    throw new DoltStoreFormatException($"{path} is too short to be a table file.");
                }
                var footer = ReadAt(size - TableFileChecker.FooterSize, new byte[TableFileChecker.FooterSize]);
                for (int i = 0; i < TableFileChecker.Magic.Length; i++)
                {
                    if (footer[12 + i] != TableFileChecker.Magic[i])
                    {
                        throw new DoltStoreFormatException($"{path} does not end with the NBS table magic.");
                    }
                }
                _count = BigEndian.UInt32(footer, 0);
                _indexStart = size - TableFileChecker.FooterSize - 28L * _count;
                if (_indexStart < 0)
                {
                    throw new DoltStoreFormatException($"{path}: its index of {_count} chunks does not fit the file.");
                }
            }

            public override byte[] Get(byte[] address)
            {
                ulong prefix = Prefix(address);
                var entry = new byte[12];
                var suffix = new byte[12];
                for (long j = LowerBound(this, _indexStart, 12, _count, prefix); j < _count; j++)
                {
                    ReadAt(_indexStart + 12 * j, entry);
                    if (BigEndian.UInt64(entry, 0) != prefix)
                    {
                        break;
                    }
                    uint ord = BigEndian.UInt32(entry, 8);
                    if (ord < _count && SuffixEquals(ReadAt(_indexStart + 16 * _count + 12L * ord, suffix), 0, address))
                    {
                        var (offset, length) = Record(ord);
                        return Snappy(ReadAt(offset, new byte[length]), Path);
                    }
                }
                return null;
            }

            /// <summary>Where the record of an ordinal is: the sum of the lengths before it (from the nearest sparse sum).</summary>
            private (long Offset, int Length) Record(uint ord)
            {
                long lengths = _indexStart + 12 * _count;
                if (_sparseOffsets == null)
                {
                    var sums = new long[_count / Step + 1];
                    var block = new byte[4 * Step];
                    long total = 0;
                    for (long i = 0; i < _count; i += Step)
                    {
                        int n = (int)Math.Min(Step, _count - i);
                        sums[i / Step] = total;
                        ReadAt(lengths + 4 * i, block, 4 * n);
                        for (int k = 0; k < n; k++)
                        {
                            total += BigEndian.UInt32(block, 4 * k);
                        }
                    }
                    if (total != _indexStart)
                    {
                        throw new DoltStoreFormatException($"{Path}: its index does not describe the file (damaged).");
                    }
                    _sparseOffsets = sums;
                }
                long from = ord / Step * Step;
                int before = (int)(ord - from);
                var run = ReadAt(lengths + 4 * from, new byte[4 * (before + 1)]);
                long offset = _sparseOffsets[ord / Step];
                for (int k = 0; k < before; k++)
                {
                    offset += BigEndian.UInt32(run, 4 * k);
                }
                return (offset, (int)BigEndian.UInt32(run, 4 * before));
            }
        }

        /// <summary>A Dolt archive: index = spans' end offsets, prefix map (sorted), chunk refs (dictionary span, data span), suffixes.</summary>
        private sealed class ArchiveChunkFile : ChunkFile
        {
            private readonly int _version;
            private readonly long _spanCount;
            private readonly long _chunkCount;
            private readonly long _indexStart;
            private readonly Dictionary<uint, byte[]> _dictionaries = new Dictionary<uint, byte[]>();

            public ArchiveChunkFile(string path) : base(path)
            {
                long size = Stream.Length;
                if (size < 216)
                {
                    throw new DoltStoreFormatException($"{path} is too short to be an archive.");
                }
                int tailLength = (int)Math.Min(220, size);
                var tail = ReadAt(size - tailLength, new byte[tailLength]);
                if (System.Text.Encoding.ASCII.GetString(tail, tailLength - 7, 7) != "DOLTARC")
                {
                    throw new DoltStoreFormatException($"{path} does not end with the DOLTARC signature.");
                }
                _version = tail[tailLength - 8];
                int footerSize = _version == 1 || _version == 2 ? 216 : _version == 3 && tailLength == 220 ? 220 : 0;
                if (footerSize == 0)
                {
                    throw new DoltStoreFormatException($"{path} has archive format version {_version.ToString(CultureInfo.InvariantCulture)}; versions 1, 2 and 3 can be read.");
                }
                int f = tailLength - footerSize;
                int o = footerSize == 220 ? 4 : 0;
                ulong indexLength = footerSize == 220 ? BigEndian.UInt64(tail, f) : BigEndian.UInt32(tail, f);
                _spanCount = BigEndian.UInt32(tail, f + 4 + o);
                _chunkCount = BigEndian.UInt32(tail, f + 8 + o);
                uint metadataLength = BigEndian.UInt32(tail, f + 12 + o);
                if (indexLength != 8UL * (ulong)_spanCount + 28UL * (ulong)_chunkCount || _spanCount == 0
                    || (ulong)size < indexLength + metadataLength + (ulong)footerSize)
                {
                    throw new DoltStoreFormatException($"{path}: the footer's index does not fit the file (damaged).");
                }
                _indexStart = size - footerSize - metadataLength - (long)indexLength;
            }

            public override byte[] Get(byte[] address)
            {
                long prefixes = _indexStart + 8 * _spanCount;
                long refs = prefixes + 8 * _chunkCount;
                long suffixes = refs + 8 * _chunkCount;
                ulong prefix = Prefix(address);
                var eight = new byte[8];
                var suffix = new byte[12];
                for (long j = LowerBound(this, prefixes, 8, _chunkCount, prefix); j < _chunkCount && BigEndian.UInt64(ReadAt(prefixes + 8 * j, eight), 0) == prefix; j++)
                {
                    if (!SuffixEquals(ReadAt(suffixes + 12 * j, suffix), 0, address))
                    {
                        continue;
                    }
                    ReadAt(refs + 8 * j, eight);
                    uint dictId = BigEndian.UInt32(eight, 0);
                    uint dataId = BigEndian.UInt32(eight, 4);
                    try
                    {
                        byte[] data = Span(dataId);
                        if (ArchiveChecker.IsSnappy(_version, dictId))
                        {
                            return Snappy(data, Path);
                        }
                        if (dictId != 0 && !_dictionaries.ContainsKey(dictId))
                        {
                            _dictionaries[dictId] = ZstdFrames.Decompress(Span(dictId), null);
                        }
                        return ZstdFrames.Decompress(data, dictId == 0 ? null : _dictionaries[dictId]);
                    }
                    catch (Exception e) when (!(e is DoltStoreFormatException) && !(e is OutOfMemoryException) && !(e is IOException))
                    {
                        throw new DoltStoreFormatException($"{Path}: a chunk does not decompress ({e.Message}).");
                    }
                }
                return null;
            }

            /// <summary>Byte span <paramref name="id"/> (1-based): from the end of the one before to its own end.</summary>
            private byte[] Span(uint id)
            {
                if (id == 0 || id > _spanCount)
                {
                    throw new DoltStoreFormatException($"{Path}: byte span {id} does not exist (the archive has {_spanCount}).");
                }
                var ends = ReadAt(_indexStart + 8L * (id - 1) - (id == 1 ? 0 : 8), new byte[id == 1 ? 8 : 16]);
                long start = id == 1 ? 0 : (long)BigEndian.UInt64(ends, 0);
                long end = (long)BigEndian.UInt64(ends, id == 1 ? 0 : 8);
                if (start > end || end > _indexStart || end - start > int.MaxValue)
                {
                    throw new DoltStoreFormatException($"{Path}: byte span {id} [{start}, {end}) lies outside the data.");
                }
                return ReadAt(start, new byte[end - start]);
            }
        }

        /// <summary>A chunk journal: its records are scanned once (up to the first zero length or bad record, as Dolt does) to index the chunk records and find the last root.</summary>
        private sealed class JournalChunkFile : ChunkFile
        {
            private readonly Dictionary<string, (long Offset, int Length)> _chunks = new Dictionary<string, (long, int)>(StringComparer.Ordinal);

            public JournalChunkFile(string path) : base(path)
            {
                long size = Stream.Length;
                long offset = 0;
                var header = new byte[4];
                var buffer = new byte[64 * 1024];
                while (offset + 4 <= size)
                {
                    if (!FileReading.ReadAt(Stream, offset, header, 0, 4))
                    {
                        break;
                    }
                    uint length = BigEndian.UInt32(header, 0);
                    if (length == 0 || length > JournalChecker.MaxRecordLength || length < 10 || offset + length > size)
                    {
                        break;
                    }
                    if (length > buffer.Length)
                    {
                        buffer = new byte[Math.Max(length, (uint)buffer.Length * 2)];
                    }
                    if (!FileReading.ReadAt(Stream, offset, buffer, 0, (int)length))
                    {
                        break;
                    }
                    int end = (int)length - 4;
                    if (BigEndian.UInt32(buffer, end) != Crc32C.Compute(buffer, 0, end))
                    {
                        break; // Dolt stops reading the journal at a bad record
                    }
                    if (JournalChecker.ReadRecordFields(buffer, end, out int kind, out int addr, out int payload) != null)
                    {
                        break; // Dolt stops reading the journal at a bad record
                    }
                    if (kind == 1)
                    {
                        LastRoot = DoltHash.Encode(buffer, addr);
                    }
                    else
                    {
                        _chunks[DoltHash.Encode(buffer, addr)] = (offset + payload, end - payload);
                    }
                    offset += length;
                }
            }

            public string LastRoot { get; }

            public override byte[] Get(byte[] address)
            {
                return _chunks.TryGetValue(DoltHash.Encode(address), out var at) ? Snappy(ReadAt(at.Offset, new byte[at.Length]), Path) : null;
            }
        }
    }
}
