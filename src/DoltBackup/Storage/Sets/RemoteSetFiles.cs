using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Verification;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// The stored files of a set in an object store, for the verifier: sizes from one listing, each object opened as a
    /// stream (hashed as it arrives; a FileCopy archive and the stores inside it checked in that one pass), nothing
    /// written to disk: a FileCopy set, and a set whose Dolt stores were staged and uploaded by the module, each
    /// store checked object by object (<see cref="StreamedStagedStores"/>); see <see cref="CanStream"/>.
    /// </summary>
    public sealed class RemoteSetFiles : SetFileSource
    {
        private readonly IBackupLocation _location;
        private readonly string _prefix;
        private readonly Dictionary<string, long> _sizes;
        private readonly StreamedStagedStores _stores;

        /// <summary>Lists the set at <paramref name="setKey"/> of <paramref name="location"/> once.</summary>
        public RemoteSetFiles(IBackupLocation location, string setKey, CancellationToken cancellationToken)
            : this(location, setKey, null, cancellationToken)
        {
        }

        /// <summary>
        /// As <see cref="RemoteSetFiles(IBackupLocation, string, CancellationToken)"/>; <paramref name="sharedRoot"/> is
        /// the backup root holding the shared table files of a -Versioned staged set (<c>.stores/</c>), or null.
        /// </summary>
        public RemoteSetFiles(IBackupLocation location, string setKey, IBackupLocation sharedRoot, CancellationToken cancellationToken)
            : this(location, setKey, sharedRoot, (location ?? throw new ArgumentNullException(nameof(location))).List(BackupSetTransfer.SetPrefix(setKey), cancellationToken))
        {
        }

        /// <summary>The set at <paramref name="setKey"/> of <paramref name="location"/> as the caller just listed it (<paramref name="listed"/>: the objects under its prefix).</summary>
        internal RemoteSetFiles(IBackupLocation location, string setKey, IBackupLocation sharedRoot, IEnumerable<StoredObject> listed)
        {
            _location = location ?? throw new ArgumentNullException(nameof(location));
            _prefix = BackupSetTransfer.SetPrefix(setKey);
            _sizes = listed.ToDictionary(o => o.Key.Substring(_prefix.Length), o => o.Size, StringComparer.Ordinal);
            _stores = new StreamedStagedStores(location, _prefix, _sizes, sharedRoot);
        }

        /// <summary>
        /// True for the sets verified by streaming: FileCopy (its files are objects or inside one archive), and sets
        /// whose Dolt stores were staged and uploaded by the module (their stores are objects of the set).
        /// </summary>
        public static bool CanStream(Manifest.BackupManifest manifest)
            => manifest.Method == Manifest.BackupMethod.FileCopy || StreamedStagedStores.Applies(manifest);

        /// <inheritdoc />
        internal override bool VerifyStore(Manifest.BackupManifest manifest, Manifest.DatabaseBackupItem db, VerificationOptions options, Action<VerificationResult> emit)
            => _stores.Verify(manifest, db, options, emit);

        /// <inheritdoc />
        public override string Display(string storedPath) => StorageException.Join(_location.DisplayName, _prefix + storedPath);

        /// <inheritdoc />
        public override long? SizeOf(string storedPath) => _sizes.TryGetValue(storedPath, out long size) ? size : (long?)null;

        /// <inheritdoc />
        public override Stream Open(string storedPath, CancellationToken cancellationToken) => _location.OpenRead(_prefix + storedPath, cancellationToken);
    }
}
