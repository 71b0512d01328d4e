using System;
using System.Collections.Generic;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// Key-encryption keys derived from a passphrase, kept for one run: PBKDF2 with 600,000 iterations is slow on
    /// purpose, so a set's files share one salt and one derivation when encrypting (every file still gets its own
    /// random content key), and a restore derives each distinct salt once.
    /// </summary>
    internal sealed class PassphraseKeyCache
    {
        private readonly Dictionary<string, byte[]> _derived = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        private DerivedKey _forEncryption;

        /// <summary>A derived key with the parameters that made it.</summary>
        internal sealed class DerivedKey
        {
            public byte[] Salt;
            public int Iterations;
            public byte[] Key;
        }

        /// <summary>The key used for every file this run encrypts with the passphrase of <paramref name="keys"/>.</summary>
        public DerivedKey ForEncryption(EncryptionKeys keys)
        {
            if (_forEncryption == null)
            {
                byte[] salt = new byte[16];
                new SecureRandom().NextBytes(salt);
                _forEncryption = new DerivedKey { Salt = salt, Iterations = keys.Iterations, Key = Derive(keys, salt, keys.Iterations, "SHA256", 32) };
            }
            return _forEncryption;
        }

        /// <summary>The key for decrypting a file made with these parameters.</summary>
        public byte[] ForDecryption(EncryptionKeys keys, byte[] salt, int iterations, string prf, int keyBytes)
        {
            string id = Convert.ToBase64String(salt) + "/" + iterations + "/" + prf + "/" + keyBytes;
            if (!_derived.TryGetValue(id, out var key))
            {
                key = Derive(keys, salt, iterations, prf, keyBytes);
                _derived[id] = key;
            }
            return key;
        }

        internal static byte[] Derive(EncryptionKeys keys, byte[] salt, int iterations, string prf, int keyBytes)
        {
            byte[] password = keys.PassphraseBytes();
            try
            {
                var generator = new Pkcs5S2ParametersGenerator(prf == "SHA1" ? new Sha1Digest() : prf == "SHA512" ? (Org.BouncyCastle.Crypto.IDigest)new Sha512Digest() : new Sha256Digest());
                generator.Init(password, salt, iterations);
                return ((KeyParameter)generator.GenerateDerivedMacParameters(keyBytes * 8)).GetKey();
            }
            finally
            {
                if (password != null) Array.Clear(password, 0, password.Length);
            }
        }
    }
}
