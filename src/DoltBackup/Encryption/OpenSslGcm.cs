using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace DoltBackup.Encryption
{
    internal abstract partial class GcmCipher
    {
        /// <summary>
        /// AES-GCM by OpenSSL's EVP interface (libcrypto 3 or 1.1, through P/Invoke; on Linux and wherever the
        /// loader finds those names): one EVP_CIPHER_CTX for the whole stream, pieces of any length, the tag got or set
        /// at the end. OpenSSL uses the CPU's AES and carry-less multiply (VAES/VPCLMULQDQ where present), several
        /// times faster than the platform pieces of <see cref="SegmentedGcm"/>. Chosen only when the library loads
        /// and a known-answer test against BouncyCastle passes. Decryption releases plaintext as
        /// <see cref="GcmCipher"/> does (unverified until <see cref="FinishDecrypt"/> returns); a wrong tag throws there.
        /// </summary>
        private sealed class OpenSslGcm : GcmCipher
        {
            private const int CtrlGcmSetIvLength = 0x9;
            private const int CtrlGcmGetTag = 0x10;
            private const int CtrlGcmSetTag = 0x11;
            private const long MaxBytes = ((1L << 32) - 2) * 16; // GCM's limit per key and nonce (64 GiB)

            private static readonly Lazy<LibCrypto> Library = new Lazy<LibCrypto>(LibCrypto.Load);
            private static readonly Lazy<bool> SelfTested = new Lazy<bool>(SelfTest);

            private readonly bool _encrypt;
            private readonly LibCrypto _lib;
            private readonly CipherContext _ctx;
            private readonly byte[] _final = new byte[32];
            private long _bytes;
            private bool _done;

            public static bool Available => Library.Value != null && SelfTested.Value;

            public override GcmImplementation Implementation => GcmImplementation.OpenSsl;

            /// <summary>Which libcrypto was loaded (for messages and benchmarks), or null.</summary>
            public static string LibraryName => Library.Value?.Name;

            public OpenSslGcm(bool encrypt, byte[] key, byte[] nonce)
                : this(Library.Value ?? throw new PlatformNotSupportedException("OpenSSL's libcrypto could not be loaded."), encrypt, key, nonce)
            {
            }

            private OpenSslGcm(LibCrypto lib, bool encrypt, byte[] key, byte[] nonce)
            {
                _lib = lib;
                _encrypt = encrypt;
                IntPtr cipher = key.Length == 32 ? lib.Aes256Gcm() : key.Length == 24 ? lib.Aes192Gcm() : key.Length == 16 ? lib.Aes128Gcm() : IntPtr.Zero;
                if (cipher == IntPtr.Zero)
                {
                    throw new CryptographicException($"OpenSSL has no AES-GCM for a {key.Length}-byte key.");
                }
                _ctx = new CipherContext(lib);
                bool ok = false;
                try
                {
                    int enc = encrypt ? 1 : 0;
                    Check(lib.CipherInit(_ctx, cipher, IntPtr.Zero, null, null, enc), "EVP_CipherInit_ex");
                    Check(lib.Ctrl(_ctx, CtrlGcmSetIvLength, nonce.Length, null), "EVP_CTRL_GCM_SET_IVLEN");
                    Check(lib.CipherInit(_ctx, IntPtr.Zero, IntPtr.Zero, key, nonce, enc), "EVP_CipherInit_ex");
                    ok = true;
                }
                finally
                {
                    if (!ok)
                    {
                        _ctx.Dispose();
                    }
                }
            }

            private static void Check(int result, string what)
            {
                if (result != 1)
                {
                    throw new CryptographicException($"OpenSSL {what} failed.");
                }
            }

            public override int Process(byte[] input, int offset, int count, byte[] output, int outputOffset)
            {
                if (count <= 0)
                {
                    return 0;
                }
                if (_done)
                {
                    throw new InvalidOperationException("The GCM stream is finished.");
                }
                if (offset < 0 || count > input.Length - offset || outputOffset < 0 || count > output.Length - outputOffset)
                {
                    throw new ArgumentOutOfRangeException(nameof(count));
                }
                if (_bytes + count > MaxBytes)
                {
                    throw new InvalidOperationException("AES-GCM encrypts at most 2^32 - 2 blocks (64 GiB) under one key and nonce.");
                }
                int written;
                int result = _encrypt
                    ? _lib.EncryptUpdate(_ctx, ref output[outputOffset], out written, ref input[offset], count)
                    : _lib.DecryptUpdate(_ctx, ref output[outputOffset], out written, ref input[offset], count);
                Check(result, _encrypt ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate");
                if (written != count)
                {
                    // GCM is a stream mode: OpenSSL gives every byte back at once. Anything else is not the GCM we tested.
                    throw new CryptographicException($"OpenSSL's GCM returned {written} bytes for {count}.");
                }
                _bytes += count;
                return written;
            }

            public override int FinishEncrypt(byte[] output, int outputOffset, out byte[] tag)
            {
                _done = true;
                Check(_lib.EncryptFinal(_ctx, ref _final[0], out int rest), "EVP_EncryptFinal_ex");
                tag = new byte[TagBytes];
                Check(_lib.Ctrl(_ctx, CtrlGcmGetTag, TagBytes, tag), "EVP_CTRL_GCM_GET_TAG");
                return Copy(rest, output, outputOffset);
            }

            public override int FinishDecrypt(byte[] tag, byte[] output, int outputOffset)
            {
                _done = true;
                if (tag == null || tag.Length != TagBytes)
                {
                    throw new InvalidCipherTextException("mac check in GCM failed");
                }
                var expected = (byte[])tag.Clone();
                Check(_lib.Ctrl(_ctx, CtrlGcmSetTag, TagBytes, expected), "EVP_CTRL_GCM_SET_TAG");
                // EVP_DecryptFinal_ex returns 1 only when the computed tag equals the one set: anything else is a refusal.
                if (_lib.DecryptFinal(_ctx, ref _final[0], out int rest) != 1)
                {
                    throw new InvalidCipherTextException("mac check in GCM failed");
                }
                return Copy(rest, output, outputOffset);
            }

            private int Copy(int rest, byte[] output, int outputOffset)
            {
                if (rest > 0)
                {
                    Buffer.BlockCopy(_final, 0, output, outputOffset, rest);
                }
                return rest;
            }

            public override void Dispose() => _ctx.Dispose();

            /// <summary>Known answers before first use: BouncyCastle's ciphertext and tag, pieces of several sizes; a wrong tag refused.</summary>
            private static bool SelfTest()
            {
                var lib = Library.Value;
                if (lib == null)
                {
                    return false;
                }
                try
                {
                    return KnownAnswers((encrypt, key, nonce) => new OpenSslGcm(lib, encrypt, key, nonce));
                }
                catch (Exception e) when (e is CryptographicException || e is InvalidCipherTextException || e is EntryPointNotFoundException
                    || e is DllNotFoundException || e is BadImageFormatException || e is InvalidOperationException || e is ArgumentException)
                {
                    return false;
                }
            }

            /// <summary>An EVP_CIPHER_CTX, freed once (with the library that made it) when disposed or finalized.</summary>
            private sealed class CipherContext : SafeHandleZeroOrMinusOneIsInvalid
            {
                private readonly LibCrypto _lib;

                public CipherContext(LibCrypto lib)
                    : base(true)
                {
                    _lib = lib;
                    SetHandle(lib.CtxNew());
                    if (IsInvalid)
                    {
                        throw new CryptographicException("OpenSSL EVP_CIPHER_CTX_new failed.");
                    }
                }

                protected override bool ReleaseHandle()
                {
                    _lib.CtxFree(handle);
                    return true;
                }
            }

            /// <summary>The EVP functions of one libcrypto (the names DllImport binds are fixed, so one subclass per library file).</summary>
            private abstract class LibCrypto
            {
                public abstract string Name { get; }
                public abstract IntPtr CtxNew();
                public abstract void CtxFree(IntPtr ctx);
                public abstract IntPtr Aes128Gcm();
                public abstract IntPtr Aes192Gcm();
                public abstract IntPtr Aes256Gcm();
                public abstract int CipherInit(CipherContext ctx, IntPtr cipher, IntPtr engine, byte[] key, byte[] iv, int enc);
                public abstract int Ctrl(CipherContext ctx, int type, int arg, byte[] ptr);
                public abstract int EncryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                public abstract int DecryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                public abstract int EncryptFinal(CipherContext ctx, ref byte output, out int outLength);
                public abstract int DecryptFinal(CipherContext ctx, ref byte output, out int outLength);

                /// <summary>libcrypto.so.3, else libcrypto.so.1.1; null when neither loads (Windows, no OpenSSL).</summary>
                public static LibCrypto Load()
                {
                    foreach (var candidate in new Func<LibCrypto>[] { () => new V3(), () => new V11() })
                    {
                        try
                        {
                            var lib = candidate();
                            if (lib.Aes256Gcm() != IntPtr.Zero)
                            {
                                return lib;
                            }
                        }
                        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException || e is TypeLoadException)
                        {
                        }
                    }
                    return null;
                }

                private sealed class V3 : LibCrypto
                {
                    private const string Lib = "libcrypto.so.3";
                    public override string Name => Lib;
                    public override IntPtr CtxNew() => EVP_CIPHER_CTX_new();
                    public override void CtxFree(IntPtr ctx) => EVP_CIPHER_CTX_free(ctx);
                    public override IntPtr Aes128Gcm() => EVP_aes_128_gcm();
                    public override IntPtr Aes192Gcm() => EVP_aes_192_gcm();
                    public override IntPtr Aes256Gcm() => EVP_aes_256_gcm();
                    public override int CipherInit(CipherContext ctx, IntPtr cipher, IntPtr engine, byte[] key, byte[] iv, int enc) => EVP_CipherInit_ex(ctx, cipher, engine, key, iv, enc);
                    public override int Ctrl(CipherContext ctx, int type, int arg, byte[] ptr) => EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr);
                    public override int EncryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength) => EVP_EncryptUpdate(ctx, ref output, out outLength, ref input, inLength);
                    public override int DecryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength) => EVP_DecryptUpdate(ctx, ref output, out outLength, ref input, inLength);
                    public override int EncryptFinal(CipherContext ctx, ref byte output, out int outLength) => EVP_EncryptFinal_ex(ctx, ref output, out outLength);
                    public override int DecryptFinal(CipherContext ctx, ref byte output, out int outLength) => EVP_DecryptFinal_ex(ctx, ref output, out outLength);

                    [DllImport(Lib)] private static extern IntPtr EVP_CIPHER_CTX_new();
                    [DllImport(Lib)] private static extern void EVP_CIPHER_CTX_free(IntPtr ctx);
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_128_gcm();
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_192_gcm();
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_256_gcm();
                    [DllImport(Lib)] private static extern int EVP_CipherInit_ex(CipherContext ctx, IntPtr cipher, IntPtr engine, byte[] key, byte[] iv, int enc);
                    [DllImport(Lib)] private static extern int EVP_CIPHER_CTX_ctrl(CipherContext ctx, int type, int arg, byte[] ptr);
                    [DllImport(Lib)] private static extern int EVP_EncryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                    [DllImport(Lib)] private static extern int EVP_DecryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                    [DllImport(Lib)] private static extern int EVP_EncryptFinal_ex(CipherContext ctx, ref byte output, out int outLength);
                    [DllImport(Lib)] private static extern int EVP_DecryptFinal_ex(CipherContext ctx, ref byte output, out int outLength);
                }

                private sealed class V11 : LibCrypto
                {
                    private const string Lib = "libcrypto.so.1.1";
                    public override string Name => Lib;
                    public override IntPtr CtxNew() => EVP_CIPHER_CTX_new();
                    public override void CtxFree(IntPtr ctx) => EVP_CIPHER_CTX_free(ctx);
                    public override IntPtr Aes128Gcm() => EVP_aes_128_gcm();
                    public override IntPtr Aes192Gcm() => EVP_aes_192_gcm();
                    public override IntPtr Aes256Gcm() => EVP_aes_256_gcm();
                    public override int CipherInit(CipherContext ctx, IntPtr cipher, IntPtr engine, byte[] key, byte[] iv, int enc) => EVP_CipherInit_ex(ctx, cipher, engine, key, iv, enc);
                    public override int Ctrl(CipherContext ctx, int type, int arg, byte[] ptr) => EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr);
                    public override int EncryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength) => EVP_EncryptUpdate(ctx, ref output, out outLength, ref input, inLength);
                    public override int DecryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength) => EVP_DecryptUpdate(ctx, ref output, out outLength, ref input, inLength);
                    public override int EncryptFinal(CipherContext ctx, ref byte output, out int outLength) => EVP_EncryptFinal_ex(ctx, ref output, out outLength);
                    public override int DecryptFinal(CipherContext ctx, ref byte output, out int outLength) => EVP_DecryptFinal_ex(ctx, ref output, out outLength);

                    [DllImport(Lib)] private static extern IntPtr EVP_CIPHER_CTX_new();
                    [DllImport(Lib)] private static extern void EVP_CIPHER_CTX_free(IntPtr ctx);
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_128_gcm();
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_192_gcm();
                    [DllImport(Lib)] private static extern IntPtr EVP_aes_256_gcm();
                    [DllImport(Lib)] private static extern int EVP_CipherInit_ex(CipherContext ctx, IntPtr cipher, IntPtr engine, byte[] key, byte[] iv, int enc);
                    [DllImport(Lib)] private static extern int EVP_CIPHER_CTX_ctrl(CipherContext ctx, int type, int arg, byte[] ptr);
                    [DllImport(Lib)] private static extern int EVP_EncryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                    [DllImport(Lib)] private static extern int EVP_DecryptUpdate(CipherContext ctx, ref byte output, out int outLength, ref byte input, int inLength);
                    [DllImport(Lib)] private static extern int EVP_EncryptFinal_ex(CipherContext ctx, ref byte output, out int outLength);
                    [DllImport(Lib)] private static extern int EVP_DecryptFinal_ex(CipherContext ctx, ref byte output, out int outLength);
                }
            }
        }
    }
}
