using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using DoltBackup.Common;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Encryption
{
    /// <summary>
    /// The one seam between a backup set and its encryption: which keys a set's writes and reads use (the recipients
    /// recorded in the manifest, the passphrase given again), and writing one file of the set straight into its
    /// encrypted <c>.p7m</c> form, so no plaintext copy ever reaches the disk.
    /// </summary>
    public static class SetEncryption
    {
        /// <summary>What a restore or a write needs when a set has no key at hand.</summary>
        public const string KeyRequiredErrorId = "EncryptionKeyRequired";

        /// <summary>Why Dolt's own stores are not encrypted, and what protects them instead.</summary>
        public const string DoltStoresNote =
            "Dolt writes the set's Dolt stores itself (dolt_backup sync / push); DoltBackup cannot encrypt them. Protect them with the storage's own encryption: S3 SSE-KMS, GCS CMEK, Azure Storage encryption, or disk encryption (BitLocker, LUKS) for file:// stores.";

        /// <summary>The keys for a new set from the recipients the user gave, or null when none was given.</summary>
        public static EncryptionKeys FromParameters(X509Certificate2[] certificates, SecureString passphrase)
        {
            bool any = (certificates != null && certificates.Any(c => c != null)) || (passphrase != null && passphrase.Length > 0);
            return any ? new EncryptionKeys(certificates, passphrase) : null;
        }

        /// <summary>
        /// Records the recipients of <paramref name="keys"/> in the manifest and keeps the keys for this session.
        /// <paramref name="hasDoltStores"/>: the set has Dolt stores (Dolt-written ones are recorded as not encrypted, with the
        /// note); <paramref name="stagedStoresRoot"/>: the backup root URL of a set whose stores DoltBackup stages and
        /// uploads itself, encrypted to the same recipients (see <see cref="StoreKeyId"/>).
        /// </summary>
        public static void Record(BackupManifest manifest, EncryptionKeys keys, bool hasDoltStores, string stagedStoresRoot = null)
        {
            manifest.Encryption = new BackupEncryption
            {
                Recipients = keys.Describe(),
                DoltStoresEncrypted = stagedStoresRoot != null,
                DoltStoresNote = hasDoltStores && stagedStoresRoot == null ? DoltStoresNote : null,
                StoreKeyId = stagedStoresRoot != null ? StoreKeyId(keys, stagedStoresRoot) : null,
            };
            manifest.SessionEncryptionKeys = keys;
        }

        /// <summary>
        /// The identity of a set of recipients, for the shared encrypted table files of a backup root (16 hex digits of a
        /// SHA-256): the SHA-256 of each certificate, and for a passphrase a PBKDF2-HMAC-SHA256 of it salted with the root
        /// URL (as many iterations as the files use, so it tells an attacker no more than any encrypted file does). Two
        /// versions share a stored table file only when their identities match: every recipient of each can open it.
        /// </summary>
        public static string StoreKeyId(EncryptionKeys keys, string rootUrl)
        {
            // PBKDF2 is slow on purpose: once per keys and root (New-DoltBackup | Sync-DoltBackup derives it once).
            var known = StoreKeyIds.GetValue(keys, _ => new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal));
            return known.GetOrAdd(rootUrl.TrimEnd('/'), root => ComputeStoreKeyId(keys, root));
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EncryptionKeys, System.Collections.Concurrent.ConcurrentDictionary<string, string>> StoreKeyIds =
            new System.Runtime.CompilerServices.ConditionalWeakTable<EncryptionKeys, System.Collections.Concurrent.ConcurrentDictionary<string, string>>();

        private static string ComputeStoreKeyId(EncryptionKeys keys, string rootUrl)
        {
            var parts = keys.Certificates.Select(c => "cert:" + Capture.HashedCopy.ToHex(Sha256Of(c.RawData))).OrderBy(p => p, StringComparer.Ordinal).ToList();
            if (keys.Passphrase != null && keys.Passphrase.Length > 0)
            {
                byte[] salt = System.Text.Encoding.UTF8.GetBytes("DoltBackup store key id|" + rootUrl.TrimEnd('/'));
                parts.Add("passphrase:" + keys.Iterations + ":" + Capture.HashedCopy.ToHex(PassphraseKeyCache.Derive(keys, salt, keys.Iterations, "SHA256", 32)));
            }
            return Capture.HashedCopy.ToHex(Sha256Of(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", parts)))).Substring(0, 16);
        }

        private static byte[] Sha256Of(byte[] data)
        {
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                return sha.ComputeHash(data);
            }
        }

        /// <summary>
        /// The keys a write into an encrypted set uses: the session's, or the recorded certificates plus
        /// <paramref name="passphrase"/>. Null for a set that is not encrypted. A set with a passphrase recipient and no
        /// passphrase at hand gets an <see cref="EncryptionException"/> (nothing is written in plaintext).
        /// </summary>
        public static EncryptionKeys ForWriting(BackupManifest manifest, SecureString passphrase)
        {
            if (manifest?.Encryption == null)
            {
                return null;
            }
            bool needsPassphrase = manifest.Encryption.Recipients.Any(r => r.Kind == EncryptionRecipientKind.Passphrase);
            if (passphrase != null && passphrase.Length > 0 && !needsPassphrase)
            {
                throw new EncryptionException($"The backup set '{manifest.Id}' has no passphrase recipient (its recipients: {manifest.Encryption}); a passphrase given now would not open it. Leave out -EncryptionPassphrase.");
            }
            if ((passphrase == null || passphrase.Length == 0) && manifest.SessionEncryptionKeys != null)
            {
                return manifest.SessionEncryptionKeys;
            }
            if (needsPassphrase && (passphrase == null || passphrase.Length == 0))
            {
                throw new EncryptionException($"The backup set '{manifest.Id}' is encrypted to a passphrase: give it again with -EncryptionPassphrase (Read-Host -AsSecureString) to write into the set.");
            }
            var certificates = manifest.Encryption.Recipients
                .Where(r => r.Kind == EncryptionRecipientKind.Certificate)
                .Select(r =>
                {
                    if (string.IsNullOrEmpty(r.Certificate))
                    {
                        throw new EncryptionException($"The manifest of '{manifest.Id}' records the certificate {r.Thumbprint} without its public key; DoltBackup cannot encrypt to it.");
                    }
                    return new X509Certificate2(Convert.FromBase64String(r.Certificate));
                }).ToList();
            var keys = new EncryptionKeys(certificates, needsPassphrase ? passphrase : null);
            if (needsPassphrase)
            {
                EnsurePassphraseOpensTheSet(manifest, keys);
            }
            manifest.SessionEncryptionKeys = keys;
            return keys;
        }

        /// <summary>
        /// A passphrase given again must be the set's: files encrypted with another one would not open with the first.
        /// The set's first stored encrypted file is opened with the passphrase alone (the key unwrap checks it); a set with
        /// no such file yet has nothing to compare with.
        /// </summary>
        private static void EnsurePassphraseOpensTheSet(BackupManifest manifest, EncryptionKeys keys)
        {
            if (string.IsNullOrEmpty(manifest.BackupFolder) || !Directory.Exists(manifest.BackupFolder))
            {
                return;
            }
            var existing = manifest.Artifacts
                .Where(a => a.Encrypted && a.Archive == null && a.Status == ItemStatus.Completed && !string.IsNullOrEmpty(a.StoredPath) && a.StoredPath.IndexOf("..", StringComparison.Ordinal) < 0)
                .Select(a => Path.Combine(manifest.BackupFolder, a.StoredPath.Replace('/', Path.DirectorySeparatorChar)))
                .FirstOrDefault(File.Exists);
            if (existing == null)
            {
                return;
            }
            var passphraseOnly = new EncryptionKeys(null, keys.Passphrase, keys.Iterations);
            try
            {
                using (var file = File.OpenRead(existing))
                using (new CmsAuthEnvelopedReader(file, passphraseOnly, CacheFor(keys), Path.GetFileName(existing)))
                {
                }
            }
            catch (EncryptionException)
            {
                throw new EncryptionException($"The passphrase given does not open the files already in the backup set '{manifest.Id}'; give the set's passphrase (nothing was written).");
            }
        }

        /// <summary>
        /// The keys that open an encrypted set's files for reading, or null for a set that is not encrypted. Without a
        /// key that fits a recorded recipient: an <see cref="EncryptionException"/> naming the recipients it needs.
        /// </summary>
        public static EncryptionKeys ForReading(BackupManifest manifest, X509Certificate2[] certificates, SecureString passphrase)
        {
            if (manifest?.Encryption == null)
            {
                return null;
            }
            var given = (certificates ?? new X509Certificate2[0]).Where(c => c != null).ToList();
            bool passphraseGiven = passphrase != null && passphrase.Length > 0;
            if (given.Count == 0 && !passphraseGiven)
            {
                if (manifest.SessionEncryptionKeys != null && manifest.SessionEncryptionKeys.Certificates.Any(c => c.HasPrivateKey) || manifest.SessionEncryptionKeys?.Passphrase != null)
                {
                    return manifest.SessionEncryptionKeys;
                }
                throw new EncryptionException($"The backup set '{manifest.Id}' is encrypted. Give a key that opens it: {NeededKeys(manifest)}.");
            }
            var missingPrivate = given.Where(c => !c.HasPrivateKey).ToList();
            if (missingPrivate.Count == given.Count && !passphraseGiven)
            {
                throw new EncryptionException($"The certificate(s) {string.Join(", ", missingPrivate.Select(c => c.Thumbprint))} have no private key; decrypting needs the private key (a .pfx, or a store certificate with its key).");
            }
            return new EncryptionKeys(given.Where(c => c.HasPrivateKey), passphraseGiven ? passphrase : null);
        }

        /// <summary>The recipients of an encrypted set as a user reads them: thumbprints and subjects, or the passphrase.</summary>
        public static string NeededKeys(BackupManifest manifest)
        {
            var parts = manifest.Encryption.Recipients.Select(r => r.Kind == EncryptionRecipientKind.Certificate
                ? $"-DecryptionCertificate with the private key of {r.Thumbprint} ({r.Subject})"
                : "-Passphrase with the set's passphrase");
            return string.Join(", or ", parts);
        }

        /// <summary>The stored size and SHA-256 of an encrypted file, and of its plaintext.</summary>
        public sealed class Outcome
        {
            /// <summary>Bytes stored (ciphertext).</summary>
            public long Size { get; set; }
            /// <summary>SHA-256 of the stored bytes.</summary>
            public string Sha256 { get; set; }
            /// <summary>Plaintext bytes.</summary>
            public long PlaintextSize { get; set; }
            /// <summary>SHA-256 of the plaintext.</summary>
            public string PlaintextSha256 { get; set; }

            /// <summary>Fills the artifact's stored and plaintext fields.</summary>
            public void ApplyTo(BackupArtifact artifact)
            {
                artifact.Encrypted = true;
                artifact.Size = Size;
                artifact.Sha256 = Sha256;
                artifact.PlaintextSize = PlaintextSize;
                artifact.PlaintextSha256 = PlaintextSha256;
            }
        }

        /// <summary>
        /// Stores one file of the set at <paramref name="storedPath"/> under <paramref name="backupFolder"/> and fills the
        /// artifact's stored path, size and hashes: as it is for a set that is not encrypted, and for an encrypted set
        /// straight into <c>storedPath.p7m</c> through the encryptor (owner-only), so no plaintext reaches the disk.
        /// </summary>
        public static void StoreArtifact(BackupManifest manifest, Stream input, string backupFolder, string storedPath, bool ownerOnly, BackupArtifact artifact)
        {
            if (manifest.Encryption == null)
            {
                var plain = Capture.HashedCopy.CopyStream(input, Path.Combine(backupFolder, storedPath.Replace('/', Path.DirectorySeparatorChar)), ownerOnly, null, null);
                artifact.StoredPath = storedPath;
                artifact.Size = plain.Size;
                artifact.Sha256 = plain.Sha256;
                return;
            }
            var keys = manifest.SessionEncryptionKeys
                ?? throw new EncryptionException($"The backup set '{manifest.Id}' is encrypted but no key to encrypt to is at hand; nothing was written in plaintext.");
            string encrypted = storedPath + manifest.Encryption.FileSuffix;
            var outcome = WriteFile(input, Path.Combine(backupFolder, encrypted.Replace('/', Path.DirectorySeparatorChar)), keys);
            artifact.StoredPath = encrypted;
            outcome.ApplyTo(artifact);
        }

        /// <summary>
        /// Encrypts <paramref name="input"/> into <paramref name="target"/> (which should end in <c>.p7m</c>): the
        /// plaintext passes once through the encryptor into an owner-only temp file beside the target, which is flushed
        /// and renamed over it. Nothing of the plaintext is written to disk.
        /// </summary>
        public static Outcome WriteFile(Stream input, string target, EncryptionKeys keys)
        {
            string full = Path.GetFullPath(target);
            string dir = Path.GetDirectoryName(full);
            Directory.CreateDirectory(dir);
            string temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                Outcome outcome;
                using (var file = OwnerOnlyFile.Create(temp, ownerOnly: true))
                {
                    outcome = Encrypt(input, file, keys);
                    file.Flush(true);
                }
                AtomicFile.Replace(temp, full);
                return outcome;
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }

        /// <summary>
        /// Encrypts <paramref name="input"/> onto <paramref name="output"/> (left open), hashing both sides. Beyond
        /// 1 MiB the hashes, AES-GCM and the write run on threads of their own.
        /// </summary>
        public static Outcome Encrypt(Stream input, Stream output, EncryptionKeys keys)
        {
            using (var writer = new CmsAuthEnvelopedWriter(output, keys, CacheFor(keys), threaded: true, hashPlaintext: true, hashCiphertext: true))
            {
                var buffer = new byte[CmsAuthEnvelopedWriter.BlockBytes];
                int n;
                try
                {
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        writer.Write(buffer, 0, n);
                    }
                }
                catch
                {
                    writer.Abort();
                    throw;
                }
                writer.Finish();
                return new Outcome { Size = writer.CiphertextLength, Sha256 = writer.CiphertextSha256, PlaintextSize = writer.PlaintextLength, PlaintextSha256 = writer.PlaintextSha256 };
            }
        }

        /// <summary>
        /// An archive being encrypted while it is written: write the plaintext, then <see cref="Finish"/> (or dispose
        /// to abandon it). AES-GCM, the ciphertext hash, the writes to the output (and the plaintext hash, when asked)
        /// run on threads of their own; the output is a plain stream (a file, an upload), written in order from one
        /// thread at a time.
        /// </summary>
        public sealed class ArchiveEncryptor : IDisposable
        {
            private readonly CmsAuthEnvelopedWriter _writer;

            internal ArchiveEncryptor(Stream output, EncryptionKeys keys, bool hashPlaintext)
            {
                _writer = new CmsAuthEnvelopedWriter(output, keys, CacheFor(keys), threaded: true, hashPlaintext: hashPlaintext, hashCiphertext: true);
            }

            /// <summary>Where the archive's plaintext goes (hashed on the way when started with hashPlaintext).</summary>
            public Stream Plaintext => _writer;

            /// <summary>Plaintext bytes (after <see cref="Finish"/>).</summary>
            public long PlaintextSize { get; private set; }

            /// <summary>SHA-256 of the plaintext (after <see cref="Finish"/>; null unless it was started with hashPlaintext).</summary>
            public string PlaintextSha256 { get; private set; }

            /// <summary>Bytes written to the output (after <see cref="Finish"/>).</summary>
            public long CiphertextSize { get; private set; }

            /// <summary>SHA-256 of the bytes written to the output (after <see cref="Finish"/>).</summary>
            public string CiphertextSha256 { get; private set; }

            /// <summary>Writes the authentication tag and the end of the CMS structure; the output stays open.</summary>
            public void Finish()
            {
                _writer.Finish();
                PlaintextSize = _writer.PlaintextLength;
                PlaintextSha256 = _writer.PlaintextSha256;
                CiphertextSize = _writer.CiphertextLength;
                CiphertextSha256 = _writer.CiphertextSha256;
                _writer.Dispose();
            }

            /// <summary>Abandons an unfinished archive (after a failure): stops the worker threads and waits for them.</summary>
            public void Dispose()
            {
                _writer.Abort();
                _writer.Dispose();
            }
        }

        /// <summary>
        /// Starts encrypting an archive onto <paramref name="output"/> (left open). The ciphertext is always hashed (what
        /// is stored, checked without a key); the plaintext only with <paramref name="hashPlaintext"/>
        /// (<see cref="FileCopy.FileCopyOptions.HashArchive"/>): stored bytes with the recorded SHA-256 whose tag verifies
        /// can only decrypt to what was written, and every file in the archive has its own SHA-256.
        /// </summary>
        public static ArchiveEncryptor StartArchive(Stream output, EncryptionKeys keys, bool hashPlaintext) => new ArchiveEncryptor(output, keys, hashPlaintext);

        /// <summary>
        /// Opens the plaintext of an encrypted file: the returned stream throws <see cref="EncryptionException"/> on a
        /// wrong key, and at its end on a modified, cut or swapped file. Use what it gave only after it ended.
        /// </summary>
        public static Stream OpenDecrypting(Stream ciphertext, EncryptionKeys keys, string name, bool ownsInput = true)
            => new CmsAuthEnvelopedReader(ciphertext, keys, CacheFor(keys), name, ownsInput);

        /// <summary>
        /// Opens a large encrypted file (an archive, a tree file) to be read to its end: reading the ciphertext and AES-GCM
        /// run on a thread of their own, the plaintext SHA-256 (when asked) on another, blocks of 1 MiB, at most 6 in flight. Errors are the
        /// same as <see cref="OpenDecrypting"/>'s, thrown by the read that meets them.
        /// </summary>
        internal static CmsAuthEnvelopedReader OpenDecryptingLarge(Stream ciphertext, EncryptionKeys keys, string name, bool ownsInput = true, bool hashPlaintext = true)
            => new CmsAuthEnvelopedReader(ciphertext, keys, CacheFor(keys), name, ownsInput, threaded: true, hashPlaintext: hashPlaintext);

        /// <summary>
        /// Decrypts a whole small stored file (configuration, grants) and checks its plaintext size and SHA-256 against
        /// the artifact; throws <see cref="EncryptionException"/> when anything does not match.
        /// </summary>
        public static byte[] DecryptVerified(byte[] ciphertext, BackupArtifact artifact, EncryptionKeys keys)
        {
            byte[] plain;
            using (var reader = OpenDecrypting(new MemoryStream(ciphertext, writable: false), keys, artifact.StoredPath))
            using (var buffer = new MemoryStream())
            {
                reader.CopyTo(buffer);
                plain = buffer.ToArray();
            }
            var sha = new Sha256Hasher();
            sha.Append(plain, 0, plain.Length);
            string hex = sha.FinishHex();
            if (!string.Equals(hex, artifact.PlaintextSha256, StringComparison.OrdinalIgnoreCase) || (artifact.PlaintextSize.HasValue && artifact.PlaintextSize.Value != plain.LongLength))
            {
                Array.Clear(plain, 0, plain.Length);
                throw new EncryptionException($"'{artifact.StoredPath}' decrypted to content with SHA-256 {hex}, not the manifest's {artifact.PlaintextSha256 ?? "(none)"}: it belongs to another set or was replaced. It was not used.");
            }
            return plain;
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<EncryptionKeys, PassphraseKeyCache> Caches =
            new System.Runtime.CompilerServices.ConditionalWeakTable<EncryptionKeys, PassphraseKeyCache>();

        private static PassphraseKeyCache CacheFor(EncryptionKeys keys) => Caches.GetValue(keys, _ => new PassphraseKeyCache());
    }
}
