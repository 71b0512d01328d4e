using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// New-DoltBackup's work: plans each database's URL under the destination, checks every conflict (the name with
    /// another URL, a URL used by another backup or database, a file:// store owned by someone else), then registers
    /// with dolt_backup('add') where needed and claims file:// stores with an ownership marker.
    /// </summary>
    public sealed class BackupRegistrationService
    {
        private readonly IDoltEngine _engine;

        /// <summary>Creates the service.</summary>
        public BackupRegistrationService(IDoltEngine engine) => _engine = engine;

        /// <summary>Works out what to do; changes nothing.</summary>
        public async Task<BackupPlan> PlanAsync(NewBackupRequest request, CancellationToken ct)
        {
            if (!BackupId.IsValidName(request.Name))
            {
                throw new ArgumentException($"'{request.Name}' is not a usable backup name: use 1-64 letters, digits, '_' or '-'.");
            }
            string label = BackupId.Label(request.NowUtc);
            var manifest = new BackupManifest
            {
                Id = BackupId.Create(request.Name, request.NowUtc),
                Name = request.Name,
                Method = request.Method,
                CreatedUtc = request.NowUtc,
                ModuleVersion = Common.ModuleInfo.Version,
                Source = request.Source ?? new BackupSource(),
                Status = BackupStatus.Configured,
                Destination = new BackupDestination
                {
                    BaseUrl = request.Method == BackupMethod.DoltBackup ? BackupUrls.SetUrl(request.BaseUrl, request.Versioned ? label : null) : null,
                    Versioned = request.Versioned,
                    BackupFolder = request.BackupFolder ?? DefaultFolder(request, label),
                },
            };
            var plan = new BackupPlan { Manifest = manifest };

            var all = await _engine.ListDatabasesAsync(ct).ConfigureAwait(false);
            var selected = DatabaseSelector.Select(all, request.Include, request.Exclude, out var missing);
            plan.MissingDatabases = missing;
            if (request.Method == BackupMethod.Push)
            {
                manifest.Source.Remote = request.Remote;
                manifest.AddWarning(PushWarning);
                foreach (var db in selected)
                {
                    plan.Databases.Add(await PlanPushAsync(db, request, ct).ConfigureAwait(false));
                }
                return Finish(plan, selected);
            }

            // Every registration of every database: a URL one database uses must not be given to another.
            var registrations = await BulkBackupListing.TryListAsync(_engine, all, ct).ConfigureAwait(false)
                                ?? new Dictionary<string, IReadOnlyList<DoltRemoteEntry>>(StringComparer.Ordinal);
            foreach (var db in all.Where(d => !registrations.ContainsKey(d)))
            {
                try
                {
                    registrations[db] = await _engine.ListBackupsAsync(db, ct).ConfigureAwait(false);
                }
                catch (DoltEngineException e) when (!selected.Contains(db) && e.Kind != DoltErrorKind.Cancelled && !e.IsConnectionLevel)
                {
                    plan.Warnings.Add($"The backups of database '{db}' could not be listed, so its URLs were not checked for conflicts: {e.Message}");
                }
                catch (DoltEngineException e) when (selected.Contains(db) && e.Kind != DoltErrorKind.Cancelled && !e.IsConnectionLevel)
                {
                    registrations[db] = null;
                    var item = NewItem(db, request, label);
                    plan.Databases.Add(new PlannedDatabase { Item = item, Action = RegistrationAction.None, Problem = e });
                }
            }

            var planned = new HashSet<string>(plan.Databases.Select(p => p.Item.Name), StringComparer.Ordinal);
            var urls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var db in selected)
            {
                if (planned.Contains(db))
                {
                    continue;
                }
                var item = NewItem(db, request, label);
                var p = new PlannedDatabase { Item = item };
                plan.Databases.Add(p);
                if (BackupUrls.IsFile(item.Url) && IsReservedName(db))
                {
                    p.Problem = new DoltEngineException(DoltErrorKind.InvalidUrl,
                        $"Database '{db}' cannot be backed up to {item.Url}: that name is a file DoltBackup keeps in the backup folder.", "ReservedName",
                        System.Management.Automation.ErrorCategory.InvalidArgument, "Back this database up to its own -Destination (with -Database).");
                    continue;
                }
                if (urls.TryGetValue(item.Url, out var other))
                {
                    p.Problem = BackupFailures.UrlConflict(db, item.Url, $"database '{other}' of this backup set (their names differ only in letter case)");
                    continue;
                }
                urls[item.Url] = db;

                var mine = registrations.TryGetValue(db, out var r) && r != null ? r : Array.Empty<DoltRemoteEntry>();
                var byOther = registrations.Where(kv => kv.Key != db && kv.Value != null)
                    .SelectMany(kv => kv.Value.Where(e => BackupUrls.SameUrl(e.Url, item.Url)).Select(e => $"backup '{e.Name}' of database '{kv.Key}'"))
                    .FirstOrDefault();
                if (byOther != null)
                {
                    p.Problem = BackupFailures.UrlConflict(db, item.Url, byOther);
                    continue;
                }
                var sameUrlOtherName = mine.FirstOrDefault(e => e.Name != request.Name && BackupUrls.SameUrl(e.Url, item.Url));
                if (sameUrlOtherName != null)
                {
                    p.Problem = BackupFailures.UrlConflict(db, item.Url, $"backup '{sameUrlOtherName.Name}' of the same database");
                    continue;
                }
                var existing = mine.FirstOrDefault(e => e.Name == request.Name);
                if (existing == null)
                {
                    p.Action = RegistrationAction.Add;
                }
                else if (BackupUrls.SameUrl(existing.Url, item.Url))
                {
                    p.Action = RegistrationAction.AlreadyRegistered;
                }
                else if (request.Force || (request.Versioned && BackupUrls.IsVersionOf(existing.Url, request.BaseUrl, db)))
                {
                    p.Action = RegistrationAction.Replace;
                    p.ReplacedUrl = existing.Url;
                }
                else
                {
                    p.Problem = BackupFailures.NameConflict(db, request.Name, existing.Url, item.Url, duringSync: false);
                    continue;
                }

                if (BackupUrls.IsFile(item.Url))
                {
                    p.StoreDir = BackupUrls.LocalPath(item.Url);
                    p.Marker = NewMarker(item, manifest);
                    var state = OwnershipMarkerStore.Check(p.StoreDir, p.Marker, out var found);
                    if ((state == OwnershipState.Foreign || state == OwnershipState.Unmarked) && !request.Force)
                    {
                        p.Problem = BackupFailures.Ownership(OwnershipMarkerStore.Describe(state, item.Url, found, p.Marker), duringSync: false);
                        continue;
                    }
                    p.AlreadyClaimed = state == OwnershipState.Owned;
                }
                p.Description = p.Action == RegistrationAction.AlreadyRegistered
                    ? $"Keep backup '{request.Name}' -> {item.Url} (already registered)"
                    : p.Action == RegistrationAction.Replace
                        ? $"Re-point backup '{request.Name}' from {p.ReplacedUrl} to {item.Url}"
                        : $"Register backup '{request.Name}' -> {item.Url}";
            }
            if (!BackupUrls.IsFile(request.BaseUrl))
            {
                manifest.AddWarning($"Destinations of scheme '{BackupUrls.Scheme(request.BaseUrl)}' cannot carry DoltBackup's ownership marker: make sure no other database or server syncs into {request.BaseUrl}, as Dolt overwrites a backup silently.");
            }
            return Finish(plan, selected);
        }

        private static BackupPlan Finish(BackupPlan plan, IReadOnlyList<string> selected)
        {
            var order = selected.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
            plan.Databases = plan.Databases.OrderBy(p => order.TryGetValue(p.Item.Name, out var i) ? i : int.MaxValue).ToList();
            plan.Manifest.Databases = plan.Databases.Select(p => p.Item).ToList();
            return plan;
        }

        private static bool IsReservedName(string db)
            => string.Equals(db, BackupManifest.FileName, StringComparison.OrdinalIgnoreCase)
               || string.Equals(db, Locking.BackupSetLock.FileName, StringComparison.OrdinalIgnoreCase)
               || db.EndsWith(OwnershipMarkerStore.Suffix, StringComparison.OrdinalIgnoreCase);

        /// <summary>The message every Push set carries.</summary>
        public const string PushWarning = "Method Push sends committed data only: uncommitted working-set changes, the staged set and anything not reachable from a branch head do not travel. Use the DoltBackup method for a complete backup.";

        private async Task<PlannedDatabase> PlanPushAsync(string db, NewBackupRequest request, CancellationToken ct)
        {
            var item = new DatabaseBackupItem { Name = db, BackupName = request.Remote, Status = ItemStatus.Pending };
            var p = new PlannedDatabase { Item = item, Action = RegistrationAction.UseRemote };
            try
            {
                var remotes = await _engine.ListRemotesAsync(db, ct).ConfigureAwait(false);
                var remote = remotes.FirstOrDefault(r => r.Name == request.Remote);
                if (remote == null)
                {
                    p.Action = RegistrationAction.None;
                    p.Problem = BackupFailures.RemoteMissing(db, request.Remote);
                }
                else
                {
                    item.Url = remote.Url;
                    p.Description = $"Push every branch to remote '{request.Remote}' ({remote.Url})";
                }
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled && !e.IsConnectionLevel)
            {
                p.Action = RegistrationAction.None;
                p.Problem = e;
            }
            return p;
        }

        private static DatabaseBackupItem NewItem(string db, NewBackupRequest request, string label) => new DatabaseBackupItem
        {
            Name = db,
            BackupName = request.Name,
            Url = BackupUrls.ForDatabase(request.BaseUrl, db, request.Versioned ? label : null),
            Status = ItemStatus.Pending,
        };

        /// <summary>The marker that claims an item's store for this set.</summary>
        public static OwnershipMarker NewMarker(DatabaseBackupItem item, BackupManifest manifest) => new OwnershipMarker
        {
            Database = item.Name,
            BackupName = item.BackupName,
            Source = manifest.Source?.ToString(),
            SetId = manifest.Id,
            ClaimedUtc = DateTime.UtcNow,
        };

        private static string DefaultFolder(NewBackupRequest request, string label)
        {
            if (request.Method != BackupMethod.DoltBackup || !BackupUrls.IsFile(request.BaseUrl))
            {
                return null;
            }
            string local = BackupUrls.LocalPath(request.BaseUrl);
            return request.Versioned ? Path.Combine(local, label) : local;
        }

        /// <summary>
        /// Carries out one planned database: remove/add as planned, claim the file:// store (a store this database and
        /// backup name already own keeps its marker: no write). On success the item is
        /// Configured; a failure leaves it Pending with its error recorded, and is thrown.
        /// </summary>
        public Task ApplyAsync(PlannedDatabase p, CancellationToken ct) => ApplyAsync(p, null, ct);

        /// <summary>
        /// As <see cref="ApplyAsync(PlannedDatabase, CancellationToken)"/>; with <paramref name="claims"/> the marker is
        /// written in the background, beside the next databases' registrations (each marker write waits for the disk),
        /// and <see cref="MarkerClaims.Finish"/> collects the outcome before the manifest is written.
        /// </summary>
        public async Task ApplyAsync(PlannedDatabase p, MarkerClaims claims, CancellationToken ct)
        {
            try
            {
                if (p.Problem != null)
                {
                    throw p.Problem;
                }
                var item = p.Item;
                switch (p.Action)
                {
                    case RegistrationAction.Replace:
                        await _engine.RemoveBackupAsync(item.Name, item.BackupName, ct).ConfigureAwait(false);
                        await _engine.AddBackupAsync(item.Name, item.BackupName, item.Url, ct).ConfigureAwait(false);
                        break;
                    case RegistrationAction.Add:
                        await _engine.AddBackupAsync(item.Name, item.BackupName, item.Url, ct).ConfigureAwait(false);
                        break;
                }
                if (p.StoreDir != null && !p.AlreadyClaimed)
                {
                    if (claims != null)
                    {
                        claims.Start(p);
                    }
                    else
                    {
                        OwnershipMarkerStore.Claim(p.StoreDir, p.Marker);
                    }
                }
                item.Status = ItemStatus.Configured;
                item.Error = null;
            }
            catch (DoltEngineException e)
            {
                p.Item.Status = ItemStatus.Pending;
                p.Item.Error = e.Message;
                throw;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw MarkerWriteFailed(p, e);
            }
        }

        private static DoltEngineException MarkerWriteFailed(PlannedDatabase p, Exception e)
        {
            p.Item.Status = ItemStatus.Pending;
            p.Item.Error = e.Message;
            return new DoltEngineException(DoltErrorKind.Other, $"Could not write the ownership marker beside {p.StoreDir}: {e.Message}", "MarkerWriteFailed",
                System.Management.Automation.ErrorCategory.WriteError, "Make the destination folder writable for this user.", null, e);
        }

        /// <summary>
        /// Marker writes started by <see cref="ApplyAsync(PlannedDatabase, MarkerClaims, CancellationToken)"/>, run by a few
        /// dedicated threads: each write waits for the disk (flushed before its rename), and writes in flight together
        /// share the file system's journal commits.
        /// </summary>
        public sealed class MarkerClaims
        {
            private const int Writers = 8;
            private readonly List<(PlannedDatabase Planned, Task Write)> _writes = new List<(PlannedDatabase, Task)>();
            private readonly System.Collections.Concurrent.BlockingCollection<(PlannedDatabase, TaskCompletionSource<bool>)> _queue =
                new System.Collections.Concurrent.BlockingCollection<(PlannedDatabase, TaskCompletionSource<bool>)>();
            private readonly List<Task> _writers = new List<Task>();

            internal void Start(PlannedDatabase p)
            {
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _writes.Add((p, done.Task));
                _queue.Add((p, done));
                if (_writers.Count < Writers)
                {
                    _writers.Add(Task.Factory.StartNew(Write, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
            }

            private void Write()
            {
                foreach (var (p, done) in _queue.GetConsumingEnumerable())
                {
                    try
                    {
                        OwnershipMarkerStore.Claim(p.StoreDir, p.Marker);
                        done.SetResult(true);
                    }
                    catch (Exception e)
                    {
                        done.SetException(e);
                    }
                }
            }

            /// <summary>Waits for every write; each one that failed puts its item back to Pending and is returned with its error.</summary>
            public IReadOnlyList<(PlannedDatabase Planned, DoltEngineException Error)> Finish()
            {
                _queue.CompleteAdding(); // the writers finish what is queued, then stop
                var failed = new List<(PlannedDatabase, DoltEngineException)>();
                foreach (var (p, write) in _writes)
                {
                    try
                    {
                        write.GetAwaiter().GetResult();
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        failed.Add((p, MarkerWriteFailed(p, e)));
                    }
                }
                _writes.Clear();
                Task.WaitAll(_writers.ToArray());
                return failed;
            }
        }
    }
}
