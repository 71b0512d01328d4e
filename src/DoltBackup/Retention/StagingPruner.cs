using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Backup;
using DoltBackup.Catalog;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// The local staging copy of a -Versioned object-store version: New-DoltBackup -Destination s3://… -Versioned
    /// stages each version in &lt;staging root&gt;/&lt;label&gt; (its manifest.json and its Dolt stores, hard-linked to the
    /// previous version's table files) and keeps it after the upload. When Remove-DoltBackup deletes the version in the
    /// object store, its staging copy goes too (as a local set: under its lock, with the stores inside its folder), so
    /// the staging root does not keep every version ever made. The next version is seeded from the newest Completed
    /// version of its name in the staging root, so that one, and any version newer than it, is never pruned.
    /// </summary>
    public sealed class StagingPruner
    {
        private StagingPruner(BackupManifest local, IReadOnlyList<BackupManifest> others)
        {
            Local = local;
            Others = others;
        }

        /// <summary>The local staging copy of the version (its BackupFolder is the staging folder).</summary>
        public BackupManifest Local { get; }

        /// <summary>The other versions in the staging root: they stay, and nothing they use is deleted.</summary>
        public IReadOnlyList<BackupManifest> Others { get; }

        /// <summary>
        /// The staging copy of <paramref name="remoteSet"/> on this host that may go with it, or null: not a -Versioned
        /// staged set, no copy here (another host, deleted by hand), or one that must stay (<paramref name="keptBecause"/> says why).
        /// </summary>
        public static StagingPruner For(BackupManifest remoteSet, out string keptBecause)
        {
            keptBecause = null;
            var d = remoteSet?.Destination;
            if (d == null || !d.Versioned || !d.SharedStores || string.IsNullOrEmpty(d.BaseUrl) || !BackupUrls.IsFile(d.BaseUrl))
            {
                return null;
            }
            try
            {
                string folder = Path.GetFullPath(BackupUrls.LocalPath(d.BaseUrl)).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                string root = Path.GetDirectoryName(folder);
                if (root == null || !BackupCatalog.IsBackupSetFolder(folder))
                {
                    return null;
                }
                var sets = BackupCatalog.ListRoot(root).Sets;
                var local = sets.FirstOrDefault(s => s.Id == remoteSet.Id && string.Equals(LocalPath.Normalize(s.BackupFolder), folder, StringComparison.Ordinal));
                if (local == null)
                {
                    return null;
                }
                DateTime mine = BackupSetTime.Of(local);
                if (!sets.Any(s => Backup.VersionSeeding.CanSeed(s, local.Name) && BackupSetTime.Of(s) > mine))
                {
                    keptBecause = $"its staging copy {folder} stays: no newer Completed version of '{local.Name}' is staged there, and the next version is seeded from the newest one";
                    return null;
                }
                return new StagingPruner(local, sets.Where(s => !ReferenceEquals(s, local)).ToList());
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is UriFormatException || e is NotSupportedException)
            {
                keptBecause = $"its staging copy could not be read ({e.Message}) and stays";
                return null;
            }
        }

        /// <summary>Deletes the staging copy (a local set: its lock, its folder, manifest.json last). Never unregisters anything.</summary>
        public BackupRemovalResult Remove(string reason, out RemovalFailure failure)
            => new BackupSetRemover(null, null, false).Remove(Local, reason, new RemainingSets(Others), out failure);
    }
}
