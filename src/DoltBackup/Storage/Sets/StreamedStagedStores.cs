using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// Test-DoltBackup on a staged set in an object store (see <see cref="StagedStores"/>): each database's Dolt store is
    /// verified from its objects as they stream by, with the checks and verdicts of a folder (<see cref="NbsStoreVerifier"/>),
    /// nothing downloaded to disk. Table files of -Versioned sets are found where the set's store manifest says, in
    /// the backup root's <c>.stores/&lt;database&gt;/</c>. An encrypted store (<see cref="EncryptedStores"/>) is decrypted
    /// in the stream with the key given; without one, each object is checked against its recorded ciphertext SHA-256.
    /// </summary>
    internal sealed class StreamedStagedStores
    {
        private const string StoreManifest = "manifest";
        private readonly IBackupLocation _set;
        private readonly string _setPrefix;
        private readonly IReadOnlyDictionary<string, long> _setSizes;
        private readonly IBackupLocation _sharedRoot;
        private readonly Dictionary<string, Dictionary<string, long>> _sharedListings = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);

        /// <param name="set">The set's location; <paramref name="setPrefix"/> its key prefix there ("" or "&lt;key&gt;/").</param>
        /// <param name="setSizes">The set's objects (relative to the prefix) and their sizes, from one listing.</param>
        /// <param name="sharedRoot">The backup root holding <c>.stores/</c>, for a set with shared stores (else null).</param>
        public StreamedStagedStores(IBackupLocation set, string setPrefix, IReadOnlyDictionary<string, long> setSizes, IBackupLocation sharedRoot)
        {
            _set = set;
            _setPrefix = setPrefix;
            _setSizes = setSizes;
            _sharedRoot = sharedRoot;
        }

        /// <summary>True for a set whose stores were staged and uploaded by the module.</summary>
        public static bool Applies(BackupManifest manifest) => !string.IsNullOrEmpty(manifest.Destination?.ObjectStoreUrl);

        /// <summary>Verifies the store of <paramref name="db"/>; false when it is not a staged store of the set (checked as before).</summary>
        public bool Verify(BackupManifest manifest, DatabaseBackupItem db, VerificationOptions options, Action<VerificationResult> emit)
        {
            string relative = Applies(manifest) ? StagedStores.RelativeStorePath(manifest, db) : null;
            if (relative == null)
            {
                return false;
            }
            string store = relative.Replace(Path.DirectorySeparatorChar, '/');
            if (EncryptedStores.Applies(manifest) && db.StoreFiles != null)
            {
                var keys = KeysFor(manifest, options);
                if (keys == null)
                {
                    CheckCiphertexts(db, options, emit);
                    return true;
                }
                NbsStoreVerifier.Verify(new StreamedStoreGeneration(new EncryptedObjects(this, db, keys, store, ""), options), db.Name, options, emit);
                return true;
            }
            var shared = manifest.Destination.SharedStores ? SharedListing(SharedPrefix(store), options.CancellationToken) : null;
            NbsStoreVerifier.Verify(new StreamedStoreGeneration(new PlainObjects(this, store, "", shared), options), db.Name, options, emit);
            return true;
        }

        private static string SharedPrefix(string store) => StagedStores.SharedFolder + "/" + store + "/";

        private static EncryptionKeys KeysFor(BackupManifest manifest, VerificationOptions options)
        {
            bool keyGiven = (options.DecryptionCertificates != null && options.DecryptionCertificates.Any(c => c != null)) || (options.Passphrase != null && options.Passphrase.Length > 0);
            try
            {
                return keyGiven ? SetEncryption.ForReading(manifest, options.DecryptionCertificates, options.Passphrase) : null;
            }
            catch (EncryptionException)
            {
                return null; // reported once, as Encryption.Key, by the artifact checks
            }
        }

        /// <summary>The shared objects under <paramref name="prefix"/> of the backup root (listed once); empty without a root.</summary>
        private Dictionary<string, long> SharedListing(string prefix, CancellationToken cancellationToken)
        {
            if (!_sharedListings.TryGetValue(prefix, out var listing))
            {
                listing = _sharedRoot == null ? new Dictionary<string, long>(StringComparer.Ordinal)
                    : _sharedRoot.List(prefix, cancellationToken).ToDictionary(o => o.Key, o => o.Size, StringComparer.Ordinal);
                _sharedListings[prefix] = listing;
            }
            return listing;
        }

        /// <summary>Where an encrypted store object is: its location, key and listed size (null when it is not there).</summary>
        private (IBackupLocation Location, string Key, long? Size, string Display) Locate(StoreFileRecord r, CancellationToken cancellationToken)
        {
            string objectKey = r.Object + EncryptingBackupLocation.Suffix;
            if (r.Shared)
            {
                int slash = r.Object.LastIndexOf('/');
                var listing = SharedListing(slash < 0 ? "" : r.Object.Substring(0, slash + 1), cancellationToken);
                string display = StorageException.Join((_sharedRoot ?? _set).DisplayName, objectKey);
                return (_sharedRoot, objectKey, listing.TryGetValue(objectKey, out long shared) ? shared : (long?)null, display);
            }
            return (_set, _setPrefix + objectKey, _setSizes.TryGetValue(objectKey, out long size) ? size : (long?)null, StorageException.Join(_set.DisplayName, _setPrefix + objectKey));
        }

        /// <summary>Without a key: every object of the store streamed and matched with its recorded ciphertext size and SHA-256.</summary>
        private void CheckCiphertexts(DatabaseBackupItem db, VerificationOptions options, Action<VerificationResult> emit)
        {
            int failed = 0;
            foreach (var r in db.StoreFiles)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                ObjectKey.Check(r.Object);
                var (location, key, size, display) = Locate(r, options.CancellationToken);
                if (size == null)
                {
                    failed++;
                    emit(new VerificationResult(db.Name, "Store.FilePresent", VerificationStatus.Failed,
                        $"The manifest records the Dolt store object '{display}' ({r.Name}), but the set has no such object.", VerificationLevel.Structure, display));
                    continue;
                }
                options.Report("Checking the encrypted store", display, 0, r.Size);
                string problem;
                try
                {
                    using (var source = location.OpenRead(key, options.CancellationToken))
                    using (var cipher = new DigestingReadStream(source))
                    {
                        cipher.CopyTo(Stream.Null, 1 << 16);
                        problem = CiphertextProblem(cipher, r);
                    }
                }
                catch (StorageException e)
                {
                    problem = e.Message;
                }
                if (problem != null)
                {
                    failed++;
                    emit(new VerificationResult(db.Name, "Store.FileSha256", VerificationStatus.Failed, $"{r.Name}: '{display}' {problem}.", VerificationLevel.Structure, display));
                }
            }
            emit(new VerificationResult(db.Name, "Store.Structure", VerificationStatus.Skipped, failed == 0
                    ? $"The Dolt store is encrypted and no key was given: its {db.StoreFiles.Count} objects matched their recorded ciphertext SHA-256, its content was not checked. Give -DecryptionCertificate (with its private key) or -Passphrase."
                    : $"The Dolt store is encrypted and no key was given: {failed} of its {db.StoreFiles.Count} objects failed their check (above), its content was not checked. Give -DecryptionCertificate (with its private key) or -Passphrase.",
                VerificationLevel.Structure, db.ObjectStoreUrl ?? db.Url));
        }

        private static string CiphertextProblem(DigestingReadStream cipher, StoreFileRecord r)
            => cipher.BytesRead == r.Size && string.Equals(cipher.Sha256Hex, r.Sha256, StringComparison.OrdinalIgnoreCase) ? null
                : $"has {cipher.BytesRead} bytes with SHA-256 {cipher.Sha256Hex}, but the manifest records {r.Size} bytes with {r.Sha256}";

        /// <summary>An unencrypted staged store: its objects in the set, its table files there or in the root's shared folder.</summary>
        private sealed class PlainObjects : StoreObjects
        {
            private readonly StreamedStagedStores _owner;
            private readonly string _store;
            private readonly string _folder; // the generation's key prefix in the set, relative to the set
            private readonly Dictionary<string, long> _shared;

            public PlainObjects(StreamedStagedStores owner, string store, string generation, Dictionary<string, long> shared)
            {
                _owner = owner;
                _store = store;
                _folder = store + "/" + generation;
                _shared = shared;
            }

            public override string Dir => StorageException.Join(_owner._set.DisplayName, _owner._setPrefix + _folder.TrimEnd('/'));

            public override string Display(string name)
                => _owner._setSizes.ContainsKey(_folder + name) || _shared == null || !_shared.ContainsKey(SharedPrefix(_store) + name)
                    ? StorageException.Join(_owner._set.DisplayName, _owner._setPrefix + _folder + name)
                    : StorageException.Join(_owner._sharedRoot.DisplayName, SharedPrefix(_store) + name);

            public override long? SizeOf(string name)
            {
                if (_owner._setSizes.TryGetValue(_folder + name, out long size))
                {
                    return size;
                }
                // Shared table files are named by their hash, one flat folder per store for both generations.
                return _shared != null && name != StoreManifest && _shared.TryGetValue(SharedPrefix(_store) + name, out long shared) ? shared : (long?)null;
            }

            public override IEnumerable<string> Names()
                => _owner._setSizes.Keys.Where(k => k.StartsWith(_folder, StringComparison.Ordinal) && k.IndexOf('/', _folder.Length) < 0).Select(k => k.Substring(_folder.Length));

            public override StoreObjects Oldgen
                => _owner._setSizes.Keys.Any(k => k.StartsWith(_store + "/oldgen/", StringComparison.Ordinal)) ? new PlainObjects(_owner, _store, "oldgen/", _shared) : null;

            public override Stream Open(string name, CancellationToken cancellationToken)
            {
                long size = SizeOf(name) ?? 0;
                bool inSet = _owner._setSizes.ContainsKey(_folder + name);
                var source = inSet ? _owner._set.OpenRead(_owner._setPrefix + _folder + name, cancellationToken) : _owner._sharedRoot.OpenRead(SharedPrefix(_store) + name, cancellationToken);
                return new CheckedAtEnd(source, null, read =>
                {
                    if (read != size)
                    {
                        throw new InvalidDataException($"{StreamedStoreGeneration.Truncated}: {read} bytes read, {size} listed");
                    }
                });
            }
        }

        /// <summary>An encrypted staged store: the objects its database's StoreFiles record, decrypted as they stream by.</summary>
        private sealed class EncryptedObjects : StoreObjects
        {
            private readonly StreamedStagedStores _owner;
            private readonly DatabaseBackupItem _db;
            private readonly EncryptionKeys _keys;
            private readonly string _store;
            private readonly string _generation;
            private readonly Dictionary<string, StoreFileRecord> _records;

            public EncryptedObjects(StreamedStagedStores owner, DatabaseBackupItem db, EncryptionKeys keys, string store, string generation)
            {
                _owner = owner;
                _db = db;
                _keys = keys;
                _store = store;
                _generation = generation;
                _records = new Dictionary<string, StoreFileRecord>(StringComparer.Ordinal);
                foreach (var r in db.StoreFiles.Where(r => r.Name != null && r.Name.StartsWith(generation, StringComparison.Ordinal) && r.Name.IndexOf('/', generation.Length) < 0))
                {
                    ObjectKey.Check(r.Object);
                    _records[r.Name.Substring(generation.Length)] = r;
                }
            }

            public override string Dir => StorageException.Join(_owner._set.DisplayName, _owner._setPrefix + _store + (_generation.Length == 0 ? "" : "/" + _generation.TrimEnd('/')));

            public override string Display(string name)
                => _records.TryGetValue(name, out var r) ? _owner.Locate(r, CancellationToken.None).Display
                    : StorageException.Join(_owner._set.DisplayName, _owner._setPrefix + _store + "/" + _generation + name + EncryptingBackupLocation.Suffix);

            public override long? SizeOf(string name)
                => _records.TryGetValue(name, out var r) && _owner.Locate(r, CancellationToken.None).Size != null ? r.PlaintextSize : (long?)null;

            public override IEnumerable<string> Names() => _records.Keys.Where(n => SizeOf(n) != null);

            public override StoreObjects Oldgen
                => _db.StoreFiles.Any(r => r.Name != null && r.Name.StartsWith("oldgen/", StringComparison.Ordinal)) ? new EncryptedObjects(_owner, _db, _keys, _store, "oldgen/") : null;

            public override Stream Open(string name, CancellationToken cancellationToken)
            {
                var r = _records[name];
                var (location, key, _, _) = _owner.Locate(r, cancellationToken);
                var source = location.OpenRead(key, cancellationToken);
                var cipher = new DigestingReadStream(source);
                Stream plain;
                try
                {
                    plain = SetEncryption.OpenDecrypting(cipher, _keys, key, ownsInput: false);
                }
                catch (EncryptionException e)
                {
                    source.Dispose();
                    throw new InvalidDataException("it cannot be decrypted: " + e.Message, e);
                }
                var digest = new DigestingReadStream(plain);
                return new CheckedAtEnd(digest, new IDisposable[] { plain, cipher, source }, read =>
                {
                    cipher.CopyTo(Stream.Null, 1 << 16);
                    string problem = CiphertextProblem(cipher, r);
                    if (problem != null)
                    {
                        throw new InvalidDataException("it " + problem);
                    }
                    if (read != r.PlaintextSize || !string.Equals(digest.Sha256Hex, r.PlaintextSha256, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidDataException($"it decrypted to {read} bytes with SHA-256 {digest.Sha256Hex}, but the manifest records {r.PlaintextSize} bytes with {r.PlaintextSha256}");
                    }
                });
            }
        }

        /// <summary>
        /// A read-once stream that runs a check when its end is reached (given the bytes read); a decryption failure is
        /// an <see cref="InvalidDataException"/> naming it.
        /// </summary>
        private sealed class CheckedAtEnd : Common.ForwardReadStream
        {
            private readonly Stream _inner;
            private readonly IDisposable[] _also;
            private readonly Action<long> _atEnd;
            private long _read;
            private bool _ended;

            public CheckedAtEnd(Stream inner, IDisposable[] also, Action<long> atEnd)
            {
                _inner = inner;
                _also = also ?? new IDisposable[0];
                _atEnd = atEnd;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_ended)
                {
                    return 0;
                }
                int n;
                try
                {
                    n = _inner.Read(buffer, offset, count);
                }
                catch (EncryptionException e)
                {
                    throw new InvalidDataException("it cannot be decrypted: " + e.Message, e);
                }
                if (n > 0)
                {
                    _read += n;
                    return n;
                }
                if (count > 0)
                {
                    _ended = true;
                    _atEnd(_read);
                }
                return 0;
            }

            public override long Position { get => _read; set => throw new NotSupportedException(); }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _inner.Dispose();
                    foreach (var d in _also)
                    {
                        d.Dispose();
                    }
                }
                base.Dispose(disposing);
            }
        }
    }
}
