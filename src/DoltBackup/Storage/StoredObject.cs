using System;

namespace DoltBackup.Storage
{
    /// <summary>An object in a backup location, as the service reports it.</summary>
    public sealed class StoredObject
    {
        /// <summary>The key relative to the location.</summary>
        public string Key { get; set; }

        /// <summary>Size in bytes.</summary>
        public long Size { get; set; }

        /// <summary>Last modification time (UTC) as the service reports it.</summary>
        public DateTime? LastModifiedUtc { get; set; }

        /// <summary>Lower-case hex SHA-256 of the content when known (computed by the module while uploading); else null.</summary>
        public string Sha256 { get; set; }

        /// <summary>Lower-case hex MD5 of the content when the service gives one (S3 single-part ETag, Azure Content-MD5); else null.</summary>
        public string ServiceMd5 { get; set; }

        /// <summary>The service's entity tag (lower case, unquoted) where it gives one: changes whenever the object is replaced.</summary>
        public string ETag { get; set; }

        /// <summary>True when the object is stored encrypted (see Encryption/EncryptingBackupLocation).</summary>
        public bool Encrypted { get; set; }

        /// <summary>Lower-case hex SHA-256 of the plaintext of an encrypted object, when it was just written; else null.</summary>
        public string PlaintextSha256 { get; set; }

        /// <summary>Plaintext size of an encrypted object, when it was just written; else null.</summary>
        public long? PlaintextSize { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{Key} ({Size} bytes)";
    }
}
