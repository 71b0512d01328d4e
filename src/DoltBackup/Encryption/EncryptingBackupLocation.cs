using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Storage;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// Encrypts everything a backup set stores, whatever the driver under it (local folder, S3, Azure Blob): a
    /// decorator on <see cref="IBackupLocation"/>, so the code that writes manifests, artifacts, archives and Dolt store
    /// files never knows about encryption. Each object is stored as CMS AuthEnvelopedData under its key plus
    /// <see cref="Suffix"/> (<c>grants/grants.sql</c> becomes <c>grants/grants.sql.p7m</c>, which
    /// <c>openssl cms -decrypt</c> opens); reads decrypt in a stream and fail at the end when a byte was changed.
    /// The set's <c>manifest.json</c> files, ownership markers and locks stay plaintext: listing, retention and planning
    /// need them without a key, and they hold no secret.
    /// </summary>
    public sealed class EncryptingBackupLocation : IBackupLocation
    {
        /// <summary>The suffix of an encrypted object's key.</summary>
        public const string Suffix = ".p7m";

        private readonly IBackupLocation _inner;
        private readonly EncryptionKeys _keys;
        private readonly PassphraseKeyCache _cache = new PassphraseKeyCache();

        /// <summary>Wraps <paramref name="inner"/> (disposed with this location).</summary>
        public EncryptingBackupLocation(IBackupLocation inner, EncryptionKeys keys)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        }

        /// <summary>True for keys stored as they are: set manifests and ownership markers.</summary>
        public static bool StaysPlaintext(string key)
        {
            string name = key.Substring(key.LastIndexOf('/') + 1);
            return name == "manifest.json" || name.EndsWith(".doltbackup-owner.json", StringComparison.Ordinal);
        }

        /// <inheritdoc />
        public string DisplayName => _inner.DisplayName;

        /// <inheritdoc />
        public StorageKind Kind => _inner.Kind;

        /// <summary>
        /// Encrypts <paramref name="content"/> to every recipient and stores it under <c>key.p7m</c>. The result carries
        /// the SHA-256 and size of the stored ciphertext (<see cref="StoredObject.Sha256"/>, <see cref="StoredObject.Size"/>)
        /// and of the plaintext (<see cref="StoredObject.PlaintextSha256"/>, <see cref="StoredObject.PlaintextSize"/>).
        /// </summary>
        public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
        {
            if (StaysPlaintext(key))
            {
                return _inner.Put(key, content, cancellationToken);
            }
            using (var encrypting = new CmsEncryptingReadStream(content, _keys, _cache))
            {
                var stored = _inner.Put(key + Suffix, encrypting, cancellationToken);
                stored.Key = key;
                stored.Encrypted = true;
                stored.PlaintextSha256 = encrypting.PlaintextSha256;
                stored.PlaintextSize = encrypting.PlaintextLength;
                return stored;
            }
        }

        /// <summary>
        /// Opens the plaintext of <paramref name="key"/>. The stream throws <see cref="EncryptionException"/> when no key
        /// given opens the object, and at its end when the object was modified or cut short: use what was read only
        /// after the stream ended without an exception.
        /// </summary>
        public Stream OpenRead(string key, CancellationToken cancellationToken)
        {
            if (StaysPlaintext(key))
            {
                return _inner.OpenRead(key, cancellationToken);
            }
            var input = _inner.OpenRead(key + Suffix, cancellationToken);
            try
            {
                return new CmsAuthEnvelopedReader(input, _keys, _cache, key, ownsInput: true);
            }
            catch
            {
                input.Dispose();
                throw;
            }
        }

        /// <summary>The stored object of <paramref name="key"/> (its size is the ciphertext's), or null.</summary>
        public StoredObject Stat(string key, CancellationToken cancellationToken)
        {
            if (StaysPlaintext(key))
            {
                return _inner.Stat(key, cancellationToken);
            }
            var stored = _inner.Stat(key + Suffix, cancellationToken);
            if (stored != null)
            {
                stored.Key = key;
                stored.Encrypted = true;
            }
            return stored;
        }

        /// <summary>Every object under <paramref name="prefix"/>, encrypted ones under their plaintext key.</summary>
        public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
        {
            return _inner.List(prefix, cancellationToken).Select(o => AsEncrypted(o) ?? o).ToList();
        }

        /// <summary>
        /// A listed object of the inner location as this one names it: an encrypted object (<c>&lt;key&gt;.p7m</c>, not a
        /// name that stays plaintext) as a copy under its plaintext key, Encrypted; null for any other object.
        /// </summary>
        internal static StoredObject AsEncrypted(StoredObject o)
        {
            if (!o.Key.EndsWith(Suffix, StringComparison.Ordinal) || StaysPlaintext(o.Key.Substring(0, o.Key.Length - Suffix.Length)))
            {
                return null;
            }
            return new StoredObject
            {
                Key = o.Key.Substring(0, o.Key.Length - Suffix.Length), Size = o.Size, LastModifiedUtc = o.LastModifiedUtc, Sha256 = o.Sha256,
                ServiceMd5 = o.ServiceMd5, ETag = o.ETag, Encrypted = true, PlaintextSha256 = o.PlaintextSha256, PlaintextSize = o.PlaintextSize,
            };
        }

        /// <inheritdoc />
        public void Delete(string key, CancellationToken cancellationToken)
            => _inner.Delete(StaysPlaintext(key) ? key : key + Suffix, cancellationToken);

        /// <inheritdoc />
        public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken)
            => _inner.TryAcquireLock(key, staleAfter, cancellationToken);

        /// <inheritdoc />
        public void Dispose() => _inner.Dispose();
    }
}
