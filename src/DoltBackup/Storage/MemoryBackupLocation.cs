using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A backup location in process memory, for unit tests. It behaves as the documented services do (conditional
    /// lock create, ordered listing, atomic replace) and can be told to fail an upload (<see cref="FailPut"/>).
    /// Several instances may share one store (<see cref="SharedWith"/>), as two processes share a bucket.
    /// </summary>
    public sealed class MemoryBackupLocation : IBackupLocation
    {
        private readonly Store _store;

        /// <summary>An empty location.</summary>
        public MemoryBackupLocation(string displayName = "memory://test") : this(new Store(), displayName)
        {
        }

        private MemoryBackupLocation(Store store, string displayName)
        {
            _store = store;
            DisplayName = displayName;
        }

        /// <inheritdoc />
        public string DisplayName { get; }

        /// <inheritdoc />
        public StorageKind Kind => StorageKind.Memory;

        /// <summary>When set, a Put whose key matches fails with this exception after reading part of the content (a cut transfer).</summary>
        public Func<string, Exception> FailPut { get; set; }

        /// <summary>The current time of the location (tests move it to make locks stale).</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

        /// <summary>Number of Put, OpenRead, Stat, List calls (tests assert how many requests an operation makes).</summary>
        public int Requests => _store.Requests;

        /// <summary>A second handle on the same objects (another writer).</summary>
        public MemoryBackupLocation SharedWith() => new MemoryBackupLocation(_store, DisplayName) { UtcNow = UtcNow };

        /// <inheritdoc />
        public StoredObject Put(string key, Stream content, CancellationToken cancellationToken)
        {
            ObjectKey.Check(key);
            Interlocked.Increment(ref _store.Requests);
            using (var digest = new DigestingReadStream(content))
            using (var buffer = new MemoryStream())
            {
                var failure = FailPut?.Invoke(key);
                if (failure != null)
                {
                    var partial = new byte[1];
                    digest.Read(partial, 0, 1);
                    throw failure;
                }
                digest.CopyTo(buffer, 81920);
                cancellationToken.ThrowIfCancellationRequested();
                var item = new Item { Bytes = buffer.ToArray(), Modified = UtcNow(), Sha256 = digest.Sha256Hex, Md5 = digest.Md5Hex };
                lock (_store.Objects)
                {
                    _store.Objects[key] = item;
                }
                return ToStored(key, item);
            }
        }

        /// <inheritdoc />
        public Stream OpenRead(string key, CancellationToken cancellationToken)
        {
            ObjectKey.Check(key);
            Interlocked.Increment(ref _store.Requests);
            lock (_store.Objects)
            {
                if (!_store.Objects.TryGetValue(key, out var item))
                {
                    throw StorageException.NotFound(DisplayName, key);
                }
                return new MemoryStream(item.Bytes, writable: false);
            }
        }

        /// <inheritdoc />
        public StoredObject Stat(string key, CancellationToken cancellationToken)
        {
            ObjectKey.Check(key);
            Interlocked.Increment(ref _store.Requests);
            lock (_store.Objects)
            {
                return _store.Objects.TryGetValue(key, out var item) ? ToStored(key, item) : null;
            }
        }

        /// <inheritdoc />
        public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
        {
            ObjectKey.Check(prefix ?? "", allowEmpty: true);
            Interlocked.Increment(ref _store.Requests);
            lock (_store.Objects)
            {
                return _store.Objects.Where(kv => kv.Key.StartsWith(prefix ?? "", StringComparison.Ordinal))
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ToStored(kv.Key, kv.Value)).ToList();
            }
        }

        /// <inheritdoc />
        public void Delete(string key, CancellationToken cancellationToken)
        {
            ObjectKey.Check(key);
            Interlocked.Increment(ref _store.Requests);
            lock (_store.Objects)
            {
                _store.Objects.Remove(key);
            }
        }

        /// <inheritdoc />
        public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken)
        {
            ObjectKey.Check(key);
            lock (_store.Objects)
            {
                DateTime now = UtcNow();
                if (_store.Locks.TryGetValue(key, out var expires) && expires > now)
                {
                    return null;
                }
                var token = new object();
                _store.Locks[key] = now + staleAfter;
                _store.LockOwners[key] = token;
                return new MemoryLock(this, key, token);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
        }

        private static StoredObject ToStored(string key, Item item) => new StoredObject
        {
            Key = key,
            Size = item.Bytes.LongLength,
            LastModifiedUtc = item.Modified,
            Sha256 = item.Sha256,
            ServiceMd5 = item.Md5,
        };

        private void Release(string key, object token)
        {
            lock (_store.Objects)
            {
                if (_store.LockOwners.TryGetValue(key, out var owner) && ReferenceEquals(owner, token))
                {
                    _store.Locks.Remove(key);
                    _store.LockOwners.Remove(key);
                }
            }
        }

        private sealed class Store
        {
            public readonly Dictionary<string, Item> Objects = new Dictionary<string, Item>(StringComparer.Ordinal);
            public readonly Dictionary<string, DateTime> Locks = new Dictionary<string, DateTime>(StringComparer.Ordinal);
            public readonly Dictionary<string, object> LockOwners = new Dictionary<string, object>(StringComparer.Ordinal);
            public int Requests;
        }

        private sealed class Item
        {
            public byte[] Bytes;
            public DateTime Modified;
            public string Sha256;
            public string Md5;
        }

        private sealed class MemoryLock : IStorageLock
        {
            private readonly MemoryBackupLocation _owner;
            private readonly object _token;
            private int _released;

            public MemoryLock(MemoryBackupLocation owner, string key, object token)
            {
                _owner = owner;
                Key = key;
                _token = token;
            }

            public string Key { get; }

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    _owner.Release(Key, _token);
                }
            }
        }
    }
}
