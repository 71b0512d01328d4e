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
    /// written to disk. A FileCopy set is verified this way (<see cref="CanStream"/>); a set with Dolt stores is still
    /// fetched (<see cref="StagedBackupSet"/>), since its stores are checked as folders.
    /// </summary>
    public sealed class RemoteSetFiles : SetFileSource
    {
        private readonly IBackupLocation _location;
        private readonly string _prefix;
        private readonly Dictionary<string, long> _sizes;

        /// <summary>Lists the set at <paramref name="setKey"/> of <paramref name="location"/> once.</summary>
        public RemoteSetFiles(IBackupLocation location, string setKey, CancellationToken cancellationToken)
        {
            _location = location ?? throw new ArgumentNullException(nameof(location));
            _prefix = string.IsNullOrEmpty(setKey) ? "" : setKey + "/";
            _sizes = location.List(_prefix, cancellationToken).ToDictionary(o => o.Key.Substring(_prefix.Length), o => o.Size, StringComparer.Ordinal);
        }

        /// <summary>True for the sets verified by streaming: FileCopy (its files are objects or inside one archive).</summary>
        public static bool CanStream(Manifest.BackupManifest manifest) => manifest.Method == Manifest.BackupMethod.FileCopy;

        /// <inheritdoc />
        public override string Display(string storedPath) => StorageException.Join(_location.DisplayName, _prefix + storedPath);

        /// <inheritdoc />
        public override long? SizeOf(string storedPath) => _sizes.TryGetValue(storedPath, out long size) ? size : (long?)null;

        /// <inheritdoc />
        public override Stream Open(string storedPath, CancellationToken cancellationToken) => _location.OpenRead(_prefix + storedPath, cancellationToken);
    }
}
