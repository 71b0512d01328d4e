using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// The keys of one backup set: certificates (public key to encrypt; private key to decrypt) and an optional
    /// passphrase. One object serves both directions; it never serializes and never prints a secret.
    /// </summary>
    public sealed class EncryptionKeys
    {
        /// <summary>PBKDF2-HMAC-SHA256 iterations for a passphrase (OWASP's current recommendation).</summary>
        public const int DefaultIterations = 600000;

        /// <summary>Creates the keys.</summary>
        public EncryptionKeys(IEnumerable<X509Certificate2> certificates, SecureString passphrase, int iterations = DefaultIterations)
        {
            Certificates = (certificates ?? Enumerable.Empty<X509Certificate2>()).Where(c => c != null).ToList();
            Passphrase = passphrase;
            Iterations = iterations;
            if (Certificates.Count == 0 && (passphrase == null || passphrase.Length == 0))
            {
                throw new ArgumentException("Give at least one certificate or a non-empty passphrase.");
            }
            foreach (var certificate in Certificates)
            {
                using (var rsa = certificate.GetRSAPublicKey())
                {
                    if (rsa == null)
                    {
                        throw new ArgumentException(
                            $"The certificate '{certificate.Subject}' ({certificate.Thumbprint}) has no RSA key. DoltBackup encrypts to RSA certificates (2048 bits or more).");
                    }
                    if (rsa.KeySize < 2048)
                    {
                        throw new ArgumentException(
                            $"The certificate '{certificate.Subject}' ({certificate.Thumbprint}) has a {rsa.KeySize}-bit RSA key; use 2048 bits or more.");
                    }
                }
            }
        }

        /// <summary>The recipient certificates.</summary>
        public IReadOnlyList<X509Certificate2> Certificates { get; }

        /// <summary>The passphrase, or null.</summary>
        public SecureString Passphrase { get; }

        /// <summary>PBKDF2 iterations used when encrypting with the passphrase.</summary>
        public int Iterations { get; }

        /// <summary>The recipients as the manifest records them.</summary>
        public List<EncryptionRecipient> Describe()
        {
            var list = Certificates.Select(c => new EncryptionRecipient
            {
                Kind = EncryptionRecipientKind.Certificate,
                Subject = c.Subject,
                Issuer = c.Issuer,
                SerialNumber = c.SerialNumber,
                Thumbprint = c.Thumbprint,
                Certificate = Convert.ToBase64String(c.RawData),
            }).ToList();
            if (Passphrase != null && Passphrase.Length > 0)
            {
                list.Add(new EncryptionRecipient { Kind = EncryptionRecipientKind.Passphrase, KeyDerivation = "PBKDF2-HMAC-SHA256", Iterations = Iterations });
            }
            return list;
        }

        /// <summary>The passphrase as UTF-8 bytes (the caller clears them), or null.</summary>
        internal byte[] PassphraseBytes()
        {
            if (Passphrase == null || Passphrase.Length == 0)
            {
                return null;
            }
            IntPtr ptr = IntPtr.Zero;
            char[] chars = new char[Passphrase.Length];
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(Passphrase);
                Marshal.Copy(ptr, chars, 0, chars.Length);
                return System.Text.Encoding.UTF8.GetBytes(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
                if (ptr != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(ptr);
                }
            }
        }
    }
}
