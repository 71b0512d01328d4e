namespace DoltBackup.Encryption
{
    /// <summary>How a recipient of an encrypted backup set opens it.</summary>
    public enum EncryptionRecipientKind
    {
        /// <summary>An X.509 certificate's RSA key (CMS KeyTransRecipientInfo, RSAES-OAEP with SHA-256).</summary>
        Certificate,

        /// <summary>A passphrase (CMS PasswordRecipientInfo: PBKDF2-HMAC-SHA256, AES-256 key wrap).</summary>
        Passphrase,
    }

    /// <summary>
    /// One recipient of an encrypted backup set, as recorded in the manifest: enough to know which key opens the set,
    /// never the key itself.
    /// </summary>
    public sealed class EncryptionRecipient
    {
        /// <summary>Certificate or passphrase.</summary>
        public EncryptionRecipientKind Kind { get; set; }

        /// <summary>The certificate's subject (certificates only).</summary>
        public string Subject { get; set; }

        /// <summary>The certificate's issuer (certificates only).</summary>
        public string Issuer { get; set; }

        /// <summary>The certificate's serial number, hex (certificates only).</summary>
        public string SerialNumber { get; set; }

        /// <summary>The certificate's SHA-1 thumbprint as Windows shows it (certificates only).</summary>
        public string Thumbprint { get; set; }

        /// <summary>
        /// The certificate's public DER, base64 (certificates only): later writes into the set encrypt to the same
        /// recipients without the user giving the certificate again. Public data; never a private key.
        /// </summary>
        public string Certificate { get; set; }

        /// <summary>The key derivation function (passphrases only): <c>PBKDF2-HMAC-SHA256</c>.</summary>
        public string KeyDerivation { get; set; }

        /// <summary>The KDF's iteration count (passphrases only).</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
        public int Iterations { get; set; }

        /// <inheritdoc />
        public override string ToString() => Kind == EncryptionRecipientKind.Certificate ? "Certificate " + Thumbprint : "Passphrase (" + KeyDerivation + ", " + Iterations + " iterations)";
    }
}
