using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Catalog;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Server;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Deletes old backup sets by a retention policy, or the sets piped in.</para>
    /// <para type="description">Keeps the newest Completed sets (-KeepLast), the sets inside a time window and the
    /// restore point the window needs (-OlderThan), and deletes the rest: the backup folder, the data of versioned
    /// file:// URLs the set alone owns, its EBS snapshots, and with -Unregister its server registration. The newest
    /// Completed set and any set a running sync holds are never deleted. One result per set says what happened and why.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "DoltBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PathSet)]
    [OutputType(typeof(BackupRemovalResult))]
    public sealed class RemoveDoltBackupCommand : DoltServerCmdlet
    {
        private const string PathSet = "Path";
        private const string InputObjectSet = "InputObject";
        private const string IncompleteSetName = "IncompleteSet";

        private readonly List<BackupManifest> _population = new List<BackupManifest>();
        private readonly List<BackupManifest> _context = new List<BackupManifest>();
        // Each piped incomplete set once (by location), with the context it is reached with (as _pipedContexts).
        private readonly List<(IncompleteBackupSet Set, global::DoltBackup.Storage.StorageContext Context)> _incomplete = new List<(IncompleteBackupSet, global::DoltBackup.Storage.StorageContext)>();
        private readonly HashSet<string> _incompleteLocations = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<string, IBackupUnregistrar> _unregistrars = new Dictionary<string, IBackupUnregistrar>(StringComparer.Ordinal);
        private ServerConnectionSettings _serverSettings;

        // The context each piped set is reached with (the -StorageContext given, else the one the set was read with):
        // the sets are deleted in EndProcessing, when the parameter holds only the last record's.
        private readonly Dictionary<BackupManifest, global::DoltBackup.Storage.StorageContext> _pipedContexts = new Dictionary<BackupManifest, global::DoltBackup.Storage.StorageContext>();

        /// <summary>A backup root: a folder with one folder per backup set.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, HelpMessage = "A backup root: a folder with one folder per backup set.")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Backup sets from Get-DoltBackup.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true, HelpMessage = "Backup sets from Get-DoltBackup.")]
        [ValidateNotNull]
        public BackupManifest[] InputObject { get; set; }

        /// <summary>Incomplete sets (set folders without manifest.json) from Get-DoltBackup -IncludeIncomplete.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncompleteSetName, ValueFromPipeline = true, HelpMessage = "Incomplete sets (set folders without manifest.json) from Get-DoltBackup -IncludeIncomplete.")]
        [ValidateNotNull]
        public IncompleteBackupSet[] IncompleteSet { get; set; }

        /// <summary>An incomplete set is deleted only when its newest file is at least this old (default 24 hours).</summary>
        [Parameter(ParameterSetName = InputObjectSet, HelpMessage = "Delete an incomplete set only when its newest file is at least this old (default 1.00:00:00, 24 hours): a backup under way looks the same.")]
        [Parameter(ParameterSetName = IncompleteSetName, HelpMessage = "Delete an incomplete set only when its newest file is at least this old (default 1.00:00:00, 24 hours): a backup under way looks the same.")]
        public TimeSpan IncompleteMinimumAge { get; set; } = DefaultIncompleteMinimumAge;

        /// <summary>The default of -IncompleteMinimumAge: the same 24 hours as the shared-table-file grace of -Versioned.</summary>
        public static readonly TimeSpan DefaultIncompleteMinimumAge = TimeSpan.FromHours(24);

        /// <summary>How to reach an s3://, az:// or Azure Blob https:// -Path (New-DoltBackupStorageContext); without it the default credential chain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Connection options for an s3://, az:// or Azure Blob https:// backup root, from New-DoltBackupStorageContext. A piped manifest passes along the one it was read or made with (Get-DoltBackup, New-DoltBackup, Sync-DoltBackup -StorageContext); one given here wins.")]
        public global::DoltBackup.Storage.StorageContext StorageContext { get; set; }

        /// <summary>Keep the newest N Completed sets of each backup name.</summary>
        [Parameter(HelpMessage = "Keep the newest N Completed sets of each backup name.")]
        [ValidateRange(1, int.MaxValue)]
        public int KeepLast { get; set; }

        /// <summary>Delete sets older than this, keeping the newest Completed set before the window as its restore point.</summary>
        [Parameter(HelpMessage = "Delete sets older than this time span, keeping the restore point the window needs.")]
        public TimeSpan OlderThan { get; set; }

        /// <summary>Also remove each deleted set's backup registration on the server (dolt_backup('remove')).</summary>
        [Parameter(HelpMessage = "Also remove the deleted sets' backup registrations on the server (dolt_backup('remove')).")]
        public SwitchParameter Unregister { get; set; }

        /// <summary>Deletes without asking for confirmation (for runbooks); -WhatIf still only lists.</summary>
        [Parameter(HelpMessage = "Delete without asking for confirmation (for runbooks); -WhatIf still deletes nothing.")]
        public SwitchParameter Force { get; set; }

        private RetentionPolicy Policy => new RetentionPolicy
        {
            KeepLast = MyInvocation.BoundParameters.ContainsKey(nameof(KeepLast)) ? KeepLast : (int?)null,
            OlderThan = MyInvocation.BoundParameters.ContainsKey(nameof(OlderThan)) ? OlderThan : (TimeSpan?)null,
        };

        private bool WhatIfActive
        {
            get
            {
                if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w))
                {
                    return w is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(w);
                }
                return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
            }
        }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            var policy = Policy;
            try
            {
                policy.Validate();
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidRetentionPolicy", ErrorCategory.InvalidArgument, policy.ToString(), "Give -KeepLast 1 or more and a positive -OlderThan.");
            }
            // Bound parameters, not the set's name: with piped input PowerShell may not have chosen the set yet.
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Path)) && policy.IsEmpty)
            {
                ThrowDoltError(new ArgumentException("Remove-DoltBackup -Path needs a retention policy: -KeepLast, -OlderThan, or both."),
                    "RetentionPolicyRequired", ErrorCategory.InvalidArgument, Path,
                    "Add -KeepLast N and/or -OlderThan <TimeSpan>, or pipe the sets to delete: Get-DoltBackup <root> -Status Failed | Remove-DoltBackup.");
            }
            if (IncompleteMinimumAge < TimeSpan.Zero)
            {
                ThrowDoltError(new ArgumentException($"-IncompleteMinimumAge {IncompleteMinimumAge} is negative."), "InvalidRetentionPolicy", ErrorCategory.InvalidArgument, IncompleteMinimumAge,
                    "Give a time span of zero or more, for example 2.00:00:00 for two days; nothing was deleted.");
            }
            if (Unregister && HasServerParameters)
            {
                try
                {
                    _serverSettings = BuildConnectionSettings();
                }
                catch (Exception e) when (!(e is PipelineStoppedException))
                {
                    ThrowDoltError(e, "ServerSettingsInvalid", ErrorCategory.InvalidArgument, ConfigPath ?? Server,
                        "Check -Server, -Port and -ConfigPath; nothing was deleted.");
                }
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == IncompleteSetName)
            {
                foreach (var set in IncompleteSet)
                {
                    if (_incompleteLocations.Add(set.Location))
                    {
                        _incomplete.Add((set, StorageContext ?? set.StorageContext));
                    }
                }
                return;
            }
            if (ParameterSetName == InputObjectSet)
            {
                foreach (var set in InputObject)
                {
                    if (string.IsNullOrEmpty(set.BackupFolder))
                    {
                        WriteDoltError(new ArgumentException($"The backup set {set.Id} has no backup folder, so there is nothing on disk to delete."),
                            "BackupSetNotFound", ErrorCategory.InvalidArgument, set, "Pipe sets read with Get-DoltBackup from their folders.");
                        continue;
                    }
                    _population.Add(set);
                    _pipedContexts[set] = StorageContext ?? set.SessionStorageContext;
                }
                return;
            }
            foreach (string p in Path)
            {
                if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(p))
                {
                    AddRemoteRoot(p);
                    continue;
                }
                string root = ResolveUserPath(p);
                if (!Directory.Exists(root))
                {
                    WriteDoltError(new DirectoryNotFoundException($"The backup root '{root}' does not exist."), "BackupRootNotFound", ErrorCategory.ObjectNotFound, p,
                        "Give the folder that holds one folder per backup set.");
                    continue;
                }
                if (BackupCatalog.IsBackupSetFolder(root))
                {
                    WriteDoltError(new ArgumentException($"'{root}' is a backup set folder, not a backup root: -Path takes the folder that holds the sets."),
                        "NotABackupRoot", ErrorCategory.InvalidArgument, p,
                        "Give the backup root to apply a policy, or pipe the set to delete it: Get-DoltBackup <set folder> | Remove-DoltBackup.");
                    continue;
                }
                var listing = ListRoot(root, warn: true);
                if (listing != null)
                {
                    _population.AddRange(listing.Sets);
                    _context.AddRange(listing.Sets);
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            // Piped input binds each record to its own set (manifests, incomplete sets): not -Path means piped.
            if (ParameterSetName != PathSet)
            {
                foreach (string root in _population.Where(s => !global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(s.BackupFolder)).Select(s => System.IO.Path.GetDirectoryName(LocalPath.Normalize(s.BackupFolder))).Where(r => r != null).Distinct(StringComparer.Ordinal))
                {
                    var listing = Directory.Exists(root) ? ListRoot(root, warn: false) : null;
                    if (listing != null)
                    {
                        _context.AddRange(listing.Sets);
                    }
                }
            }
            var comparer = new RetentionPlanner.SameSetComparer();
            var population = _population.Distinct(comparer).ToList();
            // The sets that stay: everything in the roots, the piped instances preferred; shrinks as sets are deleted.
            var remaining = new RemainingSets(population.Concat(_context));
            var policy = Policy;
            var plan = policy.IsEmpty
                ? RetentionPlanner.PlanChosen(population, _context)
                : RetentionPlanner.Plan(population, policy, DateTime.UtcNow);

            var remover = new BackupSetRemover(s => RetentionServices.SnapshotDeleterFactory?.Invoke(s), UnregistrarFor, Unregister);
            // Oldest first: should the run stop half-way, the newer sets are the ones still there.
            var decisionOf = plan.Decisions.ToDictionary(d => d.Set);
            var ordered = BackupSetTime.SortNewestFirst(plan.Decisions.Select(d => d.Set)).AsEnumerable().Reverse().Select(s => decisionOf[s]).ToList();
            int toDelete = ordered.Count(d => d.Action == RetentionAction.Delete), done = 0;
            var progress = new ProgressRecord(1, "Removing DoltBackup sets", $"{toDelete} of {ordered.Count} sets to delete ({policy})");
            try
            {
                foreach (var decision in ordered)
                {
                    if (decision.Action == RetentionAction.Keep)
                    {
                        WriteVerbose($"{decision.Set.Id}: kept: {decision.Reason}");
                        WriteObject(remover.Preview(decision, remaining));
                        continue;
                    }
                    progress.StatusDescription = $"Deleting {decision.Set.Id} ({done + 1} of {toDelete})";
                    progress.PercentComplete = toDelete == 0 ? 100 : Math.Min(100, done * 100 / toDelete);
                    WriteProgress(progress);
                    done++;
                    // An object-store set is only its own objects: nothing outside its prefix is deleted.
                    var preview = global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(decision.Set.BackupFolder)
                        ? RemotePreview(decision)
                        : remover.Preview(decision, remaining);
                    if (!Confirm(decision.Set, preview))
                    {
                        preview.Action = BackupRemovalAction.Skipped;
                        preview.Reason = (WhatIfActive ? "-WhatIf: would be deleted: " : "not confirmed: would be deleted: ") + decision.Reason;
                        if (WhatIfActive)
                        {
                            // What -WhatIf lists must be what a real run deletes: later sets see this one as gone.
                            remaining.Remove(decision.Set);
                        }
                        WriteObject(preview);
                        continue;
                    }
                    RemovalFailure failure = null;
                    var result = global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(decision.Set.BackupFolder)
                        ? RemoveRemote(decision.Set, decision.Reason)
                        : remover.Remove(decision.Set, decision.Reason, remaining, out failure);
                    if (failure != null)
                    {
                        WriteDoltError(failure.Exception, failure.ErrorId, failure.Category, decision.Set.BackupFolder, failure.RecommendedAction);
                    }
                    if (result.Action == BackupRemovalAction.Deleted)
                    {
                        remaining.Remove(decision.Set);
                        foreach (string left in result.LeftInPlace)
                        {
                            if (decision.Set.Destination.Versioned)
                            {
                                WriteWarning($"{decision.Set.Id}: left in place: {left}");
                            }
                            else
                            {
                                WriteVerbose($"{decision.Set.Id}: left in place: {left}");
                            }
                        }
                    }
                    WriteObject(result);
                }
                RemoveIncompleteSets();
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                progress.PercentComplete = 100;
                WriteProgress(progress);
                foreach (var u in _unregistrars.Values.OfType<IDisposable>())
                {
                    u.Dispose();
                }
            }
        }

        /// <summary>The sets of an object-store backup root (one listing, one read per manifest).</summary>
        private void AddRemoteRoot(string url)
        {
            try
            {
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(url, StorageContext))
                {
                    var listing = global::DoltBackup.Storage.Sets.RemoteSetCatalog.List(location, System.Threading.CancellationToken.None);
                    if (listing.Sets.Count == 1 && listing.Sets[0].BackupFolder == location.DisplayName)
                    {
                        WriteDoltError(new ArgumentException($"'{url}' is a backup set, not a backup root: -Path takes the location that holds the sets."),
                            "NotABackupRoot", ErrorCategory.InvalidArgument, url,
                            "Give the backup root to apply a policy, or pipe the set to delete it: Get-DoltBackup <set url> | Remove-DoltBackup.");
                        return;
                    }
                    foreach (var problem in listing.Problems)
                    {
                        WriteWarning($"Skipped '{problem.Path}': {problem.Error.Message}");
                    }
                    _population.AddRange(listing.Sets);
                    _context.AddRange(listing.Sets);
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
            }
        }

        /// <summary>
        /// Shared table files younger than this are kept even when no version names them yet: a backup under way
        /// uploads its table files before the store manifest that names them.
        /// </summary>
        internal static TimeSpan SharedFileGrace = TimeSpan.FromHours(24);

        /// <summary>What deleting an object-store set would delete: its objects, and a -Versioned version's staging copy on this host.</summary>
        private static BackupRemovalResult RemotePreview(RetentionDecision decision)
        {
            var preview = new BackupRemovalResult(decision.Set, BackupRemovalAction.Skipped, decision.Reason);
            var staging = StagingPruner.For(decision.Set, out _);
            if (staging != null)
            {
                preview.DataPaths = new[] { staging.Local.BackupFolder };
            }
            return preview;
        }

        /// <summary>
        /// After a -Versioned version is gone from the object store: its staging copy on this host goes too, unless the
        /// next version is seeded from it (see <see cref="StagingPruner"/>).
        /// </summary>
        private void PruneStaging(BackupManifest set, BackupRemovalResult result, string reason)
        {
            var staging = StagingPruner.For(set, out string keptBecause);
            if (staging == null)
            {
                if (keptBecause != null)
                {
                    WriteVerbose($"{set.Id}: {keptBecause}.");
                }
                return;
            }
            var local = staging.Remove(reason, out var failure);
            if (local.Action == BackupRemovalAction.Deleted)
            {
                result.DataPaths = new[] { staging.Local.BackupFolder };
                WriteVerbose($"{set.Id}: deleted its staging copy {staging.Local.BackupFolder}.");
            }
            else
            {
                result.LeftInPlace = result.LeftInPlace.Concat(new[] { staging.Local.BackupFolder }).ToArray();
                WriteWarning($"{set.Id}: its staging copy {staging.Local.BackupFolder} was not deleted: {failure?.Exception.Message ?? local.Reason}");
            }
        }

        /// <summary>Deletes an object-store set: only the objects under its own prefix, manifest.json first.</summary>
        private BackupRemovalResult RemoveRemote(BackupManifest set, string reason)
        {
            var result = new BackupRemovalResult(set, BackupRemovalAction.Failed, reason);
            try
            {
                var context = _pipedContexts.TryGetValue(set, out var piped) ? piped : StorageContext;
                using (var location = global::DoltBackup.Storage.BackupLocations.Open(set.BackupFolder, context))
                {
                    if (!global::DoltBackup.Storage.Sets.RemoteSetRemover.Remove(location, System.Threading.CancellationToken.None, out int deleted))
                    {
                        result.Action = BackupRemovalAction.Skipped;
                        result.Reason = "a writer holds the set's lock: " + reason;
                        return result;
                    }
                    WriteVerbose($"{set.Id}: deleted {deleted} objects under {location.DisplayName}.");
                    result.Action = BackupRemovalAction.Deleted;
                }
                PruneStaging(set, result, reason);
                if (set.Destination?.SharedStores == true)
                {
                    // Versions share table files under <root>/.stores: those no remaining version's store manifest names go too.
                    string setUrl = set.BackupFolder.TrimEnd('/');
                    using (var root = global::DoltBackup.Storage.BackupLocations.Open(setUrl.Substring(0, setUrl.LastIndexOf('/')), context))
                    {
                        try
                        {
                            int collected = global::DoltBackup.Storage.Sets.StagedStores.CollectSharedGarbage(root, SharedFileGrace, DateTime.UtcNow, System.Threading.CancellationToken.None);
                            WriteVerbose($"{set.Id}: deleted {collected} shared table files that no remaining version names, under {root.DisplayName}.");
                        }
                        catch (FormatException e)
                        {
                            WriteWarning($"{set.Id}: no shared table file was deleted under {root.DisplayName}: a store manifest there is unreadable ({e.Message}).");
                        }
                    }
                }
            }
            catch (global::DoltBackup.Storage.StorageException e)
            {
                WriteError(e.ToErrorRecord());
                result.Reason = e.Message;
            }
            return result;
        }

        /// <summary>
        /// The piped incomplete sets: each deleted under its lock when it still has no manifest.json, no writer holds
        /// its lock and its newest file is at least -IncompleteMinimumAge old. Retention never counts them.
        /// </summary>
        private void RemoveIncompleteSets()
        {
            DateTime now = DateTime.UtcNow;
            var progress = new ProgressRecord(2, "Removing incomplete DoltBackup sets", $"{_incomplete.Count} incomplete sets");
            int done = 0;
            foreach (var (set, context) in _incomplete)
            {
                progress.StatusDescription = $"{set.Id} ({done + 1} of {_incomplete.Count})";
                progress.PercentComplete = done++ * 100 / _incomplete.Count;
                WriteProgress(progress);
                var result = new BackupRemovalResult(set, BackupRemovalAction.Skipped, null);
                if (!IncompleteRemoval.OldEnough(set.LastWriteTimeUtc, IncompleteMinimumAge, now))
                {
                    // What the listing said is enough to refuse; the real run looks again under the lock.
                    result.Reason = new IncompleteRemoval(IncompleteRemovalOutcome.TooYoung, 0, set.LastWriteTimeUtc).Describe(IncompleteMinimumAge, now);
                    WriteVerbose($"{set.Id}: kept: {result.Reason}");
                    WriteObject(result);
                    continue;
                }
                string action = $"Delete incomplete backup set (no {BackupManifest.FileName}; {set.ObjectCount} files, {set.Size} bytes, newest written {set.LastWriteTimeUtc:yyyy-MM-dd HH:mm:ss}Z): {set.Location}";
                if (!ShouldDelete(set.Id, action))
                {
                    result.Reason = (WhatIfActive ? "-WhatIf: would be deleted" : "not confirmed: would be deleted") + " unless a writer holds its lock or its manifest.json has arrived: incomplete set (no manifest.json)";
                    WriteObject(result);
                    continue;
                }
                try
                {
                    IncompleteRemoval removal;
                    if (global::DoltBackup.Storage.StorageLocation.IsObjectStoreUrl(set.Location))
                    {
                        using (var location = global::DoltBackup.Storage.BackupLocations.Open(set.Location, context))
                        {
                            removal = global::DoltBackup.Storage.Sets.RemoteSetRemover.RemoveIncomplete(location, IncompleteMinimumAge, now, System.Threading.CancellationToken.None);
                        }
                    }
                    else
                    {
                        removal = LocalIncompleteSetRemover.Remove(set.Location, IncompleteMinimumAge, now);
                    }
                    result.Action = removal.Outcome == IncompleteRemovalOutcome.Deleted ? BackupRemovalAction.Deleted : BackupRemovalAction.Skipped;
                    result.Reason = removal.Describe(IncompleteMinimumAge, now);
                }
                catch (global::DoltBackup.Storage.StorageException e)
                {
                    WriteError(e.ToErrorRecord());
                    result.Action = BackupRemovalAction.Failed;
                    result.Reason = e.Message;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    WriteDoltError(e, "BackupSetDeleteFailed", ErrorCategory.WriteError, set.Location, "Check the permissions on the folder and run again; what is left is still an incomplete set.");
                    result.Action = BackupRemovalAction.Failed;
                    result.Reason = e.Message;
                }
                WriteObject(result);
            }
            if (_incomplete.Count > 0)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        private bool Confirm(BackupManifest set, BackupRemovalResult preview)
        {
            var what = new List<string> { "folder " + set.BackupFolder };
            what.AddRange(preview.DataPaths.Select(p => "data " + p));
            what.AddRange(preview.SnapshotIds.Select(s => "snapshot " + s));
            what.AddRange(preview.Unregistered.Select(r => "registration " + r));
            return ShouldDelete(set.Id, $"Delete backup set ({set.Status}, {BackupSetTime.Of(set):yyyy-MM-dd HH:mm:ss}Z): {string.Join("; ", what)}");
        }

        /// <summary>-Force deletes without asking (unless -Confirm or -WhatIf is given too); else ShouldProcess asks.</summary>
        private bool ShouldDelete(string id, string action)
        {
            if (Force && !MyInvocation.BoundParameters.ContainsKey("Confirm") && !WhatIfActive)
            {
                WriteVerbose($"{id}: {action}");
                return true;
            }
            return ShouldProcess(id, action);
        }

        private CatalogListing ListRoot(string root, bool warn)
        {
            try
            {
                var listing = BackupCatalog.ListRoot(root);
                foreach (var problem in listing.Problems)
                {
                    string text = $"Skipped '{problem.Path}': {problem.Error.Message}";
                    if (warn)
                    {
                        WriteWarning(text);
                    }
                    else
                    {
                        WriteVerbose(text);
                    }
                }
                return listing;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteDoltError(e, "BackupRootUnreadable", ErrorCategory.ReadError, root, "Run as a user that can list the backup root.");
                return null;
            }
        }

        private IBackupUnregistrar UnregistrarFor(BackupManifest set)
        {
            var factory = RetentionServices.UnregistrarFactory;
            if (factory == null)
            {
                return null;
            }
            var settings = _serverSettings?.Clone() ?? SettingsFromManifest(set);
            if (!_unregistrars.TryGetValue(settings.Endpoint, out var unregistrar))
            {
                unregistrar = factory(settings, set);
                if (unregistrar != null)
                {
                    _unregistrars[settings.Endpoint] = unregistrar;
                }
            }
            return unregistrar;
        }

        private ServerConnectionSettings SettingsFromManifest(BackupManifest set)
        {
            var settings = BuildConnectionSettings();
            if (!string.IsNullOrEmpty(set.Source.Server))
            {
                settings.Host = set.Source.Server;
            }
            if (set.Source.Port.HasValue)
            {
                settings.Port = set.Source.Port.Value;
            }
            return settings;
        }
    }
}
