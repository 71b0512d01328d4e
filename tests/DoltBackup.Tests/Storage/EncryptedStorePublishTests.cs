using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Encryption;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Publishing a staged set with encrypted Dolt stores lists the set once (the stores' objects and the rest of the
    /// set from the same listing, under the set's lock), and a changed store `manifest` goes up as it is staged.
    /// </summary>
    public class EncryptedStorePublishTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private sealed class ListCountingLocation : IBackupLocation
        {
            private readonly IBackupLocation _inner;

            public ListCountingLocation(IBackupLocation inner) => _inner = inner;

            public List<string> Listed { get; } = new List<string>();

            public string DisplayName => _inner.DisplayName;
            public StorageKind Kind => _inner.Kind;
            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken) => _inner.Put(key, content, cancellationToken);
            public Stream OpenRead(string key, CancellationToken cancellationToken) => _inner.OpenRead(key, cancellationToken);
            public StoredObject Stat(string key, CancellationToken cancellationToken) => _inner.Stat(key, cancellationToken);

            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
            {
                Listed.Add(prefix);
                return _inner.List(prefix, cancellationToken);
            }

            public void Delete(string key, CancellationToken cancellationToken) => _inner.Delete(key, cancellationToken);
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => _inner.TryAcquireLock(key, staleAfter, cancellationToken);

            public void Dispose()
            {
            }
        }

        private static BackupManifest StagedSet(TempDir dir, FakeDoltEngine engine, EncryptionKeys keys)
        {
            var manifest = StagedDestinationTests.StagedSet(dir, engine);
            SetEncryption.Record(manifest, keys, hasDoltStores: true, stagedStoresRoot: "memory://test");
            ManifestStore.Write(manifest);
            return manifest;
        }

        [Fact]
        public void The_set_is_listed_once_per_publish_and_a_changed_store_manifest_goes_up_as_staged()
        {
            using var dir = new TempDir();
            var keys = TestKeys.Passphrase("store pass");
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            var store = new MemoryBackupLocation();
            var counting = new ListCountingLocation(store);
            StagedStores.Publish(StagedSet(dir, engine, keys), counting, null, None);
            Assert.Equal(new[] { "" }, counting.Listed);

            // Another commit: a new table file and a changed store manifest (the second publish compares it with its record).
            engine.Databases["sales"].Commit(8_000);
            counting.Listed.Clear();
            var second = StagedSet(dir, engine, keys);
            var result = StagedStores.Publish(second, counting, null, None);
            Assert.Equal(new[] { "" }, counting.Listed);
            Assert.True(result.Transferred >= 3, result.Transferred.ToString()); // the new table file, the store manifest, manifest.json

            using var fetched = new TempDir();
            var got = BackupSetTransfer.Fetch(store, "", fetched.Path, null, None);
            StagedStores.Localize(got, fetched.Path, store.DisplayName, null, keys, null, None);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Combine("staging"), "sales", "manifest")), File.ReadAllBytes(Path.Combine(fetched.Path, "sales", "manifest")));
            Assert.Equal(engine.Databases["sales"].Branches["main"], new FakeDoltEngine().Storage.Get(got.Databases.Single().Url).Branches["main"]);
        }
    }
}
