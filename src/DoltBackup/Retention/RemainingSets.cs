using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// The backup sets that stay while a removal runs, and the local paths they use (their backup folders and the
    /// paths of their file:// database URLs), indexed so that "does any other set use this path, a path inside it or a
    /// path around it?" costs a few lookups, not a scan of every set. It shrinks as sets are deleted.
    /// </summary>
    public sealed class RemainingSets
    {
        private static readonly StringComparer PathComparer =
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        private readonly Dictionary<string, BackupManifest> _byKey = new Dictionary<string, BackupManifest>(StringComparer.Ordinal);
        private readonly List<BackupManifest> _order = new List<BackupManifest>();
        private readonly Dictionary<string, List<BackupManifest>> _users = new Dictionary<string, List<BackupManifest>>(PathComparer);
        private readonly SortedSet<string> _paths = new SortedSet<string>(PathComparer);
        private readonly HashSet<BackupManifest> _removed = new HashSet<BackupManifest>();
        private readonly Dictionary<string, BackupManifest> _dataOfRemoved = new Dictionary<string, BackupManifest>(PathComparer);

        /// <summary>Indexes <paramref name="sets"/>; a set read twice (same folder) counts once, the first instance wins.</summary>
        public RemainingSets(IEnumerable<BackupManifest> sets)
        {
            foreach (var set in sets)
            {
                string key = KeyOf(set);
                if (_byKey.ContainsKey(key))
                {
                    continue;
                }
                _byKey[key] = set;
                _order.Add(set);
                foreach (string path in PathsOf(set))
                {
                    if (!_users.TryGetValue(path, out var list))
                    {
                        _users[path] = list = new List<BackupManifest>();
                        _paths.Add(path);
                    }
                    list.Add(set);
                }
            }
        }

        /// <summary>The sets still there, in the order given.</summary>
        public IEnumerable<BackupManifest> Sets => _order.Where(s => !_removed.Contains(s));

        /// <summary>The instance held for the same set (same folder), or null.</summary>
        public BackupManifest Find(BackupManifest set) => _byKey.TryGetValue(KeyOf(set), out var held) && !_removed.Contains(held) ? held : null;

        /// <summary>Marks a set deleted: its paths no longer protect anything.</summary>
        public void Remove(BackupManifest set)
        {
            var held = Find(set);
            if (held == null)
            {
                return;
            }
            _removed.Add(held);
            foreach (var db in held.Databases)
            {
                if (LocalPath.TryFromFileUrl(db.Url, out string dataPath))
                {
                    _dataOfRemoved[dataPath] = held;
                }
            }
            foreach (string path in PathsOf(held))
            {
                if (_users.TryGetValue(path, out var list))
                {
                    list.Remove(held);
                    if (list.Count == 0)
                    {
                        _users.Remove(path);
                        _paths.Remove(path);
                    }
                }
            }
        }

        /// <summary>
        /// A set other than <paramref name="except"/> that uses <paramref name="path"/>, a path below it, or a path
        /// above it; null when there is none.
        /// </summary>
        public BackupManifest FindPathUser(string path, BackupManifest except)
        {
            var self = except == null ? null : Find(except) ?? except;
            string p = LocalPath.Normalize(path);
            for (string probe = p; probe != null; probe = Path.GetDirectoryName(probe))
            {
                var user = FirstOther(probe, self);
                if (user != null)
                {
                    return user;
                }
            }
            string below = p.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? p : p + Path.DirectorySeparatorChar;
            foreach (string inside in _paths.GetViewBetween(below, below + '\uffff'))
            {
                var user = FirstOther(inside, self);
                if (user != null)
                {
                    return user;
                }
            }
            return null;
        }

        /// <summary>
        /// A set deleted earlier in this run whose manifest listed <paramref name="path"/> as database data (it left
        /// the data because another set still used it), or null.
        /// </summary>
        public BackupManifest RemovedSetWithData(string path) => _dataOfRemoved.TryGetValue(LocalPath.Normalize(path), out var set) ? set : null;

        private BackupManifest FirstOther(string path, BackupManifest self) =>
            _users.TryGetValue(path, out var list) ? list.FirstOrDefault(s => !ReferenceEquals(s, self)) : null;

        private static IEnumerable<string> PathsOf(BackupManifest set)
        {
            if (!string.IsNullOrEmpty(set.BackupFolder))
            {
                yield return LocalPath.Normalize(set.BackupFolder);
            }
            foreach (var db in set.Databases)
            {
                if (LocalPath.TryFromFileUrl(db.Url, out string p))
                {
                    yield return p;
                }
            }
        }

        internal static string KeyOf(BackupManifest m) => string.IsNullOrEmpty(m.BackupFolder) ? "id:" + m.Id : "dir:" + LocalPath.Normalize(m.BackupFolder);
    }
}
