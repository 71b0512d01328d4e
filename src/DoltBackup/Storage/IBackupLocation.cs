using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace DoltBackup.Storage
{
    /// <summary>
    /// Where backup sets live: a local folder or an object-store prefix (S3, Azure Blob). The one storage seam of the
    /// module: set files (manifest.json, artifacts, archives, Dolt store files) are read and written through it by key,
    /// and the code above never knows which driver serves them. Pick a driver with <see cref="BackupLocations.Open"/>.
    /// <para>
    /// Keys are relative to the location (the folder, or the URL's prefix), use '/' as separator, and never contain
    /// "..", "." segments, a backslash or a leading '/' (<see cref="ObjectKey"/> checks them). Every call reports a
    /// failure as a <see cref="StorageException"/> that names the object and says what to do; secrets never appear in
    /// its text. Implementations are safe for use from one thread at a time; <see cref="Put"/> of one key by two writers
    /// is not ordered (use <see cref="TryAcquireLock"/>).
    /// </para>
    /// </summary>
    public interface IBackupLocation : IDisposable
    {
        /// <summary>The location as the user may see it: the URL or folder, never a secret (no SAS, no key).</summary>
        string DisplayName { get; }

        /// <summary>The driver: Local, S3, AzureBlob or Memory.</summary>
        StorageKind Kind { get; }

        /// <summary>
        /// Stores <paramref name="content"/> (read to its end, streamed: never held whole in memory) under
        /// <paramref name="key"/>, replacing any object of that key. The driver checks what the service stored (size,
        /// and the service's MD5/ETag where it gives one) against what was sent, and returns the stored object with
        /// the SHA-256 of the bytes sent. A failed or cut upload throws and leaves no object, or the previous one, under the key.
        /// </summary>
        StoredObject Put(string key, Stream content, CancellationToken cancellationToken);

        /// <summary>Opens the object for reading (dispose the stream). Missing: StorageException with ErrorId StorageObjectNotFound.</summary>
        Stream OpenRead(string key, CancellationToken cancellationToken);

        /// <summary>Size, time and the service's own hash of an object; null when there is no such object.</summary>
        StoredObject Stat(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Every object whose key starts with <paramref name="prefix"/> ("" for all), in ordinal key order, with size
        /// and time (one listing, paged by the driver). Lock objects are listed like any other.
        /// </summary>
        IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken);

        /// <summary>Deletes an object; deleting a missing object is not an error.</summary>
        void Delete(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Takes the writer's lock named <paramref name="key"/> (for a set: "&lt;set&gt;/.doltbackup.lock"), or returns
        /// null when another writer holds it. A lock whose holder stopped renewing it is taken over after
        /// <paramref name="staleAfter"/> (Azure: the blob lease expires; S3: the lock object's expiry; local folder:
        /// an OS lock, gone with its process). Dispose the lock to release it.
        /// </summary>
        IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken);
    }

    /// <summary>A held writer's lock on a location. Dispose releases it.</summary>
    public interface IStorageLock : IDisposable
    {
        /// <summary>The lock's key in its location.</summary>
        string Key { get; }
    }

    /// <summary>Which driver serves a location.</summary>
    public enum StorageKind
    {
        /// <summary>A folder on a local or mounted file system (a path or file:// URL).</summary>
        Local,

        /// <summary>s3://bucket/prefix: Amazon S3 or an S3-compatible service.</summary>
        S3,

        /// <summary>az://account/container/prefix or https://account.blob.core.windows.net/container/prefix.</summary>
        AzureBlob,

        /// <summary>In-process memory (tests).</summary>
        Memory,
    }
}
