using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using DoltBackup.Catalog;
using DoltBackup.Manifest;

namespace DoltBackup.Storage.Sets
{
    /// <summary>
    /// Reads backup manifests from a backup location: the location itself when it holds manifest.json (one set), else
    /// every set one level below it (a backup root). One listing, then one read per manifest. A read manifest's
    /// BackupFolder is the set's location text (URL), so the other cmdlets can open it again.
    /// </summary>
    public static class RemoteSetCatalog
    {
        /// <summary>Lists the sets at <paramref name="location"/> (see the class). Sets newest first.</summary>
        public static CatalogListing List(IBackupLocation location, CancellationToken cancellationToken)
        {
            var objects = location.List("", cancellationToken);
            var sets = new List<BackupManifest>();
            var problems = new List<CatalogProblem>();
            if (objects.Any(o => o.Key == BackupManifest.FileName))
            {
                sets.Add(ReadManifest(location, "", cancellationToken));
                return new CatalogListing(location.DisplayName, sets, problems, new List<string>());
            }
            var folders = objects.Select(o => o.Key).Where(k => k.IndexOf('/') > 0).Select(k => k.Substring(0, k.IndexOf('/'))).Distinct(StringComparer.Ordinal).ToList();
            var withManifest = new HashSet<string>(objects.Where(o => o.Key.EndsWith("/" + BackupManifest.FileName, StringComparison.Ordinal) && o.Key.Count(c => c == '/') == 1)
                .Select(o => o.Key.Substring(0, o.Key.IndexOf('/'))), StringComparer.Ordinal);
            foreach (var folder in folders.Where(withManifest.Contains))
            {
                try
                {
                    sets.Add(ReadManifest(location, folder, cancellationToken));
                }
                catch (ManifestSchemaException e)
                {
                    problems.Add(new CatalogProblem(StorageException.Join(location.DisplayName, folder + "/" + BackupManifest.FileName), e));
                }
            }
            var without = folders.Where(f => !withManifest.Contains(f) && f != StagedStores.SharedFolder).ToList();
            return new CatalogListing(location.DisplayName, BackupSetTime.SortNewestFirst(sets), problems,
                without.Select(f => StorageException.Join(location.DisplayName, f)).ToList(),
                () => IncompleteSets(location.DisplayName, objects, without));
        }

        /// <summary>
        /// The folders of <paramref name="without"/> (no manifest.json) named like a set, described from the one
        /// listing: object count, bytes, newest object. Newest first.
        /// </summary>
        private static List<IncompleteBackupSet> IncompleteSets(string root, IReadOnlyList<StoredObject> objects, IEnumerable<string> without)
        {
            var names = new HashSet<string>(without.Where(IncompleteBackupSet.IsSetFolderName), StringComparer.Ordinal);
            return objects.Where(o => o.Key.IndexOf('/') > 0 && names.Contains(o.Key.Substring(0, o.Key.IndexOf('/'))))
                .GroupBy(o => o.Key.Substring(0, o.Key.IndexOf('/')), StringComparer.Ordinal)
                .Select(g => Describe(StorageException.Join(root, g.Key), g.Key, g.ToList()))
                .OrderByDescending(s => s.LastWriteTimeUtc ?? DateTime.MinValue).ThenByDescending(s => s.Id, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>
        /// Describes the objects <paramref name="objects"/> (keys from the root) of one set folder as an incomplete set.
        /// The newest time leaves the lock object out (taking the lock rewrites it) unless it is all there is.
        /// </summary>
        public static IncompleteBackupSet Describe(string location, string id, IReadOnlyCollection<StoredObject> objects)
        {
            var content = objects.Where(o => !o.Key.EndsWith("/" + Locking.BackupSetLock.FileName, StringComparison.Ordinal)).ToList();
            var timed = content.Count > 0 ? content : objects.ToList();
            return new IncompleteBackupSet(location, id, objects.Count, objects.Sum(o => o.Size), NewestTime(timed));
        }

        /// <summary>The newest time of <paramref name="objects"/>, or null when there is none or an object has no time.</summary>
        internal static DateTime? NewestTime(IReadOnlyCollection<StoredObject> objects)
            => objects.Count == 0 || objects.Any(o => !o.LastModifiedUtc.HasValue) ? (DateTime?)null : objects.Max(o => o.LastModifiedUtc.Value);

        /// <summary>Reads the manifest of the set at <paramref name="setKey"/> ("" for the location itself).</summary>
        public static BackupManifest ReadManifest(IBackupLocation location, string setKey, CancellationToken cancellationToken)
        {
            string key = ObjectKey.Combine(setKey, BackupManifest.FileName);
            string text;
            using (var stream = location.OpenRead(key, cancellationToken))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
            {
                text = reader.ReadToEnd();
            }
            string display = StorageException.Join(location.DisplayName, key);
            var manifest = ManifestStore.FromJson(text, display);
            manifest.Destination.BackupFolder = StorageException.Join(location.DisplayName, setKey);
            return manifest;
        }
    }
}
