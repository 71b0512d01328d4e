using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Decides what a set owns, so that removing it deletes exactly that. Data inside the set's own backup folder
    /// (where -Versioned puts it: destination/label/database) goes with the folder, unless a set that stays uses it
    /// (then the set is not deleted at all). Outside the folder, a database URL's data is the set's own only
    /// when all of these hold: the set was made with -Versioned (each run gets its own URL); the URL is an absolute
    /// file:// URL; it lies strictly below the set's file:// base URL (never a file-system root); a folder below the
    /// base (or the base itself, as -Versioned records it) is the set's version (the UTC label of its id, for example
    /// 20261123T191000Z, alone or joined to a name by '-' or '_'); and no other remaining set uses that path,
    /// a path inside it, or a path around it (its database URLs or its backup folder). Data that a set deleted earlier
    /// in the same run left behind only because this set used it too carries that set's version; this set, its last
    /// user, deletes it.
    /// </summary>
    public static class BackupDataOwnership
    {
        /// <summary>What removing <paramref name="set"/> would delete, given the sets that stay (<paramref name="others"/>).</summary>
        public static OwnedData Describe(BackupManifest set, IEnumerable<BackupManifest> others, bool unregister)
            => Describe(set, new RemainingSets(others), unregister);

        /// <summary>What removing <paramref name="set"/> would delete, given the sets that stay (<paramref name="remaining"/>; the set itself is ignored there).</summary>
        public static OwnedData Describe(BackupManifest set, RemainingSets remaining, bool unregister)
        {
            var result = new OwnedData();
            var self = remaining.Find(set) ?? set;
            var otherList = new Lazy<List<BackupManifest>>(() => remaining.Sets.Where(o => !ReferenceEquals(o, self)).ToList());
            string version = VersionLabel(set);
            string basePath = null;
            bool baseIsLocal = set.Destination.BaseUrl != null && LocalPath.TryFromFileUrl(set.Destination.BaseUrl, out basePath);

            foreach (var db in set.Databases.Where(d => !string.IsNullOrEmpty(d.Url)))
            {
                string label = $"data of database '{db.Name}' at {db.Url}";
                if (IsInsideFolder(set, db.Url, out string inside))
                {
                    // Data inside the set's own folder goes with the folder (New-DoltBackup -Versioned puts it there:
                    // destination/label/database), whatever the rules for data outside it say.
                    var user = remaining.FindPathUser(inside, set);
                    if (user != null)
                    {
                        result.LeftInPlace.Add(label + $": inside the set's folder, and set {user.Id}, which stays, uses it (so the set is not deleted)");
                    }
                    else if (!result.DataPaths.Contains(inside))
                    {
                        result.DataPaths.Add(inside);
                    }
                    continue;
                }
                if (!set.Destination.Versioned)
                {
                    if (set.Method == BackupMethod.DoltBackup || set.Method == BackupMethod.Push)
                    {
                        result.LeftInPlace.Add(label + ": not versioned, so every sync of the backup writes to this URL");
                    }
                    continue;
                }
                if (!LocalPath.TryFromFileUrl(db.Url, out string path))
                {
                    result.LeftInPlace.Add(label + ": only absolute file:// data is deleted by Remove-DoltBackup; delete it with the tools of its store");
                    continue;
                }
                if (!baseIsLocal || Path.GetPathRoot(basePath) == basePath || !LocalPath.IsStrictlyUnder(path, basePath))
                {
                    result.LeftInPlace.Add(label + ": not below the set's file:// base URL");
                    continue;
                }
                // The version is this set's own, or that of a set deleted earlier in this run that listed the same data
                // and left it only because this set used it too (this set is now its last user).
                var leftBy = remaining.RemovedSetWithData(path);
                bool carriesVersion = CarriesVersion(path, basePath, version) || IsVersionFolder(basePath, version)
                    || (leftBy != null && leftBy.Destination.Versioned && CarriesVersion(path, basePath, VersionLabel(leftBy)));
                if (!carriesVersion)
                {
                    result.LeftInPlace.Add(label + ": no folder below the base URL carries the set's version " + (version ?? "(the id has no UTC label)"));
                    continue;
                }
                if (!string.IsNullOrEmpty(set.BackupFolder) && LocalPath.IsSameOrUnder(set.BackupFolder, path))
                {
                    result.LeftInPlace.Add(label + ": it contains the backup folder itself");
                    continue;
                }
                var sharer = remaining.FindPathUser(path, set);
                if (sharer != null)
                {
                    result.LeftInPlace.Add(label + $": shared with set {sharer.Id}, which stays");
                    continue;
                }
                if (!result.DataPaths.Contains(path))
                {
                    result.DataPaths.Add(path);
                }
            }

            foreach (var snap in set.Snapshots.Where(s => !string.IsNullOrEmpty(s.SnapshotId)))
            {
                if (otherList.Value.Any(o => o.Snapshots.Any(s => string.Equals(s.SnapshotId, snap.SnapshotId, StringComparison.Ordinal))))
                {
                    result.LeftInPlace.Add($"snapshot {snap.SnapshotId}: another set that stays lists it too");
                }
                else
                {
                    result.SnapshotIds.Add(snap.SnapshotId);
                }
            }

            if (unregister)
            {
                foreach (var db in set.Databases.Where(d => !string.IsNullOrEmpty(d.BackupName) && set.Method == BackupMethod.DoltBackup))
                {
                    var sharer = otherList.Value.FirstOrDefault(o => o.Method == BackupMethod.DoltBackup && SameServer(o, set)
                        && o.Databases.Any(d => string.Equals(d.Name, db.Name, StringComparison.Ordinal) && string.Equals(d.BackupName, db.BackupName, StringComparison.Ordinal)));
                    if (sharer != null)
                    {
                        result.LeftInPlace.Add($"registration '{db.BackupName}' of database '{db.Name}': set {sharer.Id}, which stays, uses it too");
                    }
                    else
                    {
                        result.Registrations.Add(new KeyValuePair<string, string>(db.Name, db.BackupName));
                    }
                }
            }
            return result;
        }

        /// <summary>The version a versioned set's URLs carry: the UTC label of its id.</summary>
        public static string VersionLabel(BackupManifest set) =>
            BackupId.TryParseTime(set.Id).HasValue ? set.Id.Substring(0, 16) : null;

        /// <summary>True (with its local path) when a database URL is a file:// path strictly inside the set's backup folder.</summary>
        private static bool IsInsideFolder(BackupManifest set, string url, out string path)
            => LocalPath.TryFromFileUrl(url, out path) && !string.IsNullOrEmpty(set.BackupFolder) && LocalPath.IsStrictlyUnder(path, set.BackupFolder);

        /// <summary>
        /// True when the base URL's own last folder is the version: -Versioned records the set's URL with its label
        /// (destination/label), so everything below it carries the version.
        /// </summary>
        internal static bool IsVersionFolder(string basePath, string version)
            => version != null && string.Equals(Path.GetFileName(LocalPath.Normalize(basePath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)), version, StringComparison.Ordinal);

        private static bool SameServer(BackupManifest a, BackupManifest b) =>
            string.Equals(a.Source.Server ?? "", b.Source.Server ?? "", StringComparison.OrdinalIgnoreCase) && a.Source.Port == b.Source.Port
            && string.Equals(a.Source.DataDir ?? "", b.Source.DataDir ?? "", StringComparison.Ordinal);

        /// <summary>
        /// True when a folder below the base is the version (the label, or the whole id) or the version joined to a
        /// name by '-' or '_' (for example 20261123T191000Z, 20261123T191000Z-prod, db1-20261123T191000Z).
        /// </summary>
        private static bool CarriesVersion(string path, string basePath, string version)
        {
            if (version == null)
            {
                return false;
            }
            return SegmentsBelow(path, basePath).Any(seg =>
                seg == version
                || seg.StartsWith(version + "-", StringComparison.Ordinal) || seg.StartsWith(version + "_", StringComparison.Ordinal)
                || seg.EndsWith("-" + version, StringComparison.Ordinal) || seg.EndsWith("_" + version, StringComparison.Ordinal));
        }

        private static IEnumerable<string> SegmentsBelow(string path, string basePath)
        {
            string rel = LocalPath.Normalize(path).Substring(LocalPath.Normalize(basePath).Length);
            return rel.Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
        }
    }
}
