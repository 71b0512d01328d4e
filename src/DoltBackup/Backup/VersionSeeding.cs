using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Catalog;
using DoltBackup.Linking;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Incremental -Versioned file:// backups (issue 14): before Dolt syncs a database into this version's empty
    /// store, the store is seeded from the same database's store in the newest Completed version of the same backup
    /// name (a sibling folder under the same base), by hard links to its immutable files (<see cref="StoreSeeder"/>).
    /// Dolt then writes only the table files the store lacks and replaces the copied manifest by rename, so the earlier
    /// version keeps its own manifest and every version stays a complete store of its own. One per sync run: it says
    /// once (verbose) that there is nothing to seed from, and warns once when hard links cannot be made.
    /// </summary>
    internal sealed class VersionSeeding
    {
        private readonly SyncContext _context;
        private readonly StoreSeeder _seeder;
        private readonly Lazy<BackupManifest> _previous;
        private readonly string _versionsUrl;
        private int _toldFullSync;
        private int _warnedLink;

        public VersionSeeding(SyncContext context, IHardLinker linker = null)
        {
            _context = context;
            _seeder = new StoreSeeder(linker);
            var m = context.Manifest;
            string setUrl = m.Destination?.BaseUrl;
            if (m.Method == BackupMethod.DoltBackup && m.Destination.Versioned && setUrl != null && BackupUrls.IsFile(setUrl))
            {
                string trimmed = setUrl.TrimEnd('/');
                int slash = trimmed.LastIndexOf('/');
                _versionsUrl = slash > "file://".Length ? trimmed.Substring(0, slash) : null;
            }
            _previous = new Lazy<BackupManifest>(FindPrevious, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>True when this run's stores are versions that can share files.</summary>
        public bool Applies => _versionsUrl != null;

        /// <summary>
        /// Seeds <paramref name="storeDir"/> for <paramref name="item"/> and says how; null when the set is not a
        /// versioned file:// set. A store that already holds a Dolt manifest (this version synced before) is left as it is.
        /// Never throws for seeding problems: the sync then writes the store in full.
        /// </summary>
        public StoreSeed Prepare(DatabaseBackupItem item, string storeDir, OwnershipMarker expected)
        {
            if (!Applies)
            {
                return null;
            }
            if (File.Exists(Path.Combine(storeDir, "manifest")))
            {
                return item.Seed ?? new StoreSeed { Method = StoreSeedMethod.FullSync, Note = "The store already held a Dolt manifest when this sync started (an earlier sync of this version)." };
            }
            var previous = _previous.Value;
            if (previous == null)
            {
                string why = $"No earlier Completed version of backup '{_context.Manifest.Name}' under {_versionsUrl}: every store of this version is a full sync.";
                if (Interlocked.Exchange(ref _toldFullSync, 1) == 0)
                {
                    _context.Verbose(why);
                }
                return new StoreSeed { Method = StoreSeedMethod.FullSync, Note = why };
            }
            var old = previous.FindDatabase(item.Name);
            if (old == null || old.Status != ItemStatus.Completed || !BackupUrls.IsVersionOf(old.Url, _versionsUrl, item.Name))
            {
                return FullSync(item, $"Version {previous.Id} has no completed store of database '{item.Name}': a full sync.");
            }
            string oldStore = BackupUrls.LocalPath(old.Url);
            if (!File.Exists(Path.Combine(oldStore, "manifest")))
            {
                return FullSync(item, $"The store of '{item.Name}' in version {previous.Id} ({old.Url}) has no Dolt manifest: a full sync.");
            }
            var owner = OwnershipMarkerStore.Read(oldStore);
            if (owner == null || !owner.SameOwner(expected))
            {
                return FullSync(item, $"The store {old.Url} is not marked as database '{item.Name}''s backup '{item.BackupName}': a full sync rather than sharing its files.");
            }
            try
            {
                var seed = _seeder.Seed(oldStore, storeDir, why =>
                {
                    if (Interlocked.Exchange(ref _warnedLink, 1) == 0)
                    {
                        _context.Warning($"Hard links cannot be made from the earlier version's stores ({why}): the new version's stores are full copies, which cost their full size on disk. Keep all versions of a backup on one file system that supports hard links.");
                    }
                });
                seed.FromSet = previous.Id;
                seed.FromUrl = old.Url;
                _context.Verbose($"'{item.Name}': the store starts from version {previous.Id}: {seed.LinkedFiles} files linked ({seed.LinkedBytes} bytes), {seed.CopiedFiles} copied ({seed.CopiedBytes} bytes).");
                return seed;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                string why = $"The store of '{item.Name}' could not be seeded from version {previous.Id} ({e.Message}): a full sync.";
                _context.Warning(why);
                return new StoreSeed { Method = StoreSeedMethod.FullSync, FromSet = previous.Id, FromUrl = old.Url, Note = why };
            }
        }

        /// <summary>What the version added to the disk, given the store's size after the sync.</summary>
        public static long? NewBytes(StoreSeed seed, long? bytes)
            => seed == null || !bytes.HasValue ? (long?)null : Math.Max(0, bytes.Value - (seed.Method == StoreSeedMethod.FullSync ? 0 : seed.LinkedBytes));

        private StoreSeed FullSync(DatabaseBackupItem item, string why)
        {
            _context.Verbose(why);
            return new StoreSeed { Method = StoreSeedMethod.FullSync, Note = why };
        }

        /// <summary>
        /// True when <paramref name="set"/> can seed a later version of backup <paramref name="name"/>: a Completed
        /// -Versioned DoltBackup set of that name (the staging pruner keeps a version unless a newer one is such a set).
        /// </summary>
        internal static bool CanSeed(BackupManifest set, string name)
            => set.Name == name && set.Method == BackupMethod.DoltBackup && set.Destination != null && set.Destination.Versioned && set.Status == BackupStatus.Completed;

        /// <summary>The newest Completed version of the same backup name, older than this one, under the same base.</summary>
        private BackupManifest FindPrevious()
        {
            var m = _context.Manifest;
            string root;
            try
            {
                root = BackupUrls.LocalPath(_versionsUrl);
                if (!Directory.Exists(root))
                {
                    return null;
                }
                DateTime mine = BackupSetTime.Of(m);
                return BackupCatalog.ListRoot(root).Sets.FirstOrDefault(s => s.Id != m.Id && CanSeed(s, m.Name) && BackupSetTime.Of(s) < mine);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is UriFormatException)
            {
                _context.Verbose($"The earlier versions under {_versionsUrl} could not be listed ({e.Message}): full syncs.");
                return null;
            }
        }
    }
}
