using System;
using System.Text;

namespace DoltBackup.DoltStore
{
    /// <summary>
    /// A minimal, read-only FlatBuffers table over a Dolt serial message (go/serial/*.fbs): the chunk starts with a
    /// 4-byte prefix (kind byte 27 and a 3-byte size), then the flatbuffer (root offset, then the 4-byte file id at
    /// bytes 8..12 of the chunk). Fields are read by their slot (declaration order in the .fbs) through the vtable;
    /// every offset is checked against the buffer, so a damaged chunk gives <see cref="DoltStoreFormatException"/>,
    /// never an out-of-range read.
    /// </summary>
    internal readonly struct FlatBufferTable
    {
        /// <summary>Bytes before the flatbuffer in a Dolt serial message (serial.MessagePrefixSz).</summary>
        public const int MessagePrefixSize = 4;

        /// <summary>The NomsKind of a serial message (types.SerialMessageKind).</summary>
        public const byte SerialMessageKind = 27;

        private readonly byte[] _buf;
        private readonly int _table;
        private readonly int _vtable;
        private readonly int _vtableSize;

        private FlatBufferTable(byte[] buf, int table)
        {
            _buf = buf;
            _table = table;
            _vtable = checked(table - Int32(buf, table));
            Check(buf, _vtable, 4);
            _vtableSize = UInt16(buf, _vtable);
            Check(buf, _vtable, _vtableSize);
        }

        /// <summary>The file identifier of a serial message (4 ASCII characters), or null when the chunk is not one.</summary>
        public static string FileId(byte[] chunk)
        {
            if (chunk == null || chunk.Length < MessagePrefixSize + 8 || chunk[0] != SerialMessageKind)
            {
                return null;
            }
            return Encoding.ASCII.GetString(chunk, MessagePrefixSize + 4, 4);
        }

        /// <summary>The root table of a serial message whose file id must be <paramref name="fileId"/>.</summary>
        public static FlatBufferTable Root(byte[] chunk, string fileId, string what)
        {
            string found = FileId(chunk);
            if (found != fileId)
            {
                throw new DoltStoreFormatException($"{what} is not a '{fileId}' message (found {(found == null ? "no serial message" : "'" + found + "'")}).");
            }
            try
            {
                return new FlatBufferTable(chunk, checked(MessagePrefixSize + (int)UInt32(chunk, MessagePrefixSize)));
            }
            catch (Exception e) when (e is OverflowException || e is DoltStoreFormatException)
            {
                throw new DoltStoreFormatException($"{what} is a damaged '{fileId}' message.");
            }
        }

        /// <summary>The absolute position of field <paramref name="slot"/>, or 0 when it is absent.</summary>
        private int Field(int slot)
        {
            int voffset = 4 + 2 * slot;
            if (voffset + 2 > _vtableSize)
            {
                return 0;
            }
            int rel = UInt16(_buf, _vtable + voffset);
            return rel == 0 ? 0 : _table + rel;
        }

        /// <summary>True when field <paramref name="slot"/> is present.</summary>
        public bool Has(int slot) => Field(slot) != 0;

        /// <summary>A uint64 field (0 when absent, the FlatBuffers default).</summary>
        public ulong UInt64(int slot)
        {
            int p = Field(slot);
            if (p == 0)
            {
                return 0;
            }
            Check(_buf, p, 8);
            return UInt32(_buf, p) | (ulong)UInt32(_buf, p + 4) << 32;
        }

        /// <summary>An int64 field (0 when absent).</summary>
        public long Int64(int slot) => unchecked((long)UInt64(slot));

        /// <summary>A uint8 field (0 when absent).</summary>
        public byte UInt8(int slot)
        {
            int p = Field(slot);
            if (p == 0)
            {
                return 0;
            }
            Check(_buf, p, 1);
            return _buf[p];
        }

        /// <summary>The (start, length) in the buffer of a vector field of <paramref name="elementSize"/>-byte elements; length in elements; (0, 0) when absent.</summary>
        public (int Start, int Length) Vector(int slot, int elementSize = 1)
        {
            int p = Field(slot);
            if (p == 0)
            {
                return (0, 0);
            }
            Check(_buf, p, 4);
            int vec = checked(p + (int)UInt32(_buf, p));
            Check(_buf, vec, 4);
            int length = checked((int)UInt32(_buf, vec));
            Check(_buf, vec + 4, checked(length * elementSize));
            return (vec + 4, length);
        }

        /// <summary>A byte vector field copied out (empty when absent).</summary>
        public byte[] Bytes(int slot)
        {
            var (start, length) = Vector(slot);
            var copy = new byte[length];
            Buffer.BlockCopy(_buf, start, copy, 0, length);
            return copy;
        }

        /// <summary>A string field (null when absent).</summary>
        public string String(int slot)
        {
            if (!Has(slot))
            {
                return null;
            }
            var (start, length) = Vector(slot);
            return Encoding.UTF8.GetString(_buf, start, length);
        }

        internal static uint UInt32(byte[] b, int o)
        {
            Check(b, o, 4);
            return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        }

        internal static int Int32(byte[] b, int o) => unchecked((int)UInt32(b, o));

        internal static ushort UInt16(byte[] b, int o)
        {
            Check(b, o, 2);
            return (ushort)(b[o] | b[o + 1] << 8);
        }

        private static void Check(byte[] b, int offset, int count)
        {
            if (offset < 0 || count < 0 || offset > b.Length - count)
            {
                throw new DoltStoreFormatException($"an offset ({offset}+{count}) lies outside the {b.Length}-byte message.");
            }
        }
    }
}
