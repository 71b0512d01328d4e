using System;
using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace DoltBackup.Encryption
{
    /// <summary>The AES-GCM implementations <see cref="GcmCipher"/> chooses from (all give the same bytes).</summary>
    internal enum GcmImplementation
    {
        /// <summary>The fastest that works here.</summary>
        Automatic,
        /// <summary>OpenSSL's EVP AES-GCM through libcrypto (Linux).</summary>
        OpenSsl,
        /// <summary>The .NET platform's AES-ECB and AesGcm, joined (PowerShell 7).</summary>
        Platform,
        /// <summary>BouncyCastle's GcmBlockCipher (everywhere).</summary>
        BouncyCastle,
    }

    /// <summary>
    /// AES-GCM (NIST SP 800-38D) over one long stream, fed in pieces: the content encryption of a CMS
    /// AuthEnvelopedData file. Three implementations give the same bytes: BouncyCastle's <see cref="GcmBlockCipher"/>
    /// (everywhere; about 1.4 GiB/s with its net6.0 build, 80 MiB/s on .NET Framework); where the running .NET has
    /// <c>System.Security.Cryptography.AesGcm</c> (PowerShell 7), <see cref="SegmentedGcm"/>: the same algorithm built
    /// from the platform's AES (counter mode from AES-ECB of the counter blocks) and the platform's GHASH (AesGcm over
    /// each piece as associated data, the pieces joined with a few GF(2^128) products), about twice as fast; and where
    /// OpenSSL's libcrypto loads (Linux), <see cref="OpenSslGcm"/>, its EVP AES-GCM in one pass, faster again. The
    /// faster two are used only after a known-answer test against BouncyCastle. Pieces must be multiples of 16 bytes
    /// except the last.
    /// </summary>
    internal abstract partial class GcmCipher : IDisposable
    {
        /// <summary>Bytes of the authentication tag (CMS keeps it apart from the ciphertext).</summary>
        public const int TagBytes = 16;

        /// <summary>
        /// Which implementation <see cref="Create"/> gives here: <see cref="GcmImplementation.Automatic"/> (the fastest
        /// that loads and passes its self-test), or the one forced by the innermost <see cref="Prefer"/> scope of this
        /// flow of execution; a forced one that is not available here makes <see cref="Create"/> throw.
        /// </summary>
        internal static GcmImplementation Preferred => _preferred.Value;

        private static readonly System.Threading.AsyncLocal<GcmImplementation> _preferred = new System.Threading.AsyncLocal<GcmImplementation>();

        /// <summary>
        /// Forces <paramref name="implementation"/> (tests, benchmarks, a suspected fault in the faster ones) until the
        /// answer is disposed, for this flow of execution only (this thread and the tasks and threads it starts meanwhile):
        /// a test's choice never reaches a test running beside it. Disposing restores the choice before.
        /// </summary>
        internal static IDisposable Prefer(GcmImplementation implementation)
        {
            var before = _preferred.Value;
            _preferred.Value = implementation;
            return new PreferenceScope(before);
        }

        private sealed class PreferenceScope : IDisposable
        {
            private readonly GcmImplementation _before;
            private bool _disposed;

            public PreferenceScope(GcmImplementation before) => _before = before;

            public void Dispose()
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _preferred.Value = _before;
                }
            }
        }

        /// <summary>A cipher for <paramref name="key"/> and <paramref name="nonce"/>: OpenSSL's, else the platform one, when there and self-tested; else BouncyCastle.</summary>
        public static GcmCipher Create(bool encrypt, byte[] key, byte[] nonce, int tagBytes) => Create(encrypt, key, nonce, tagBytes, Preferred);

        /// <summary>A cipher by the implementation asked for (<see cref="PlatformNotSupportedException"/> when it is not available here).</summary>
        public static GcmCipher Create(bool encrypt, byte[] key, byte[] nonce, int tagBytes, GcmImplementation implementation)
        {
            bool usual = tagBytes == TagBytes && nonce.Length == 12;
            switch (implementation)
            {
                case GcmImplementation.OpenSsl:
                    return usual && OpenSslGcm.Available ? new OpenSslGcm(encrypt, key, nonce) : throw new PlatformNotSupportedException("OpenSSL's AES-GCM is not available here.");
                case GcmImplementation.Platform:
                    return usual && SegmentedGcm.Available ? new SegmentedGcm(encrypt, key, nonce) : throw new PlatformNotSupportedException("The platform's AES-GCM is not available here.");
                case GcmImplementation.BouncyCastle:
                    return new BouncyCastleGcm(encrypt, key, nonce, tagBytes);
            }
            if (usual && OpenSslGcm.Available)
            {
                return new OpenSslGcm(encrypt, key, nonce);
            }
            if (usual && SegmentedGcm.Available)
            {
                return new SegmentedGcm(encrypt, key, nonce);
            }
            return new BouncyCastleGcm(encrypt, key, nonce, tagBytes);
        }

        /// <summary>True when the platform implementation (<see cref="SegmentedGcm"/>) works here.</summary>
        public static bool PlatformAvailable => SegmentedGcm.Available;

        /// <summary>True when OpenSSL's libcrypto loaded and its AES-GCM passed the self-test.</summary>
        public static bool OpenSslAvailable => OpenSslGcm.Available;

        /// <summary>What <see cref="Create"/> gives here for AES-256 with a 12-byte nonce and a 16-byte tag.</summary>
        public static GcmImplementation Automatic => OpenSslGcm.Available ? GcmImplementation.OpenSsl : SegmentedGcm.Available ? GcmImplementation.Platform : GcmImplementation.BouncyCastle;

        /// <summary>The implementation of this instance.</summary>
        public abstract GcmImplementation Implementation { get; }

        /// <summary>Encrypts or decrypts a piece; returns the bytes written to <paramref name="output"/> (may lag behind the input).</summary>
        public abstract int Process(byte[] input, int offset, int count, byte[] output, int outputOffset);

        /// <summary>Encryption: the bytes still held back (to <paramref name="output"/>, returned count) and the tag.</summary>
        public abstract int FinishEncrypt(byte[] output, int outputOffset, out byte[] tag);

        /// <summary>Decryption: the bytes still held back, after the tag matched; <see cref="InvalidCipherTextException"/> when it does not.</summary>
        public abstract int FinishDecrypt(byte[] tag, byte[] output, int outputOffset);

        /// <inheritdoc />
        public virtual void Dispose()
        {
        }

        /// <summary>
        /// The self-test of a faster implementation: for pieces of several sizes it must give BouncyCastle's
        /// ciphertext and tag, decrypt them back, and refuse a tag with one bit changed.
        /// </summary>
        private static bool KnownAnswers(Func<bool, byte[], byte[], GcmCipher> create)
        {
            var random = new Random(13);
            var key = new byte[32];
            var nonce = new byte[12];
            random.NextBytes(key);
            random.NextBytes(nonce);
            var plain = new byte[4096 + 37];
            random.NextBytes(plain);
            var ours = new byte[plain.Length];
            var theirs = new byte[plain.Length + TagBytes];
            byte[] ourTag;
            using (var gcm = create(true, key, nonce))
            {
                int n = gcm.Process(plain, 0, 1024, ours, 0);
                n += gcm.Process(plain, 1024, 16, ours, n);
                n += gcm.Process(plain, 1040, plain.Length - 1040, ours, n);
                gcm.FinishEncrypt(ours, n, out ourTag);
            }
            var reference = new GcmBlockCipher(AesUtilities.CreateEngine());
            reference.Init(true, new AeadParameters(new KeyParameter(key), TagBytes * 8, nonce));
            int m = reference.ProcessBytes(plain, 0, plain.Length, theirs, 0);
            reference.DoFinal(theirs, m);
            int diff = 0;
            for (int i = 0; i < plain.Length; i++)
            {
                diff |= ours[i] ^ theirs[i];
            }
            for (int i = 0; i < TagBytes; i++)
            {
                diff |= ourTag[i] ^ theirs[plain.Length + i];
            }
            if (diff != 0)
            {
                return false;
            }
            var back = new byte[plain.Length];
            using (var gcm = create(false, key, nonce))
            {
                int n = gcm.Process(ours, 0, 2048, back, 0);
                n += gcm.Process(ours, 2048, ours.Length - 2048, back, n);
                gcm.FinishDecrypt(ourTag, back, n);
            }
            for (int i = 0; i < plain.Length; i++)
            {
                diff |= back[i] ^ plain[i];
            }
            if (diff != 0)
            {
                return false;
            }
            ourTag[5] ^= 0x20;
            using (var gcm = create(false, key, nonce))
            {
                gcm.Process(ours, 0, ours.Length, back, 0);
                try
                {
                    gcm.FinishDecrypt(ourTag, back, ours.Length);
                    return false; // a wrong tag accepted
                }
                catch (InvalidCipherTextException)
                {
                    return true;
                }
            }
        }

        private sealed class BouncyCastleGcm : GcmCipher
        {
            private readonly GcmBlockCipher _gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
            private readonly byte[] _final = new byte[64];

            public override GcmImplementation Implementation => GcmImplementation.BouncyCastle;

            public BouncyCastleGcm(bool encrypt, byte[] key, byte[] nonce, int tagBytes)
            {
                _gcm.Init(encrypt, new AeadParameters(new KeyParameter(key), tagBytes * 8, nonce));
            }

            public override int Process(byte[] input, int offset, int count, byte[] output, int outputOffset)
                => _gcm.ProcessBytes(input, offset, count, output, outputOffset);

            public override int FinishEncrypt(byte[] output, int outputOffset, out byte[] tag)
            {
                // GCM appends the tag to the ciphertext; CMS keeps it apart, in the mac field.
                int rest = _gcm.DoFinal(_final, 0) - _gcm.GetMac().Length;
                Buffer.BlockCopy(_final, 0, output, outputOffset, rest);
                tag = _gcm.GetMac();
                return rest;
            }

            public override int FinishDecrypt(byte[] tag, byte[] output, int outputOffset)
            {
                int produced = _gcm.ProcessBytes(tag, 0, tag.Length, output, outputOffset);
                return produced + _gcm.DoFinal(output, outputOffset + produced);
            }
        }

        /// <summary>
        /// GCM from platform parts. Counter mode: AES-ECB of nonce||counter (counter from 2, 32 bits), XORed with the
        /// data. GHASH: for a piece P of ciphertext, AesGcm.Encrypt with empty plaintext and P as associated data gives
        /// T = E(K,J0) xor GHASH_H(P || len(P)); so the piece's own GHASH times H is Z = T xor E(K,J0) xor len·H, and
        /// the whole stream's is the sum of each Z times H to the number of blocks after it (Horner, piece by piece).
        /// The tag is E(K,J0) xor that sum xor (0 || len(C))·H, exactly as GCM defines it. The intermediate T values
        /// never leave this object.
        /// </summary>
        private sealed class SegmentedGcm : GcmCipher
        {
            private const long MaxBlocks = (1L << 32) - 2; // GCM's limit per key and nonce (64 GiB)
            private static readonly Type AesGcmType = Type.GetType("System.Security.Cryptography.AesGcm, System.Security.Cryptography", false)
                ?? Type.GetType("System.Security.Cryptography.AesGcm, System.Security.Cryptography.Algorithms", false);
            private static readonly Lazy<bool> SelfTested = new Lazy<bool>(SelfTest);

            private readonly bool _encrypt;
            private readonly ICryptoTransform _ecb;
            private readonly Aes _aes;
            private readonly IDisposable _gcm;
            private readonly Action<byte[], byte[], byte[], byte[], byte[]> _gcmEncrypt;
            private readonly byte[] _nonce;
            private readonly byte[] _emptyTag = new byte[TagBytes];
            private readonly byte[] _tagScratch = new byte[TagBytes];
            private readonly ulong _ejHi, _ejLo; // E(K, J0)
            private readonly ulong _hHi, _hLo;   // H = E(K, 0)
            private ulong _accHi, _accLo;        // sum of the pieces' Z, Horner
            private long _blocks;                // 16-byte blocks done
            private long _bytes;
            private byte[] _counters = new byte[0];
            private byte[] _keystream = new byte[0];
            private byte[] _piece = new byte[0];
            private bool _done;

            public static bool Available => AesGcmType != null && SelfTested.Value;

            public override GcmImplementation Implementation => GcmImplementation.Platform;

            public SegmentedGcm(bool encrypt, byte[] key, byte[] nonce)
            {
                _encrypt = encrypt;
                _nonce = (byte[])nonce.Clone();
                _aes = Aes.Create();
                _aes.Mode = CipherMode.ECB;
                _aes.Padding = PaddingMode.None;
                _aes.Key = key;
                _ecb = _aes.CreateEncryptor();
                _gcm = NewPlatformGcm(key, out _gcmEncrypt);
                var block = new byte[16];
                var h = new byte[16];
                _ecb.TransformBlock(block, 0, 16, h, 0);
                Load(h, 0, out _hHi, out _hLo);
                Buffer.BlockCopy(_nonce, 0, block, 0, 12);
                block[15] = 1;
                var ej = new byte[16];
                _ecb.TransformBlock(block, 0, 16, ej, 0);
                Load(ej, 0, out _ejHi, out _ejLo);
                Array.Clear(h, 0, 16);
                Array.Clear(ej, 0, 16);
            }

            private static IDisposable NewPlatformGcm(byte[] key, out Action<byte[], byte[], byte[], byte[], byte[]> encrypt)
            {
                var withTagSize = AesGcmType.GetConstructor(new[] { typeof(byte[]), typeof(int) });
                object gcm = withTagSize != null ? withTagSize.Invoke(new object[] { key, TagBytes }) : AesGcmType.GetConstructor(new[] { typeof(byte[]) }).Invoke(new object[] { key });
                var method = AesGcmType.GetMethod("Encrypt", new[] { typeof(byte[]), typeof(byte[]), typeof(byte[]), typeof(byte[]), typeof(byte[]) });
                encrypt = (Action<byte[], byte[], byte[], byte[], byte[]>)Delegate.CreateDelegate(typeof(Action<byte[], byte[], byte[], byte[], byte[]>), gcm, method);
                return (IDisposable)gcm;
            }

            public override int Process(byte[] input, int offset, int count, byte[] output, int outputOffset)
            {
                if (count <= 0)
                {
                    return 0;
                }
                if (_done || (_bytes & 15) != 0)
                {
                    throw new InvalidOperationException("GCM pieces must be multiples of 16 bytes except the last.");
                }
                if (_blocks + (count + 15) / 16 > MaxBlocks)
                {
                    throw new InvalidOperationException("AES-GCM encrypts at most 2^32 - 2 blocks (64 GiB) under one key and nonce.");
                }
                byte[] piece = !_encrypt && offset == 0 && count == input.Length ? input : Piece(count);
                if (_encrypt)
                {
                    Ctr(input, offset, count, piece, 0);
                    Ghash(piece);
                    Buffer.BlockCopy(piece, 0, output, outputOffset, count);
                }
                else
                {
                    if (!ReferenceEquals(piece, input))
                    {
                        Buffer.BlockCopy(input, offset, piece, 0, count);
                    }
                    Ghash(piece);
                    Ctr(piece, 0, count, output, outputOffset);
                }
                _blocks += (count + 15) / 16;
                _bytes += count;
                return count;
            }

            private byte[] Piece(int count)
            {
                if (_piece.Length != count)
                {
                    _piece = new byte[count];
                }
                return _piece;
            }

            /// <summary>Counter mode from the last counter used: keystream = AES-ECB(nonce || ctr), ctr = 2 + block index.</summary>
            private void Ctr(byte[] input, int offset, int count, byte[] output, int outputOffset)
            {
                int blocks = (count + 15) / 16;
                int bytes = blocks * 16;
                if (_counters.Length < bytes)
                {
                    _counters = new byte[bytes];
                    _keystream = new byte[bytes];
                    for (int i = 0; i < bytes; i += 16)
                    {
                        Buffer.BlockCopy(_nonce, 0, _counters, i, 12);
                    }
                }
                uint counter = unchecked((uint)(_blocks + 2));
                var words = MemoryMarshal.Cast<byte, uint>(new Span<byte>(_counters, 0, bytes));
                for (int i = 3; i < words.Length; i += 4, counter++)
                {
                    // The counter's 4 bytes, big-endian, at the end of each 16-byte block.
                    words[i] = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(counter) : counter;
                }
                _ecb.TransformBlock(_counters, 0, bytes, _keystream, 0);
                int whole = count & ~7;
                var ks = MemoryMarshal.Cast<byte, ulong>(new ReadOnlySpan<byte>(_keystream, 0, whole));
                var src = MemoryMarshal.Cast<byte, ulong>(new ReadOnlySpan<byte>(input, offset, whole));
                var dst = MemoryMarshal.Cast<byte, ulong>(new Span<byte>(output, outputOffset, whole));
                for (int i = 0; i < ks.Length; i++)
                {
                    dst[i] = src[i] ^ ks[i];
                }
                for (int i = whole; i < count; i++)
                {
                    output[outputOffset + i] = (byte)(input[offset + i] ^ _keystream[i]);
                }
            }

            /// <summary>Adds a piece of ciphertext to the running GHASH (see the class summary).</summary>
            private void Ghash(byte[] piece)
            {
                _gcmEncrypt(_nonce, Array.Empty<byte>(), Array.Empty<byte>(), _tagScratch, piece);
                Load(_tagScratch, 0, out ulong zHi, out ulong zLo);
                // len block of the piece as associated data: [bits(P)]64 || [0]64
                Multiply((ulong)piece.Length * 8, 0, _hHi, _hLo, out ulong lHi, out ulong lLo);
                zHi ^= _ejHi ^ lHi;
                zLo ^= _ejLo ^ lLo;
                Power(_hHi, _hLo, (piece.Length + 15) / 16, out ulong pHi, out ulong pLo);
                Multiply(_accHi, _accLo, pHi, pLo, out _accHi, out _accLo);
                _accHi ^= zHi;
                _accLo ^= zLo;
                Array.Clear(_tagScratch, 0, TagBytes);
            }

            private byte[] Tag()
            {
                _done = true;
                Multiply(0, (ulong)_bytes * 8, _hHi, _hLo, out ulong lHi, out ulong lLo);
                var tag = new byte[TagBytes];
                Store(_ejHi ^ _accHi ^ lHi, _ejLo ^ _accLo ^ lLo, tag, 0);
                return tag;
            }

            public override int FinishEncrypt(byte[] output, int outputOffset, out byte[] tag)
            {
                tag = Tag();
                return 0;
            }

            public override int FinishDecrypt(byte[] tag, byte[] output, int outputOffset)
            {
                byte[] expected = Tag();
                int diff = expected.Length ^ (tag?.Length ?? 0);
                for (int i = 0; i < expected.Length && tag != null && i < tag.Length; i++)
                {
                    diff |= expected[i] ^ tag[i];
                }
                if (diff != 0)
                {
                    throw new InvalidCipherTextException("mac check in GCM failed");
                }
                return 0;
            }

            // H^n, cached for the common piece size.
            private int _powerN = -1;
            private ulong _powerHi, _powerLo;

            private void Power(ulong hHi, ulong hLo, int n, out ulong rHi, out ulong rLo)
            {
                if (n == _powerN)
                {
                    rHi = _powerHi;
                    rLo = _powerLo;
                    return;
                }
                ulong accHi = 0x8000000000000000UL, accLo = 0; // the field's 1 in GCM's bit order
                ulong bHi = hHi, bLo = hLo;
                for (int e = n; e > 0; e >>= 1)
                {
                    if ((e & 1) != 0)
                    {
                        Multiply(accHi, accLo, bHi, bLo, out accHi, out accLo);
                    }
                    Multiply(bHi, bLo, bHi, bLo, out bHi, out bLo);
                }
                _powerN = n;
                _powerHi = rHi = accHi;
                _powerLo = rLo = accLo;
            }

            /// <summary>Product in GF(2^128) with GCM's bit order (SP 800-38D, algorithm 1).</summary>
            internal static void Multiply(ulong xHi, ulong xLo, ulong yHi, ulong yLo, out ulong zHi, out ulong zLo)
            {
                ulong hi = 0, lo = 0, vHi = yHi, vLo = yLo;
                for (int i = 0; i < 128; i++)
                {
                    ulong bit = i < 64 ? (xHi >> (63 - i)) & 1 : (xLo >> (127 - i)) & 1;
                    ulong mask = 0UL - bit;
                    hi ^= vHi & mask;
                    lo ^= vLo & mask;
                    ulong carry = 0UL - (vLo & 1);
                    vLo = (vLo >> 1) | (vHi << 63);
                    vHi = (vHi >> 1) ^ (0xE100000000000000UL & carry);
                }
                zHi = hi;
                zLo = lo;
            }

            private static void Load(byte[] b, int o, out ulong hi, out ulong lo)
            {
                hi = 0;
                lo = 0;
                for (int i = 0; i < 8; i++)
                {
                    hi = (hi << 8) | b[o + i];
                    lo = (lo << 8) | b[o + 8 + i];
                }
            }

            private static void Store(ulong hi, ulong lo, byte[] b, int o)
            {
                for (int i = 7; i >= 0; i--)
                {
                    b[o + i] = (byte)hi;
                    b[o + 8 + i] = (byte)lo;
                    hi >>= 8;
                    lo >>= 8;
                }
            }

            /// <summary>
            /// Known answers before first use: this implementation must give BouncyCastle's bytes and tag for pieces
            /// of several sizes; otherwise (or without a working AesGcm) BouncyCastle is used.
            /// </summary>
            private static bool SelfTest()
            {
                if (AesGcmType == null)
                {
                    return false;
                }
                try
                {
                    var isSupported = AesGcmType.GetProperty("IsSupported", BindingFlags.Public | BindingFlags.Static);
                    if (isSupported != null && !(bool)isSupported.GetValue(null))
                    {
                        return false;
                    }
                    return KnownAnswers((encrypt, key, nonce) => new SegmentedGcm(encrypt, key, nonce));
                }
                catch (Exception e) when (e is CryptographicException || e is TargetInvocationException || e is PlatformNotSupportedException || e is InvalidCipherTextException
                    || e is MissingMethodException || e is NullReferenceException || e is ArgumentException || e is NotSupportedException || e is TypeLoadException)
                {
                    return false;
                }
            }

            public override void Dispose()
            {
                _ecb.Dispose();
                _aes.Dispose();
                _gcm.Dispose();
                Array.Clear(_keystream, 0, _keystream.Length);
            }
        }
    }
}
