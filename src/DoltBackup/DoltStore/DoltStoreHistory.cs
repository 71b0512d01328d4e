using System;
using System.Collections.Generic;
using System.Text;
using DoltBackup.Engine;
using DoltBackup.Verification;

namespace DoltBackup.DoltStore
{
    /// <summary>One commit as its chunk records it (go/serial/commit.fbs).</summary>
    public sealed class StoreCommit
    {
        /// <summary>The commit's address (what dolt_log shows as commit_hash).</summary>
        public string Hash { get; internal set; }

        /// <summary>Parent addresses, first parent first.</summary>
        public IReadOnlyList<string> Parents { get; internal set; }

        /// <summary>The commit's height: 1 for a root commit, else 1 + the greatest parent height.</summary>
        public ulong Height { get; internal set; }

        /// <summary>The committer date (timestamp_millis), UTC: dolt_log's <c>date</c> column.</summary>
        public DateTime DateUtc { get; internal set; }

        /// <summary>The author date (user_timestamp_millis), UTC: dolt_log's <c>author_date</c>.</summary>
        public DateTime AuthorDateUtc { get; internal set; }

        /// <summary>The committer's name (the author's when the commit has no separate committer).</summary>
        public string Committer { get; internal set; }

        /// <summary>The commit message (description).</summary>
        public string Message { get; internal set; }

        /// <summary>The same commit as a dolt_log row.</summary>
        public DoltCommit ToDoltCommit() => new DoltCommit(Hash, Parents, DateUtc, Committer, Message);
    }

    /// <summary>
    /// The refs and commit history of a Dolt store, read offline and read-only from its files (<see cref="DoltChunkStore"/>):
    /// the root chunk (a StoreRoot whose AddressMap prolly tree maps dataset names such as <c>refs/heads/main</c> to
    /// addresses), branch heads (commit chunks), tags (Tag chunks naming a commit) and commits, each read only when asked
    /// for (and kept once read). Table data is never read.
    /// </summary>
    public sealed class DoltStoreHistory : ICommitHistory, IDisposable
    {
        private const string BranchPrefix = "refs/heads/";
        private const string TagPrefix = "refs/tags/";
        private readonly DoltChunkStore _store;
        private readonly Dictionary<string, StoreCommit> _commits = new Dictionary<string, StoreCommit>(StringComparer.Ordinal);

        private DoltStoreHistory(DoltChunkStore store)
        {
            _store = store;
        }

