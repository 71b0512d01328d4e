using System;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// An encrypted file could not be opened: no key given fits any of its recipients, it was modified or cut short
    /// (the authentication tag does not match), or it is not a CMS AuthEnvelopedData file. Nothing decrypted from such
    /// a file may be used.
    /// </summary>
    public sealed class EncryptionException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public EncryptionException(string message, Exception inner = null) : base(message, inner) { }
    }
}
