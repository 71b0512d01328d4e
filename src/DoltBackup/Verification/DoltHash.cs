using System;
using System.Security.Cryptography;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Dolt's 20-byte addresses (dolt-reference §6): the first 20 bytes of SHA-512, written as 32 characters of
    /// big-endian base32 with the alphabet 0-9a-v.
    /// </summary>
    public static class DoltHash
    {
        /// <summary>Bytes in an address.</summary>
        public const int ByteLength = 20;
        /// <summary>Characters in an address's text.</summary>
        public const int TextLength = 32;
        /// <summary>The chunk journal's file name: the text of 20 0xFF bytes.</summary>
        public const string JournalFileName = "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";
        /// <summary>The empty address.</summary>
        public const string Empty = "00000000000000000000000000000000";

        private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";

        /// <summary>Encodes 20 bytes as 32 base32 characters.</summary>
        public static string Encode(byte[] bytes, int offset = 0)
        {
            var chars = new char[TextLength];
            int bitPos = 0;
            for (int i = 0; i < TextLength; i++)
            {
                int value = 0;
                for (int b = 0; b < 5; b++, bitPos++)
                {
                    int bit = (bytes[offset + (bitPos >> 3)] >> (7 - (bitPos & 7))) & 1;
                    value = (value << 1) | bit;
                }
                chars[i] = Alphabet[value];
            }
            return new string(chars);
        }

        /// <summary>Decodes 32 base32 characters; null when the text is not an address.</summary>
        public static byte[] TryDecode(string text)
        {
            if (!IsValid(text))
            {
                return null;
            }
            var bytes = new byte[ByteLength];
            int bitPos = 0;
            foreach (char c in text)
            {
                int v = c <= '9' ? c - '0' : c - 'a' + 10;
                for (int b = 4; b >= 0; b--, bitPos++)
                {
                    if (((v >> b) & 1) != 0)
                    {
                        bytes[bitPos >> 3] |= (byte)(0x80 >> (bitPos & 7));
                    }
                }
            }
            return bytes;
        }

        /// <summary>True when the text is 32 characters of 0-9a-v.</summary>
        public static bool IsValid(string text)
        {
            if (text == null || text.Length != TextLength)
            {
                return false;
            }
            foreach (char c in text)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The address of some bytes: SHA-512 truncated to 20 bytes.</summary>
        public static byte[] Of(byte[] data, int offset, int count)
        {
            using (var sha = SHA512.Create())
            {
                var full = sha.ComputeHash(data, offset, count);
                var result = new byte[ByteLength];
                Buffer.BlockCopy(full, 0, result, 0, ByteLength);
                return result;
            }
        }

        /// <summary>The address text of some bytes.</summary>
        public static string TextOf(byte[] data, int offset, int count) => Encode(Of(data, offset, count));

        /// <summary>Compares 20 bytes at two offsets.</summary>
        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset)
        {
            for (int i = 0; i < ByteLength; i++)
            {
                if (a[aOffset + i] != b[bOffset + i])
                {
                    return false;
                }
            }
            return true;
        }
    }
}
