using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using DoltBackup.Verification;
using Snappier;

namespace DoltBackup.Tests.DoltStore
{
    /// <summary>
    /// Writes Dolt stores in Dolt's own formats (go/serial/*.fbs messages in a classic NBS table file, with a manifest)
    /// for histories the shared fixtures do not have: many commits, late branches and tags, a multi-level address map.
    /// The messages are laid out front to back (a valid FlatBuffer that Dolt's builder would lay out back to front).
    /// </summary>
    internal sealed class SyntheticDoltStore
    {
        private readonly Dictionary<string, byte[]> _chunks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        private readonly Dictionary<string, ulong> _heights = new Dictionary<string, ulong>(StringComparer.Ordinal);

        /// <summary>Dataset name → address (refs/heads/..., refs/tags/..., workingSets/heads/...).</summary>
        public SortedDictionary<string, string> Datasets { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Adds a commit (committer date <paramref name="dateUtc"/>; the author date one hour earlier, to tell them apart).</summary>
        public string Commit(string message, DateTime dateUtc, params string[] parents)
        {
            ulong height = parents.Length == 0 ? 1 : parents.Max(p => _heights[p]) + 1;
            var parentBytes = parents.SelectMany(p => DoltHash.TryDecode(p)).ToArray();
            long millis = new DateTimeOffset(DateTime.SpecifyKind(dateUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            string hash = Add(Message("DCMT",
                Field.Bytes(new byte[20]),                 // root
                Field.U64(height),                         // height
                Field.Bytes(parentBytes),                  // parent_addrs
                null,                                      // parent_closure
                Field.Str("Author Name"),                  // name
                Field.Str("author@example.com"),           // email
                Field.Str(message),                        // description
                Field.U64((ulong)millis),                  // timestamp_millis (committer date)
                Field.U64((ulong)(millis - 3600_000)),     // user_timestamp_millis (author date)
                null,                                      // signature
                Field.Str("Committer Name")));             // committer_name
            _heights[hash] = height;
            return hash;
        }

        public void Branch(string name, string commit) => Datasets["refs/heads/" + name] = commit;

        public void Tag(string name, string commit)
        {
            Datasets["refs/tags/" + name] = Add(Message("DTAG", Field.Bytes(DoltHash.TryDecode(commit)), Field.Str(name), Field.Str("t@example.com"), Field.Str("tag " + name), Field.U64(0), Field.U64(0)));
        }

        /// <summary>Writes the store (manifest and one table file) into <paramref name="dir"/>; the address map has at most <paramref name="leafSize"/> keys per leaf.</summary>
        public string Write(string dir, int leafSize = 1000)
        {
            var names = Datasets.Keys.ToList();
            if (names.Count <= leafSize)
            {
                return WriteFiles(dir, Add(Message("STRT", Field.Bytes(AddressMap(names, names.Select(k => Datasets[k]).ToList(), 0)))));
            }
            var lastKeys = new List<string>();
            var children = new List<string>();
            for (int i = 0; i < names.Count; i += leafSize)
            {
                var keys = names.Skip(i).Take(leafSize).ToList();
                lastKeys.Add(keys.Last());
                children.Add(Add(AddressMap(keys, keys.Select(k => Datasets[k]).ToList(), 0)));
            }
            return WriteFiles(dir, Add(Message("STRT", Field.Bytes(AddressMap(lastKeys, children, 1)))));
        }

        private static byte[] AddressMap(List<string> keys, List<string> addresses, int level)
        {
            var items = new List<byte>();
            var offsets = new List<ushort> { 0 };
            foreach (var k in keys)
            {
                items.AddRange(Encoding.UTF8.GetBytes(k));
                offsets.Add((ushort)items.Count);
            }
            return Message("ADRM", Field.Bytes(items.ToArray()), Field.U16s(offsets.ToArray()), Field.Bytes(addresses.SelectMany(a => DoltHash.TryDecode(a)).ToArray()),
                null, Field.U64((ulong)keys.Count), Field.U8((byte)level));
        }

        private string Add(byte[] chunk)
        {
            string hash = DoltHash.TextOf(chunk, 0, chunk.Length);
            _chunks[hash] = chunk;
            return hash;
        }

        private string WriteFiles(string dir, string root)
        {
            Directory.CreateDirectory(dir);
            var ordered = _chunks.ToList();
            int n = ordered.Count;
            var records = new MemoryStream();
            var lengths = new uint[n];
            ulong total = 0;
            for (int i = 0; i < n; i++)
            {
                var compressed = Snappy.CompressToArray(ordered[i].Value);
                records.Write(compressed, 0, compressed.Length);
                records.Write(BigEndianBytes(Crc32C.Compute(compressed, 0, compressed.Length)), 0, 4);
                lengths[i] = (uint)compressed.Length + 4;
                total += (ulong)ordered[i].Value.Length;
            }
            var addresses = ordered.Select(c => DoltHash.TryDecode(c.Key)).ToList();
            var index = new MemoryStream();
            foreach (int i in Enumerable.Range(0, n).OrderBy(i => BigEndian.UInt64(addresses[i], 0)))
            {
                index.Write(addresses[i], 0, 8);
                index.Write(BigEndianBytes((uint)i), 0, 4);
            }
            foreach (var l in lengths)
            {
                index.Write(BigEndianBytes(l), 0, 4);
            }
            var suffixes = addresses.SelectMany(a => a.Skip(8)).ToArray();
            index.Write(suffixes, 0, suffixes.Length);
            string name;
            using (var sha = SHA512.Create())
            {
                name = DoltHash.Encode(sha.ComputeHash(suffixes));
            }
            using (var f = File.Create(Path.Combine(dir, name)))
            {
                records.Position = 0;
                records.CopyTo(f);
                index.Position = 0;
                index.CopyTo(f);
                f.Write(BigEndianBytes((uint)n), 0, 4);
                f.Write(BigEndianBytes((uint)(total >> 32)), 0, 4);
                f.Write(BigEndianBytes((uint)total), 0, 4);
                f.Write(TableFileChecker.Magic, 0, 8);
            }
            File.WriteAllText(Path.Combine(dir, "manifest"), $"5:__DOLT__:{DoltHash.TextOf(new byte[] { 1 }, 0, 1)}:{root}:{DoltHash.Empty}:{name}:{n}");
            Directory.CreateDirectory(Path.Combine(dir, "oldgen"));
            return root;
        }

        private static byte[] BigEndianBytes(uint v) => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v };

        /// <summary>A serial message: [kind 27][3-byte size][root uoffset][file id][vtable][table][vectors].</summary>
        internal static byte[] Message(string fileId, params Field[] fields)
        {
            var fb = new List<byte>();
            void U16(int v) { fb.Add((byte)v); fb.Add((byte)(v >> 8)); }
            void U32(int v) { U16(v & 0xffff); U16((int)((uint)v >> 16)); }
            void SetU32(int at, int v) { for (int i = 0; i < 4; i++) { fb[at + i] = (byte)(v >> (8 * i)); } }

            int vtableSize = 4 + 2 * fields.Length;
            int inline = 4 + fields.Sum(f => f?.InlineSize ?? 0);
            U32(0); // root offset, set below
            fb.AddRange(Encoding.ASCII.GetBytes(fileId));
            int vtable = fb.Count;
            U16(vtableSize);
            U16(inline);
            int at = 4;
            foreach (var f in fields)
            {
                U16(f == null ? 0 : at);
                at += f?.InlineSize ?? 0;
            }
            int table = fb.Count;
            SetU32(0, table);
            U32(table - vtable);
            var pending = new List<(int FieldPos, Field Field)>();
            foreach (var f in fields.Where(f => f != null))
            {
                if (f.Vector != null)
                {
                    pending.Add((fb.Count, f));
                    U32(0);
                }
                else
                {
                    for (int i = 0; i < f.InlineSize; i++)
                    {
                        fb.Add((byte)(f.Scalar >> (8 * i)));
                    }
                }
            }
            foreach (var (pos, f) in pending)
            {
                SetU32(pos, fb.Count - pos);
                U32(f.Vector.Length / f.ElementSize);
                fb.AddRange(f.Vector);
            }
            var chunk = new byte[4 + fb.Count];
            chunk[0] = 27;
            chunk[1] = (byte)(fb.Count >> 16);
            chunk[2] = (byte)(fb.Count >> 8);
            chunk[3] = (byte)fb.Count;
            fb.CopyTo(chunk, 4);
            return chunk;
        }

        internal sealed class Field
        {
            public byte[] Vector;
            public int ElementSize = 1;
            public ulong Scalar;
            public int InlineSize;

            public static Field Bytes(byte[] b) => new Field { Vector = b, InlineSize = 4 };
            public static Field Str(string s) => Bytes(Encoding.UTF8.GetBytes(s));
            public static Field U16s(ushort[] v) => new Field { Vector = v.SelectMany(x => new[] { (byte)x, (byte)(x >> 8) }).ToArray(), ElementSize = 2, InlineSize = 4 };
            public static Field U64(ulong v) => new Field { Scalar = v, InlineSize = 8 };
            public static Field U8(byte v) => new Field { Scalar = v, InlineSize = 1 };
        }
    }
}
