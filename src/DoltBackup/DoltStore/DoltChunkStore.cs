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
    /// name (dolt-reference §6; the parsers are Verification's). Only the indexes are loaded when the store is opened;
    /// a chunk is read from disk when it is asked for. Nothing is written, locked or created.
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

        /// <summary>The first entry whose 8-byte prefix (at <paramref name="start"/> + stride·i) is not below <paramref name="prefix"/>.</summary>
        private static int LowerBound(byte[] index, int start, int stride, int count, ulong prefix)
        {
            int lo = 0, hi = count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (BigEndian.UInt64(index, start + stride * mid) < prefix)
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

            protected byte[] ReadAt(long position, int length)
            {
                var data = new byte[length];
                if (!FileReading.ReadAt(Stream, position, data, 0, length))
                {
                    throw new DoltStoreFormatException($"{Path} ends inside a chunk (truncated).");
                }
                return data;
            }

            public void Dispose() => Stream.Dispose();
        }

        /// <summary>A classic table file: index = N×(8-byte prefix, uint32 ordinal) sorted by prefix, N×uint32 length, N×12-byte suffix (by ordinal).</summary>
        private sealed class TableChunkFile : ChunkFile
        {
            private readonly byte[] _index;
            private readonly int _count;
            private readonly long[] _offsets;

            public TableChunkFile(string path) : base(path)
            {
                long size = Stream.Length;
                if (size < TableFileChecker.FooterSize)
                {
                    throw new DoltStoreFormatException($"{path} is too short to be a table file.");
                }
                var footer = ReadAt(size - TableFileChecker.FooterSize, TableFileChecker.FooterSize);
                for (int i = 0; i < TableFileChecker.Magic.Length; i++)
                {
                    if (footer[12 + i] != TableFileChecker.Magic[i])
                    {
                        throw new DoltStoreFormatException($"{path} does not end with the NBS table magic.");
                    }
                }
                uint count = BigEndian.UInt32(footer, 0);
                long indexSize = 28L * count;
                if (indexSize + TableFileChecker.FooterSize > size || indexSize > int.MaxValue)
                {
                    throw new DoltStoreFormatException($"{path}: its index of {count} chunks does not fit the file.");
                }
                _count = (int)count;
                _index = ReadAt(size - TableFileChecker.FooterSize - indexSize, (int)indexSize);
                _offsets = new long[_count + 1];
                for (int i = 0; i < _count; i++)
                {
                    _offsets[i + 1] = _offsets[i] + BigEndian.UInt32(_index, 12 * _count + 4 * i);
                }
                if (_offsets[_count] + indexSize + TableFileChecker.FooterSize != size)
                {
                    throw new DoltStoreFormatException($"{path}: its index does not describe the file (damaged).");
                }
            }

            public override byte[] Get(byte[] address)
            {
                ulong prefix = Prefix(address);
                for (int j = LowerBound(_index, 0, 12, _count, prefix); j < _count && BigEndian.UInt64(_index, 12 * j) == prefix; j++)
                {
                    uint ord = BigEndian.UInt32(_index, 12 * j + 8);
                    if (ord < _count && SuffixEquals(_index, 16 * _count + 12 * (int)ord, address))
                    {
                        return Snappy(ReadAt(_offsets[ord], (int)(_offsets[ord + 1] - _offsets[ord])), Path);
                    }
                }
                return null;
            }
        }

        /// <summary>A Dolt archive: index = spans' end offsets, prefix map (sorted), chunk refs (dictionary span, data span), suffixes.</summary>
        private sealed class ArchiveChunkFile : ChunkFile
        {
            private readonly byte[] _index;
            private readonly int _version;
            private readonly uint _spanCount;
            private readonly int _chunkCount;
            private readonly long _dataEnd;
            private readonly Dictionary<uint, byte[]> _dictionaries = new Dictionary<uint, byte[]>();

            public ArchiveChunkFile(string path) : base(path)
            {
                long size = Stream.Length;
                if (size < 216)
                {
                    throw new DoltStoreFormatException($"{path} is too short to be an archive.");
                }
                int tailLength = (int)Math.Min(220, size);
                var tail = ReadAt(size - tailLength, tailLength);
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
                uint chunkCount = BigEndian.UInt32(tail, f + 8 + o);
                uint metadataLength = BigEndian.UInt32(tail, f + 12 + o);
                if (indexLength != 8UL * _spanCount + 28UL * chunkCount || _spanCount == 0 || indexLength > int.MaxValue
                    || (ulong)size < indexLength + metadataLength + (ulong)footerSize)
                {
                    throw new DoltStoreFormatException($"{path}: the footer's index does not fit the file (damaged).");
                }
                _chunkCount = (int)chunkCount;
                _index = ReadAt(size - footerSize - metadataLength - (long)indexLength, (int)indexLength);
                _dataEnd = (long)BigEndian.UInt64(_index, (int)(_spanCount - 1) * 8);
            }

            public override byte[] Get(byte[] address)
            {
                int prefixes = (int)(8 * _spanCount);
                int refs = prefixes + 8 * _chunkCount;
                int suffixes = refs + 8 * _chunkCount;
                ulong prefix = Prefix(address);
                for (int j = LowerBound(_index, prefixes, 8, _chunkCount, prefix); j < _chunkCount && BigEndian.UInt64(_index, prefixes + 8 * j) == prefix; j++)
                {
                    if (!SuffixEquals(_index, suffixes + 12 * j, address))
                    {
                        continue;
                    }
                    uint dictId = BigEndian.UInt32(_index, refs + 8 * j);
                    uint dataId = BigEndian.UInt32(_index, refs + 8 * j + 4);
                    try
                    {
                        byte[] data = ArchiveChecker.ReadSpan(Stream, _index, _spanCount, dataId, _dataEnd);
                        return ArchiveChecker.IsSnappy(_version, dictId)
                            ? Snappy(data, Path)
                            : ZstdFrames.Decompress(data, ArchiveChecker.Dictionary(Stream, _index, _spanCount, dictId, _dataEnd, _dictionaries));
                    }
                    catch (Exception e) when (!(e is DoltStoreFormatException) && !(e is OutOfMemoryException) && !(e is IOException))
                    {
                        throw new DoltStoreFormatException($"{Path}: a chunk does not decompress ({e.Message}).");
                    }
                }
                return null;
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
                    int kind = -1, addr = -1, payload = -1, pos = 4;
                    bool bad = false;
                    while (pos < end && !bad)
                    {
                        switch (buffer[pos++])
                        {
                            case 1: kind = buffer[pos]; pos += 1; break;
                            case 2: addr = pos; pos += DoltHash.ByteLength; break;
                            case 3: payload = pos; pos = end; break;
                            case 4: pos += 8; break;
                            default: bad = true; break;
                        }
                    }
                    if (bad || pos != end || addr < 0)
                    {
                        break;
                    }
                    if (kind == 1)
                    {
                        LastRoot = DoltHash.Encode(buffer, addr);
                    }
                    else if (kind == 2 && payload > 0)
                    {
                        _chunks[DoltHash.Encode(buffer, addr)] = (offset + payload, end - payload);
                    }
                    offset += length;
                }
            }

            public string LastRoot { get; }

            public override byte[] Get(byte[] address)
            {
                return _chunks.TryGetValue(DoltHash.Encode(address), out var at) ? Snappy(ReadAt(at.Offset, at.Length), Path) : null;
            }
        }
    }
}
