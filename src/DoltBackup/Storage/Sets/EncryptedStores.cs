using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// The Dolt stores of an encrypted staged set (s3:// or az:// destination, <see cref="BackupEncryption.DoltStoresEncrypted"/>):
    /// every file of each staging store is uploaded through <see cref="EncryptingBackupLocation"/> as CMS
    /// AuthEnvelopedData (<c>&lt;file&gt;.p7m</c>, which <c>openssl cms -decrypt</c> opens), to the set's recipients;
    /// the manifest records each object with its ciphertext and plaintext size and SHA-256
    /// (<see cref="DatabaseBackupItem.StoreFiles"/>). Order: table files, then the other files, each store's `manifest`
    /// last. An object already there is reused only when a manifest of the same recipients
    /// (<see cref="BackupEncryption.StoreKeyId"/>) records it with the same plaintext: shared table files live under
    /// <c>.stores/&lt;database&gt;/&lt;key id&gt;/</c>, so a version with other recipients uploads its own copies and
    /// never replaces one another version names. On the way back every object is checked against its recorded
    /// ciphertext SHA-256 and, with a key, decrypted in a stream into the local store and checked against its plaintext.
    /// </summary>
    public static class EncryptedStores
    {
        private const string StoreManifest = "manifest";

        /// <summary>True for a set whose staged stores are uploaded encrypted.</summary>
        public static bool Applies(BackupManifest manifest)
            => manifest.Encryption?.DoltStoresEncrypted == true && !string.IsNullOrEmpty(manifest.Destination?.ObjectStoreUrl);

        /// <summary>
        /// Publishes a staged set with encrypted stores: under the set's lock, its stores (<see cref="Publish"/>), then
        /// the rest of the set folder with manifest.json last (<see cref="BackupSetTransfer.PublishLocked"/>
        /// under the same lock), so a second writer of the set replaces no store object this one records.
        /// </summary>
        internal static TransferResult PublishSet(BackupManifest manifest, IBackupLocation location, string setKey, IReadOnlyList<string> stores, Action<TransferProgress> progress, CancellationToken cancellationToken, string manifestJson)
        {
            using (BackupSetTransfer.AcquireSetLock(location, setKey, cancellationToken))
            {
                // One listing of the set, under its lock, serves both steps: the stores' objects, and the rest (whose
                // entries the store uploads do not change: the stores are excluded from the second step).
                var setObjects = location.List(BackupSetTransfer.SetPrefix(setKey), cancellationToken);
                var encrypted = Publish(manifest, location, setKey, stores, setObjects, progress, cancellationToken);
                // The store files are now recorded in the manifest: the manifest.json uploaded must name them too.
                string json = manifestJson == null ? null : UploadRecord.JsonAsUploaded(manifest);
                var rest = BackupSetTransfer.PublishLocked(manifest.BackupFolder, location, setKey, progress, cancellationToken,
                    relative => stores.Any(store => relative.StartsWith(store + "/", StringComparison.Ordinal)), json, setObjects);
                rest.Transferred += encrypted.Transferred;
                rest.Bytes += encrypted.Bytes;
                rest.Unchanged += encrypted.Unchanged;
                return rest;
            }
        }

        /// <summary>
        /// Uploads the stores <paramref name="stores"/> (folders relative to the set folder, '/' separated) of
        /// <paramref name="manifest"/>, encrypted, records them in the manifest and writes it (locally): the caller
        /// uploads the rest of the set and manifest.json after this. <paramref name="setObjects"/>: the set's objects, listed under its lock.
        /// </summary>
        internal static TransferResult Publish(BackupManifest manifest, IBackupLocation location, string setKey, IReadOnlyList<string> stores, IReadOnlyList<StoredObject> setObjects,
            Action<TransferProgress> progress, CancellationToken cancellationToken)
        {
            var keys = manifest.SessionEncryptionKeys
                ?? throw new EncryptionException($"The backup set '{manifest.Id}' is encrypted but no key to encrypt to is at hand; no Dolt store was uploaded in plaintext.");
            string keyId = manifest.Encryption.StoreKeyId
                ?? throw new EncryptionException($"The manifest of '{manifest.Id}' records encrypted Dolt stores without their key id; nothing was uploaded.");
            if (SetEncryption.StoreKeyId(keys, StagedStores.PublishTarget(manifest).LocationUrl) != keyId)
            {
                throw new EncryptionException($"The key given is not the one the Dolt stores of '{manifest.Id}' are encrypted to (its recipients: {manifest.Encryption}); give the set's passphrase. Nothing was uploaded.");
            }
            bool sharing = manifest.Destination.SharedStores;
            var previous = new PreviousRecords(manifest, location, setKey, keyId, cancellationToken);
            var encrypting = new EncryptingBackupLocation(location, keys); // not disposed: it would dispose the caller's location
            var result = new TransferResult();
            var plan = new List<(DatabaseBackupItem Db, string Store, string Folder, List<string> Files)>();
            foreach (var db in manifest.Databases)
            {
                string store = StagedStores.RelativeStorePath(manifest, db)?.Replace(Path.DirectorySeparatorChar, '/');
                if (store == null || !stores.Contains(store))
                {
                    continue;
                }
                string folder = Path.Combine(manifest.BackupFolder, store.Replace('/', Path.DirectorySeparatorChar));
                var files = Directory.Exists(folder) ? OrderedStoreFiles(folder) : new List<string>();
                plan.Add((db, store, folder, files));
            }
            long total = plan.Sum(p => p.Files.Sum(f => new FileInfo(f).Length));
            long done = 0;
            foreach (var (db, store, folder, files) in plan)
            {
                string sharedPrefix = StagedStores.SharedFolder + "/" + store + "/" + keyId + "/";
                string storePrefix = ObjectKey.Combine(setKey, store) + "/";
                var there = setObjects.Where(o => o.Key.StartsWith(storePrefix, StringComparison.Ordinal)).Select(EncryptingBackupLocation.AsEncrypted).Where(o => o != null)
                    .Concat(sharing ? encrypting.List(sharedPrefix, cancellationToken).Where(o => o.Encrypted) : Enumerable.Empty<StoredObject>())
                    .ToDictionary(o => o.Key, StringComparer.Ordinal);
                var records = new List<StoreFileRecord>();
                foreach (var file in files)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string name = file.Substring(folder.Length + 1).Replace(Path.DirectorySeparatorChar, '/');
                    string fileName = Path.GetFileName(file);
                    bool immutable = StagedStores.IsTableFileName(fileName);
                    bool shared = sharing && immutable;
                    string obj = shared ? sharedPrefix + fileName : store + "/" + name;
                    string key = shared ? obj : ObjectKey.Combine(setKey, obj);
                    long size = new FileInfo(file).Length;
                    there.TryGetValue(key, out var stored);
                    var record = Reused(previous, obj, shared, file, size, immutable, stored, location, key, cancellationToken, out byte[] read);
                    if (record != null)
                    {
                        result.Unchanged++;
                    }
                    else
                    {
                        progress?.Invoke(new TransferProgress("Uploading", key + EncryptingBackupLocation.Suffix, done, total));
                        StoredObject sent;
                        // A small file the check above read and hashed already goes up from memory (read once).
                        using (var stream = read != null ? (Stream)new MemoryStream(read, writable: false) : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
                        {
                            sent = encrypting.Put(key, stream, cancellationToken);
                        }
                        if (sent.PlaintextSize != size || string.IsNullOrEmpty(sent.Sha256))
                        {
                            throw new StorageException("StorageUploadMismatch", ErrorCategory.WriteError, StorageException.Join(location.DisplayName, key + EncryptingBackupLocation.Suffix),
                                $"'{StorageException.Join(location.DisplayName, key + EncryptingBackupLocation.Suffix)}' was stored from {sent.PlaintextSize} bytes, but '{file}' has {size}: it changed during the upload.", "Run again.");
                        }
                        record = new StoreFileRecord { Size = sent.Size, Sha256 = sent.Sha256, PlaintextSize = size, PlaintextSha256 = sent.PlaintextSha256 };
                        result.Transferred++;
                        result.Bytes += sent.Size;
                    }
                    record.Name = name;
                    record.Object = obj;
                    record.Shared = shared;
                    records.Add(record);
                    done += size;
                }
                db.StoreFiles = records;
            }
            ManifestStore.Write(manifest);
            return result;
        }

        /// <summary>
        /// The record of an object already stored that holds <paramref name="file"/> encrypted to the same recipients, or
        /// null when it must be uploaded. A shared table file there without a record (its version's manifest is gone) is
        /// hashed as stored rather than replaced: other versions may name it. A small mutable file (a store's
        /// `manifest`) that had to be read to be compared comes back in <paramref name="read"/> when it changed, so that
        /// its upload does not read it again.
        /// </summary>
        private static StoreFileRecord Reused(PreviousRecords previous, string obj, bool shared, string file, long size, bool immutable, StoredObject stored, IBackupLocation location, string key,
            CancellationToken cancellationToken, out byte[] read)
        {
            read = null;
            if (stored == null)
            {
                return null;
            }
            var before = previous.Find(obj, shared);
            if (before != null && before.Size == stored.Size && before.PlaintextSize == size)
            {
                if (!immutable)
                {
                    string now;
                    if (size <= ReadWholeUpTo)
                    {
                        read = File.ReadAllBytes(file);
                        now = Sha256Of(new MemoryStream(read, writable: false));
                    }
                    else
                    {
                        now = Sha256OfFile(file);
                    }
                    if (!string.Equals(before.PlaintextSha256, now, StringComparison.OrdinalIgnoreCase))
                    {
                        if (read != null && read.Length != size)
                        {
                            read = null; // it changed since it was measured: the upload reads it again and checks its size
                        }
                        return null;
                    }
                    read = null;
                }
                return new StoreFileRecord { Size = before.Size, Sha256 = before.Sha256, PlaintextSize = before.PlaintextSize, PlaintextSha256 = before.PlaintextSha256 };
            }
            if (!shared)
            {
                return null;
            }
            using (var source = location.OpenRead(key + EncryptingBackupLocation.Suffix, cancellationToken))
            using (var digest = new DigestingReadStream(source))
            {
                digest.CopyTo(Stream.Null, 81920);
                return new StoreFileRecord { Size = digest.BytesRead, Sha256 = digest.Sha256Hex, PlaintextSize = size, PlaintextSha256 = Sha256OfFile(file) };
            }
        }

        /// <summary>The files of a staging store: table files and archives first, then the others, the store's `manifest` files last.</summary>
        private static List<string> OrderedStoreFiles(string folder)
            => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .OrderBy(f => Path.GetFileName(f) == StoreManifest ? 2 : StagedStores.IsTableFileName(Path.GetFileName(f)) ? 0 : 1)
                .ThenBy(f => f, StringComparer.Ordinal).ToList();

        /// <summary>Mutable store files up to this size are read whole when they must be compared (a store's `manifest` is a few hundred bytes).</summary>
        private const int ReadWholeUpTo = 1 << 20;

        private static string Sha256OfFile(string file) => Sha256Of(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920));

        private static string Sha256Of(Stream stream)
        {
            using (stream)
            using (var digest = new DigestingReadStream(stream))
            {
                digest.CopyTo(Stream.Null, 81920);
                return digest.Sha256Hex;
            }
        }

        /// <summary>
        /// What earlier uploads recorded, for the same recipients only: this manifest's own records (an earlier publish of
        /// this set), the set's manifest.json as stored, and for shared table files the other sets' manifests under the
        /// root, newest first, read only as far as needed.
        /// </summary>
        private sealed class PreviousRecords
        {
            private readonly Dictionary<string, StoreFileRecord> _known = new Dictionary<string, StoreFileRecord>(StringComparer.Ordinal);
            private readonly IBackupLocation _location;
            private readonly string _setKey;
            private readonly string _keyId;
            private readonly CancellationToken _cancellationToken;
            private bool _ownRead;
            private Queue<string> _others;

            public PreviousRecords(BackupManifest manifest, IBackupLocation location, string setKey, string keyId, CancellationToken cancellationToken)
            {
                _location = location;
                _setKey = setKey;
                _keyId = keyId;
                _cancellationToken = cancellationToken;
                Add(manifest, ownSet: true);
            }

            public StoreFileRecord Find(string obj, bool shared)
            {
                string id = Id(obj, shared);
                if (_known.TryGetValue(id, out var found))
                {
                    return found;
                }
                if (!_ownRead)
                {
                    _ownRead = true;
                    Read(_setKey, ownSet: true);
                    if (_known.TryGetValue(id, out found))
                    {
                        return found;
                    }
                }
                if (!shared)
                {
                    return null;
                }
                if (_others == null)
                {
                    // The sets under the root, newest first (a -Versioned set's key is its time label).
                    _others = new Queue<string>(_location.List("", _cancellationToken)
                        .Select(o => o.Key).Where(k => k.EndsWith("/" + BackupManifest.FileName, StringComparison.Ordinal) && k.IndexOf('/') == k.Length - BackupManifest.FileName.Length - 1)
                        .Select(k => k.Substring(0, k.IndexOf('/'))).Where(k => k != _setKey).OrderByDescending(k => k, StringComparer.Ordinal));
                }
                while (_others.Count > 0)
                {
                    Read(_others.Dequeue(), ownSet: false, listed: true);
                    if (_known.TryGetValue(id, out found))
                    {
                        return found;
                    }
                }
                return null;
            }

            private static string Id(string obj, bool shared) => (shared ? "S|" : "L|") + obj;

            /// <summary>Adds the records of the set's manifest.json; <paramref name="listed"/>: the listing just showed it (no Stat first).</summary>
            private void Read(string setKey, bool ownSet, bool listed = false)
            {
                if (!listed && _location.Stat(ObjectKey.Combine(setKey, BackupManifest.FileName), _cancellationToken) == null)
                {
                    return;
                }
                BackupManifest stored;
                try
                {
                    stored = RemoteSetCatalog.ReadManifest(_location, setKey, _cancellationToken);
                }
                catch (Exception e) when (e is ManifestSchemaException || e is System.Text.Json.JsonException)
                {
                    return; // an unreadable manifest only costs an upload
                }
                catch (StorageException e) when (listed && e.ErrorId == "StorageObjectNotFound")
                {
                    return; // deleted since the listing
                }
                Add(stored, ownSet);
            }

            private void Add(BackupManifest manifest, bool ownSet)
            {
                if (manifest.Encryption?.StoreKeyId != _keyId)
                {
                    return;
                }
                foreach (var r in manifest.Databases.Where(d => d.StoreFiles != null).SelectMany(d => d.StoreFiles))
                {
                    if ((r.Shared || ownSet) && !string.IsNullOrEmpty(r.Object) && !string.IsNullOrEmpty(r.Sha256))
                    {
                        _known[Id(r.Object, r.Shared)] = r;
                    }
                }
            }
        }

        /// <summary>
        /// For an encrypted staged set fetched into <paramref name="folder"/>: checks every object of the store of
        /// <paramref name="db"/> (at <paramref name="store"/>) against its recorded ciphertext SHA-256 and, with
        /// <paramref name="keys"/>, decrypts it in a stream into the store and checks its plaintext. Objects of the set
        /// came down with it (<c>&lt;object&gt;.p7m</c> in the folder, removed once decrypted); shared table files are
        /// read from <paramref name="sharedRoot"/>. Returns false when no key was given (the store stays encrypted).
        /// Throws StorageObjectMissing / StorageObjectDamaged naming the object, or StoreDecryptionFailed.
        /// </summary>
        internal static bool Open(DatabaseBackupItem db, string store, string folder, string sourceDisplayName, IBackupLocation sharedRoot, EncryptionKeys keys, Action<TransferProgress> progress, CancellationToken cancellationToken)
        {
            foreach (var r in db.StoreFiles)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ObjectKey.Check(r.Name);
                ObjectKey.Check(r.Object);
                string objectKey = r.Object + EncryptingBackupLocation.Suffix;
                string display = StorageException.Join(r.Shared ? sharedRoot?.DisplayName ?? sourceDisplayName : sourceDisplayName, objectKey);
                string fetched = r.Shared ? null : Path.Combine(folder, objectKey.Replace('/', Path.DirectorySeparatorChar));
                Stream source;
                if (fetched != null && File.Exists(fetched))
                {
                    source = new FileStream(fetched, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
                }
                else if (r.Shared && sharedRoot != null && sharedRoot.Stat(objectKey, cancellationToken) != null)
                {
                    progress?.Invoke(new TransferProgress("Downloading", objectKey, 0, r.Size));
                    source = sharedRoot.OpenRead(objectKey, cancellationToken);
                }
                else
                {
                    throw new StorageException("StorageObjectMissing", ErrorCategory.ObjectNotFound, display,
                        $"The manifest records the Dolt store object '{display}' of '{db.Name}', but the set has no such object: the set is damaged.",
                        "Restore from another backup set (Get-DoltBackup lists them), and check what deleted the object.");
                }
                string target = Path.Combine(store, r.Name.Replace('/', Path.DirectorySeparatorChar));
                string part = target + ".part";
                try
                {
                    using (source)
                    using (var cipher = new DigestingReadStream(source))
                    {
                        string plainSha = null;
                        long plainSize = 0;
                        if (keys != null)
                        {
                            Directory.CreateDirectory(Path.GetDirectoryName(target));
                            try
                            {
                                using (var plain = SetEncryption.OpenDecrypting(cipher, keys, objectKey, ownsInput: false))
                                using (var digest = new DigestingReadStream(plain))
                                using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 81920))
                                {
                                    digest.CopyTo(file, 81920);
                                    plainSha = digest.Sha256Hex;
                                    plainSize = digest.BytesRead;
                                }
                            }
                            catch (EncryptionException e)
                            {
                                cipher.CopyTo(Stream.Null, 81920);
                                CheckCiphertext(cipher, r, display);
                                throw new StorageException("StoreDecryptionFailed", ErrorCategory.SecurityError, display,
                                    $"'{display}' could not be decrypted: {e.Message}", "Give -DecryptionCertificate (with its private key) or -Passphrase of a recipient the manifest names; nothing was restored.", e);
                            }
                        }
                        cipher.CopyTo(Stream.Null, 81920);
                        CheckCiphertext(cipher, r, display);
                        if (keys != null && (plainSize != r.PlaintextSize || !string.Equals(plainSha, r.PlaintextSha256, StringComparison.OrdinalIgnoreCase)))
                        {
                            throw Damaged(display, $"decrypted to {plainSize} bytes with SHA-256 {plainSha}, but the manifest records {r.PlaintextSize} bytes with {r.PlaintextSha256}");
                        }
                    }
                    if (keys != null)
                    {
                        File.Delete(target);
                        File.Move(part, target);
                        if (fetched != null)
                        {
                            File.Delete(fetched);
                        }
                    }
                }
                finally
                {
                    if (File.Exists(part))
                    {
                        File.Delete(part);
                    }
                }
            }
            return keys != null;
        }

        private static void CheckCiphertext(DigestingReadStream cipher, StoreFileRecord r, string display)
        {
            if (cipher.BytesRead != r.Size || !string.Equals(cipher.Sha256Hex, r.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw Damaged(display, $"has {cipher.BytesRead} bytes with SHA-256 {cipher.Sha256Hex}, but the manifest records {r.Size} bytes with {r.Sha256}");
            }
        }

        private static StorageException Damaged(string display, string what)
            => new StorageException("StorageObjectDamaged", ErrorCategory.InvalidData, display,
                $"'{display}' {what}: the set is damaged, or the object was replaced by another. Nothing was restored from it.",
                "Restore from another backup set (Get-DoltBackup lists them).");

        /// <summary>
        /// The shared objects (keys under the root, with <c>.p7m</c>) the encrypted stores of the set at
        /// <paramref name="setKey"/> name, read from its manifest.json; none when it has none.
        /// </summary>
        internal static IEnumerable<string> SharedObjectsNamedBy(IBackupLocation root, string setKey, CancellationToken cancellationToken)
        {
            var manifest = RemoteSetCatalog.ReadManifest(root, setKey, cancellationToken); // unreadable: throws, and nothing is deleted
            return manifest.Databases.Where(d => d.StoreFiles != null).SelectMany(d => d.StoreFiles)
                .Where(r => r.Shared && !string.IsNullOrEmpty(r.Object)).Select(r => r.Object + EncryptingBackupLocation.Suffix).ToList();
        }
    }
}