        /// <summary>Branch name → head commit address, sorted by name.</summary>
        public SortedDictionary<string, string> Branches { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Tag name → the commit address it names, sorted by name.</summary>
        public SortedDictionary<string, string> Tags { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Every dataset of the root (branches, tags, working sets, remote refs...) → its address.</summary>
        public SortedDictionary<string, string> Datasets { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>How many commits were read so far.</summary>
        public int CommitsRead => _commits.Count;

        /// <summary>How many chunks were read so far (root, address map nodes, tags, commits).</summary>
        public int ChunksRead => _store.ChunksRead;

        /// <summary>How many chunks the store holds (from its manifests).</summary>
        public long StoreChunkCount => _store.ChunkCount;

        /// <summary>
        /// Opens the store in <paramref name="dir"/> and reads its refs. Throws <see cref="DoltStoreFormatException"/> when
        /// the store or a chunk of its refs cannot be understood, IOException / UnauthorizedAccessException when it cannot be read.
        /// </summary>
        public static DoltStoreHistory Open(string dir)
        {
            var store = DoltChunkStore.Open(dir);
            var history = new DoltStoreHistory(store);
            try
            {
                history.ReadRefs();
                return history;
            }
            catch
            {
                history.Dispose();
                throw;
            }
        }

        private byte[] Chunk(string address, string what)
        {
            return _store.Get(address) ?? throw new DoltStoreFormatException($"the {what} {address} is not in the store (missing chunk).");
        }

        private void ReadRefs()
        {
            if (_store.Root == null || _store.Root == DoltHash.Empty)
            {
                return; // an empty store: no refs
            }
            var root = FlatBufferTable.Root(Chunk(_store.Root, "root chunk"), "STRT", "the root chunk " + _store.Root);
            var map = root.Bytes(0); // StoreRoot.address_map: an embedded AddressMap message
            if (map.Length > 0)
            {
                ReadAddressMap(map, "the root's address map", 0);
            }
            foreach (var d in Datasets)
            {
                if (d.Key.StartsWith(BranchPrefix, StringComparison.Ordinal))
                {
                    Branches[d.Key.Substring(BranchPrefix.Length)] = d.Value;
                }
                else if (d.Key.StartsWith(TagPrefix, StringComparison.Ordinal))
                {
                    var tag = FlatBufferTable.Root(Chunk(d.Value, "tag"), "DTAG", "the tag " + d.Key);
                    var (start, length) = tag.Vector(0); // Tag.commit_addr
                    if (length != DoltHash.ByteLength)
                    {
                        throw new DoltStoreFormatException($"the tag {d.Key} does not name a commit.");
                    }
                    Tags[d.Key.Substring(TagPrefix.Length)] = DoltHash.Encode(tag.Bytes(0));
                }
            }
        }

        /// <summary>Reads an AddressMap prolly tree node: a leaf maps keys to addresses; an internal node's addresses are its children.</summary>
        private void ReadAddressMap(byte[] message, string what, int depth)
        {
            if (depth > 64)
            {
                throw new DoltStoreFormatException("the root's address map is deeper than any real tree.");
            }
            var node = FlatBufferTable.Root(message, "ADRM", what);
            var (keysStart, keysLength) = node.Vector(0);          // key_items
            var (offsStart, offsCount) = node.Vector(1, 2);       // key_offsets (uint16, count + 1)
            var (addrStart, addrLength) = node.Vector(2);         // address_array
            int level = node.UInt8(5);                            // tree_level
            int count = addrLength / DoltHash.ByteLength;
            if (addrLength % DoltHash.ByteLength != 0 || (level == 0 && offsCount != count + 1))
            {
                throw new DoltStoreFormatException($"{what} is damaged ({count} addresses, {offsCount} key offsets).");
            }
            for (int i = 0; i < count; i++)
            {
                string address = DoltHash.Encode(message, addrStart + DoltHash.ByteLength * i);
                if (level > 0)
                {
                    ReadAddressMap(Chunk(address, "address map node"), "the address map node " + address, depth + 1);
                    continue;
                }
                int from = FlatBufferTable.UInt16(message, offsStart + 2 * i);
                int to = FlatBufferTable.UInt16(message, offsStart + 2 * i + 2);
                if (from > to || to > keysLength)
                {
                    throw new DoltStoreFormatException($"{what} has a damaged key offset.");
                }
                Datasets[Encoding.UTF8.GetString(message, keysStart + from, to - from)] = address;
            }
        }

        /// <summary>The commit at <paramref name="hash"/>; throws <see cref="DoltStoreFormatException"/> when it is missing or not a commit.</summary>
        public StoreCommit Commit(string hash)
        {
            if (_commits.TryGetValue(hash, out var known))
            {
                return known;
            }
            var t = FlatBufferTable.Root(Chunk(hash, "commit"), "DCMT", "the commit " + hash);
            var (pStart, pLength) = t.Vector(2); // parent_addrs
            if (pLength % DoltHash.ByteLength != 0)
            {
                throw new DoltStoreFormatException($"the commit {hash} has damaged parent addresses.");
            }
            var raw = t.Bytes(2);
            var parents = new List<string>(pLength / DoltHash.ByteLength);
            for (int i = 0; i < raw.Length; i += DoltHash.ByteLength)
            {
                parents.Add(DoltHash.Encode(raw, i));
            }
            string author = t.String(4);
            var commit = new StoreCommit
            {
                Hash = hash,
                Parents = parents,
                Height = t.UInt64(1),
                Committer = t.String(10) ?? author,
                Message = t.String(6) ?? "",
                DateUtc = FromMillis(t.Int64(7), hash),
                AuthorDateUtc = FromMillis(t.Int64(8), hash),
            };
            _commits[hash] = commit;
            return commit;
        }

        private static DateTime FromMillis(long millis, string hash)
        {
            try
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime;
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new DoltStoreFormatException($"the commit {hash} has an impossible date ({millis} ms).");
            }
        }

        /// <inheritdoc />
        public void Dispose() => _store.Dispose();
    }
}
