using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Method DoltBackup: for each database, make sure the backup name is registered with the manifest's URL (a lost
    /// registration is restored; a name re-pointed elsewhere is refused), check the file:// ownership marker, record
    /// branch heads, tags and dolt_hashof_db(), then dolt_backup('sync', name). A -Versioned file:// store is first
    /// seeded from the previous version (<see cref="VersionSeeding"/>).
    /// </summary>
    public sealed class DoltBackupMethodRunner : IBackupMethodRunner
    {
        private readonly Linking.IHardLinker _linker;

        /// <summary>Creates the runner; <paramref name="linker"/> makes the hard links of versioned stores (default: the platform's).</summary>
        public DoltBackupMethodRunner(Linking.IHardLinker linker = null) => _linker = linker;

        /// <inheritdoc />
        public BackupMethod Method => BackupMethod.DoltBackup;

        /// <inheritdoc />
        public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
        {
            var seeding = new VersionSeeding(context, _linker);
            return context.RunItemsAsync((item, ct) => SyncOneAsync(context, seeding, item, ct), cancellationToken);
        }

        private static async Task<ItemOutcome> SyncOneAsync(SyncContext context, VersionSeeding seeding, DatabaseBackupItem item, CancellationToken ct)
        {
            var engine = context.Engine;
            string db = item.Name;
            string name = item.BackupName ?? context.Manifest.Name;
            var registered = await engine.ListBackupsAsync(db, ct).ConfigureAwait(false);
            var mine = registered.FirstOrDefault(b => b.Name == name);
            if (mine == null)
            {
                var other = registered.FirstOrDefault(b => BackupUrls.SameUrl(b.Url, item.Url));
                if (other != null)
                {
                    throw BackupFailures.UrlConflict(db, item.Url, $"backup '{other.Name}' of the same database");
                }
            }
            else if (!BackupUrls.SameUrl(mine.Url, item.Url))
            {
                throw BackupFailures.NameConflict(db, name, mine.Url, item.Url, duringSync: true);
            }

            string storeDir = null;
            OwnershipMarker expected = null;
            if (BackupUrls.IsFile(item.Url))
            {
                storeDir = BackupUrls.LocalPath(item.Url);
                lock (context.Gate)
                {
                    expected = BackupRegistrationService.NewMarker(item, context.Manifest);
                }
                var state = OwnershipMarkerStore.Check(storeDir, expected, out var found);
                if (state == OwnershipState.Foreign || state == OwnershipState.Unmarked)
                {
                    throw BackupFailures.Ownership(OwnershipMarkerStore.Describe(state, item.Url, found, expected), duringSync: true);
                }
                if (state == OwnershipState.Free)
                {
                    OwnershipMarkerStore.Claim(storeDir, expected);
                }
            }
            if (mine == null)
            {
                await engine.AddBackupAsync(db, name, item.Url, ct).ConfigureAwait(false);
                context.Verbose($"Database '{db}' had no backup named '{name}': registered it again with {item.Url}.");
            }

            // -Versioned file://: the store starts as hard links to the previous version's immutable files (issue 14).
            var seed = storeDir == null ? null : seeding.Prepare(item, storeDir, expected);
            var dbState = await engine.GetDatabaseStateAsync(db, ct).ConfigureAwait(false);
            await engine.SyncBackupAsync(db, name, ct).ConfigureAwait(false);
            long? bytes = storeDir == null ? (long?)null : DirectorySize(storeDir);
            return new ItemOutcome { State = dbState, Bytes = bytes, NewBytes = VersionSeeding.NewBytes(seed, bytes), Seed = seed };
        }

        private static long? DirectorySize(string dir)
        {
            try
            {
                return Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : (long?)null;
            }
            catch (IOException)
            {
                return null;
            }
            catch (System.UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
