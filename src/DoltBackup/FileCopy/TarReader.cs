using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Reads tar archives sequentially (ustar, pax extended headers, GNU long names). Header checksums are verified;
    /// a damaged header is an <see cref="InvalidDataException"/>.
    /// </summary>
    public sealed class TarReader
    {
        private const int Block = 512;
        private readonly Stream _input;
        private readonly byte[] _header = new byte[Block];
        private long _remaining;
        private int _padding;

        /// <summary>Creates a reader on a stream (left open).</summary>
        public TarReader(Stream input) => _input = input;

        /// <summary>The next entry, or null at the end of the archive. Unread data of the previous entry is skipped.</summary>
        public TarEntry Next()
        {
            Skip(_remaining + _padding);
            _remaining = 0;
            _padding = 0;
            string longName = null;
            long? paxSize = null;
            while (true)
            {
                if (!ReadFull(_header, 0, Block))
                {
                    throw new InvalidDataException("The tar archive ends without its end-of-archive marker (truncated).");
                }
                if (IsZero(_header))
                {
                    return null;
                }
                VerifyChecksum();
                char type = (char)_header[156];
                long size = ParseNumber(124, 12);
                if (type == 'x' || type == 'g' || type == 'L')
                {
                    byte[] data = ReadData(size);
                    if (type == 'L')
                    {
                        longName = Encoding.UTF8.GetString(data).TrimEnd('\0');
                    }
                    else if (type == 'x')
                    {
                        ParsePax(data, ref longName, ref paxSize);
                    }
                    continue;
                }
                string name = longName ?? HeaderName();
                var entry = new TarEntry
                {
                    Name = name.TrimEnd('/'),
                    TypeFlag = type,
                    Type = type == '0' || type == '\0' || type == '7' ? TarEntryType.File : type == '5' ? TarEntryType.Directory : TarEntryType.Other,
                    Size = paxSize ?? size,
                    Mode = (int)ParseNumber(100, 8),
                    ModifiedUtc = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(ParseNumber(136, 12)),
                };
                if (entry.Type == TarEntryType.File && name.EndsWith("/", StringComparison.Ordinal))
                {
                    entry.Type = TarEntryType.Directory;
                }
                if (entry.Type == TarEntryType.Directory)
                {
                    entry.Size = 0;
                }
                _remaining = entry.Type == TarEntryType.Directory ? 0 : entry.Size;
                _padding = (int)((Block - _remaining % Block) % Block);
                return entry;
            }
        }

        /// <summary>Reads data of the current entry; 0 at its end.</summary>
        public int ReadData(byte[] buffer, int offset, int count)
        {
            if (_remaining == 0)
            {
                return 0;
            }
            int n = _input.Read(buffer, offset, (int)Math.Min(count, _remaining));
            if (n <= 0)
            {
                throw new InvalidDataException("The tar archive ends inside an entry's data (truncated).");
            }
            _remaining -= n;
            return n;
        }

        private byte[] ReadData(long size)
        {
            if (size > 1 << 20)
            {
                throw new InvalidDataException("A tar extended header is implausibly large.");
            }
            var data = new byte[size];
            if (!ReadFull(data, 0, (int)size))
            {
                throw new InvalidDataException("The tar archive ends inside an extended header (truncated).");
            }
            Skip((Block - size % Block) % Block);
            return data;
        }

        private static void ParsePax(byte[] data, ref string path, ref long? size)
        {
            int pos = 0;
            while (pos < data.Length)
            {
                int space = Array.IndexOf(data, (byte)' ', pos);
                if (space < 0)
                {
                    break;
                }
                int len = int.Parse(Encoding.ASCII.GetString(data, pos, space - pos), CultureInfo.InvariantCulture);
                if (len <= 0 || pos + len > data.Length)
                {
                    throw new InvalidDataException("A tar pax record is malformed.");
                }
                string record = Encoding.UTF8.GetString(data, space + 1, pos + len - space - 2);
                int eq = record.IndexOf('=');
                if (eq > 0)
                {
                    string key = record.Substring(0, eq), value = record.Substring(eq + 1);
                    if (key == "path")
                    {
                        path = value;
                    }
                    else if (key == "size")
                    {
                        size = long.Parse(value, CultureInfo.InvariantCulture);
                    }
                }
                pos += len;
            }
        }

        private string HeaderName()
        {
            string name = CString(0, 100);
            if (CString(257, 5) == "ustar")
            {
                string prefix = CString(345, 155);
                if (prefix.Length > 0)
                {
                    name = prefix + "/" + name;
                }
            }
            return name;
        }

        private string CString(int offset, int length)
        {
            int end = offset;
            while (end < offset + length && _header[end] != 0)
            {
                end++;
            }
            return Encoding.UTF8.GetString(_header, offset, end - offset);
        }

        private long ParseNumber(int offset, int length)
        {
            if ((_header[offset] & 0x80) != 0)
            {
                long v = _header[offset] & 0x7f;
                for (int i = 1; i < length; i++)
                {
                    v = (v << 8) | _header[offset + i];
                }
                return v;
            }
            string s = CString(offset, length).Trim(' ', '\0');
            if (s.Length == 0)
            {
                return 0;
            }
            try
            {
                return Convert.ToInt64(s, 8);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"A tar header has a malformed number '{s}'.");
            }
        }

        private void VerifyChecksum()
        {
            long stored = ParseNumber(148, 8);
            long sum = 0;
            for (int i = 0; i < Block; i++)
            {
                sum += i >= 148 && i < 156 ? (byte)' ' : _header[i];
            }
            if (sum != stored)
            {
                throw new InvalidDataException("A tar header fails its checksum (damaged archive).");
            }
        }

        private static bool IsZero(byte[] b)
        {
            foreach (byte x in b)
            {
                if (x != 0)
                {
                    return false;
                }
            }
            return true;
        }

        private bool ReadFull(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int n = _input.Read(buffer, offset, count);
                if (n <= 0)
                {
                    return false;
                }
                offset += n;
                count -= n;
            }
            return true;
        }

        private void Skip(long count)
        {
            var scratch = new byte[(int)Math.Min(Math.Max(count, 1), 1 << 16)];
            while (count > 0)
            {
                int n = _input.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
                if (n <= 0)
                {
                    throw new InvalidDataException("The tar archive ends inside an entry (truncated).");
                }
                count -= n;
            }
        }
    }
}
