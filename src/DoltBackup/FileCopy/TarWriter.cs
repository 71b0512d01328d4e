using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace DoltBackup.FileCopy
{
    /// <summary>
    /// Writes POSIX tar (ustar headers, with a pax extended header when a name does not fit ustar or a size exceeds
    /// 8 GiB), readable by GNU tar, bsdtar and 7-Zip. The caller writes each file's data after its header.
    /// </summary>
    public sealed class TarWriter
    {
        private const int Block = 512;
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        private readonly Stream _output;
        private readonly byte[] _header = new byte[Block];
        private long _pendingData;
        private long _written;

        /// <summary>Creates a writer on a stream (left open).</summary>
        public TarWriter(Stream output) => _output = output;

        /// <summary>Writes a directory entry.</summary>
        public void WriteDirectory(string name, int mode, DateTime modifiedUtc)
        {
            EnsureDataComplete();
            WriteHeader(name.TrimEnd('/') + "/", 0, mode, modifiedUtc, '5');
        }

        /// <summary>Writes a file header; exactly <paramref name="size"/> bytes must follow through <see cref="WriteData"/>.</summary>
        public void BeginFile(string name, long size, int mode, DateTime modifiedUtc)
        {
            EnsureDataComplete();
            WriteHeader(name, size, mode, modifiedUtc, '0');
            _pendingData = size;
            _written = 0;
        }

        /// <summary>Writes data of the current file.</summary>
        public void WriteData(byte[] buffer, int offset, int count)
        {
            if (_written + count > _pendingData)
            {
                throw new InvalidOperationException("More data than the tar header announced.");
            }
            _output.Write(buffer, offset, count);
            _written += count;
        }

        /// <summary>Pads the current file to a block boundary; throws when fewer bytes were written than announced.</summary>
        public void EndFile()
        {
            if (_written != _pendingData)
            {
                throw new IOException($"The file changed size while it was archived ({_written} of {_pendingData} bytes).");
            }
            int pad = (int)((Block - (_pendingData % Block)) % Block);
            if (pad > 0)
            {
                _output.Write(new byte[pad], 0, pad);
            }
            _pendingData = 0;
            _written = 0;
        }

        /// <summary>Writes the end-of-archive marker (two zero blocks).</summary>
        public void Finish()
        {
            EnsureDataComplete();
            _output.Write(new byte[Block * 2], 0, Block * 2);
            _output.Flush();
        }

        private void EnsureDataComplete()
        {
            if (_written != _pendingData)
            {
                throw new InvalidOperationException("The previous file's data is incomplete.");
            }
        }

        private void WriteHeader(string name, long size, int mode, DateTime modifiedUtc, char type)
        {
            bool ascii = IsAscii(name);
            string ustarName = null, prefix = "";
            if (ascii && name.Length <= 100)
            {
                ustarName = name;
            }
            else if (ascii)
            {
                for (int i = Math.Max(1, name.Length - 101); i <= Math.Min(155, name.Length - 2); i++)
                {
                    if (name[i] == '/')
                    {
                        prefix = name.Substring(0, i);
                        ustarName = name.Substring(i + 1);
                        break;
                    }
                }
            }
            bool bigSize = size > 077777777777L;
            if (ustarName == null || bigSize)
            {
                var pax = new StringBuilder();
                if (ustarName == null)
                {
                    pax.Append(PaxRecord("path", name));
                }
                if (bigSize)
                {
                    pax.Append(PaxRecord("size", size.ToString(CultureInfo.InvariantCulture)));
                }
                byte[] data = Encoding.UTF8.GetBytes(pax.ToString());
                FillHeader("PaxHeaders/" + Truncate(AsciiOnly(name), 80), data.Length, 0x1a4, modifiedUtc, 'x', "");
                _output.Write(_header, 0, Block);
                _output.Write(data, 0, data.Length);
                int pad = (Block - data.Length % Block) % Block;
                _output.Write(new byte[pad], 0, pad);
                if (ustarName == null)
                {
                    ustarName = Truncate(AsciiOnly(name), 100);
                    prefix = "";
                }
            }
            FillHeader(ustarName, bigSize ? 0 : size, mode, modifiedUtc, type, prefix);
            _output.Write(_header, 0, Block);
        }

        private void FillHeader(string name, long size, int mode, DateTime modifiedUtc, char type, string prefix)
        {
            Array.Clear(_header, 0, Block);
            PutString(name, 0, 100);
            PutOctal(mode & 0xfff, 100, 8);
            PutOctal(0, 108, 8);
            PutOctal(0, 116, 8);
            PutOctal(size, 124, 12);
            long seconds = (long)Math.Max(0, (modifiedUtc.ToUniversalTime() - Epoch).TotalSeconds);
            PutOctal(seconds, 136, 12);
            _header[156] = (byte)type;
            PutString("ustar", 257, 6);
            _header[263] = (byte)'0';
            _header[264] = (byte)'0';
            PutString(prefix, 345, 155);
            for (int i = 148; i < 156; i++)
            {
                _header[i] = (byte)' ';
            }
            int sum = 0;
            foreach (byte b in _header)
            {
                sum += b;
            }
            string chk = Convert.ToString(sum, 8).PadLeft(6, '0');
            PutString(chk, 148, 6);
            _header[154] = 0;
            _header[155] = (byte)' ';
        }

        private void PutString(string s, int offset, int length)
        {
            byte[] b = Encoding.ASCII.GetBytes(s);
            Buffer.BlockCopy(b, 0, _header, offset, Math.Min(b.Length, length));
        }

        private void PutOctal(long value, int offset, int length)
        {
            string s = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            PutString(s, offset, length - 1);
            _header[offset + length - 1] = 0;
        }

        private static string PaxRecord(string key, string value)
        {
            int body = Encoding.UTF8.GetByteCount(" " + key + "=" + value + "\n");
            int len = body + 1;
            while (len.ToString(CultureInfo.InvariantCulture).Length + body > len)
            {
                len++;
            }
            return len.ToString(CultureInfo.InvariantCulture) + " " + key + "=" + value + "\n";
        }

        private static bool IsAscii(string s)
        {
            foreach (char c in s)
            {
                if (c > 126 || c < 32)
                {
                    return false;
                }
            }
            return true;
        }

        private static string AsciiOnly(string s)
        {
            var sb = new StringBuilder(s.Length);
            foreach (char c in s)
            {
                sb.Append(c > 126 || c < 32 ? '_' : c);
            }
            return sb.ToString();
        }

        private static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(s.Length - max);
    }
}
