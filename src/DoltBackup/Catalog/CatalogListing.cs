using System;
using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>What a backup root holds: its readable sets, newest first, and the folders that could not be read.</summary>
    public sealed class CatalogListing
    {
        private readonly Lazy<IReadOnlyList<IncompleteBackupSet>> _incomplete;

        internal CatalogListing(string root, IReadOnlyList<BackupManifest> sets, IReadOnlyList<CatalogProblem> problems, IReadOnlyList<string> foldersWithoutManifest,
            Func<IReadOnlyList<IncompleteBackupSet>> incomplete = null)
        {
            _incomplete = new Lazy<IReadOnlyList<IncompleteBackupSet>>(incomplete ?? (() => new IncompleteBackupSet[0]));
            Root = root;
            Sets = sets;
            Problems = problems;
            FoldersWithoutManifest = foldersWithoutManifest;
        }

        /// <summary>The backup root (absolute).</summary>
        public string Root { get; }

        /// <summary>Every readable set, newest first (see <see cref="BackupSetTime.NewestFirst"/>).</summary>
        public IReadOnlyList<BackupManifest> Sets { get; }

        /// <summary>Set folders whose manifest.json is unreadable: bad JSON, a foreign file, a newer schema, no access.</summary>
        public IReadOnlyList<CatalogProblem> Problems { get; }

        /// <summary>Child folders without a manifest.json (not backup sets; listed for verbose output).</summary>
        public IReadOnlyList<string> FoldersWithoutManifest { get; }

        /// <summary>
        /// The folders without manifest.json that are named like a set (see <see cref="IncompleteBackupSet.IsSetFolderName"/>),
        /// newest file first: killed uploads or cut deletes. Not sets: no retention rule counts them. Described on
        /// first use only (locally that walks each such folder), so the callers that want only the sets never pay for it.
        /// </summary>
        public IReadOnlyList<IncompleteBackupSet> Incomplete => _incomplete.Value;
    }
}
