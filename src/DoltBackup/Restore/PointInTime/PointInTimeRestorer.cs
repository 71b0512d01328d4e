using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>What the user asked of a point-in-time restore.</summary>
    public sealed class PointInTimeOptions
    {
        /// <summary>The moment (UTC); null with <see cref="Commit"/>.</summary>
        public DateTime? MomentUtc { get; set; }

        /// <summary>-AsOfCommit: the commit one branch goes back to exactly.</summary>
        public string Commit { get; set; }

        /// <summary>Restore the single database under this name.</summary>
        public string NewName { get; set; }

        /// <summary>Restore every database as prefix + name.</summary>
        public string Prefix { get; set; }

        /// <summary>Replace an existing database of the target name.</summary>
        public bool Force { get; set; }
    }

    /// <summary>How <see cref="PointInTimeRestorer"/> talks to its caller; all called on the caller's thread.</summary>
    public sealed class PointInTimeCallbacks
    {
        /// <summary>Asks before anything is written (target, action); false: nothing is written for that database (-WhatIf, a "no").</summary>
        public Func<string, string, bool> ShouldProcess { get; set; } = (target, action) => true;
        /// <summary>Verbose text.</summary>
        public Action<string> Verbose { get; set; } = t => { };
        /// <summary>Warnings.</summary>
        public Action<string> Warning { get; set; } = t => { };
        /// <summary>Progress: done, total, status (null: finished).</summary>
        public Action<int, int, string> Progress { get; set; } = (d, t, s) => { };
        /// <summary>
        /// When set (-WhatIf, -Confirm), asked before the confirmation for what the restore would do to each branch,
        /// from the backup store read offline (<see cref="PointInTimePreview.Read"/>); null: the commits are only known once restored.
        /// </summary>
        public Func<PointInTimeSetChoice, PointInTimeOptions, PointInTimePreview> Preview { get; set; }
        /// <summary>One result per database.</summary>
        public Action<PointInTimeRestoreResult> Result { get; set; } = r => { };
    }

    /// <summary>
    /// Restores each chosen set (<see cref="PointInTimeSetSelector"/>) and moves it back to the moment
    /// (<see cref="PointInTimeCommitPlanner"/>). The history is read from the restored copy, because a backup store
    /// cannot be read without restoring it; so the commits are checked before the target is changed: a new name is
    /// restored to directly and dropped again when the moment cannot be restored to; an existing database (-Force) is
    /// only replaced after a scratch copy proved the moment restorable (the set is then restored twice). Then: tags later
    /// than the moment deleted, branches that did not exist yet deleted, every other branch moved to its commit (working
    /// set clean), and every branch and tag compared with the plan.
    /// </summary>
    public sealed class PointInTimeRestorer
    {
        private readonly IDoltEngine _engine;
        private readonly PointInTimeCallbacks _callbacks;

        /// <summary>A restorer over <paramref name="engine"/> (not disposed here).</summary>
        public PointInTimeRestorer(IDoltEngine engine, PointInTimeCallbacks callbacks)
        {
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _callbacks = callbacks ?? new PointInTimeCallbacks();
        }

        /// <summary>The target name of a database (-NewName, or -Prefix + name).</summary>
        public static string TargetName(string database, PointInTimeOptions options)
            => !string.IsNullOrEmpty(options.NewName) ? options.NewName : (options.Prefix ?? "") + database;

        /// <summary>Restores every choice; results go to the callbacks and are returned.</summary>
        public List<PointInTimeRestoreResult> Restore(IReadOnlyList<PointInTimeSetChoice> choices, PointInTimeOptions options, IReadOnlyCollection<string> existingDatabases, CancellationToken ct)
        {
            var existing = new HashSet<string>(existingDatabases ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            var results = new List<PointInTimeRestoreResult>();
            try
            {
                for (int i = 0; i < choices.Count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    var choice = choices[i];
                    _callbacks.Progress(i, choices.Count, $"Database {choice.Database} ({i + 1} of {choices.Count})");
                    var result = RestoreOne(choice, options, existing.Contains(TargetName(choice.Database, options)), ct);
                    if (result != null)
                    {
                        results.Add(result);
                        _callbacks.Result(result);
                    }
                }
            }
            finally
            {
                _callbacks.Progress(choices.Count, choices.Count, null);
            }
            return results;
        }

        private PointInTimeRestoreResult RestoreOne(PointInTimeSetChoice choice, PointInTimeOptions options, bool targetExists, CancellationToken ct)
        {
            string target = TargetName(choice.Database, options);
            var result = new PointInTimeRestoreResult
            {
                Database = choice.Database, TargetName = target, BackupId = choice.Set.Id ?? choice.Set.Name, SetTakenUtc = choice.TakenUtc,
                SetCoversMoment = choice.CoversMoment, AsOfUtc = options.MomentUtc ?? choice.TakenUtc, AsOfCommit = options.Commit, SourceUrl = choice.Item.Url,
                Target = _engine.Description, Status = RestoreStatus.Skipped, Verification = VerificationOutcome.NotChecked,
            };
            if (!DatabaseNameRules.IsValid(target))
            {
                return Fail(result, RestoreStatus.Skipped, "InvalidDatabaseName", ErrorCategory.InvalidArgument,
                    $"'{target}' is not a usable database name (letters, digits, '_', '-' or '$' only); nothing was restored.", "Restore under a usable name with -NewName or -Prefix.");
            }
            if (targetExists && !options.Force)
            {
                return Fail(result, RestoreStatus.Skipped, "DatabaseExists", ErrorCategory.ResourceExists,
                    $"Database '{target}' already exists; nothing was restored.",
                    "Restore beside it with -NewName or -Prefix, or replace it with -Force (Dolt moves the existing database to .dolt_dropped_databases/).");
            }
            string what = options.Commit != null
                ? $"restore '{choice.Database}' from the newest set '{result.BackupId}' (taken {PointInTimeCommitPlanner.Format(choice.TakenUtc)}) as '{target}'{(targetExists ? ", REPLACING the existing database" : "")}, then move the branch(es) whose own line holds commit {options.Commit} exactly to it and every other branch to its last commit at or before that commit's date"
                : $"restore '{choice.Database}' from the set '{result.BackupId}' (taken {PointInTimeCommitPlanner.Format(choice.TakenUtc)}, {(choice.CoversMoment ? "the earliest set taken at or after the moment" : "the newest set, taken BEFORE the moment: later commits are in no backup")}) as '{target}'{(targetExists ? ", REPLACING the existing database" : "")}, then move each branch to its last commit at or before {PointInTimeCommitPlanner.Format(options.MomentUtc.Value)}";
            string branches = string.Join(", ", (choice.Item.Branches ?? new List<RefHead>()).Select(b => b.Name + "@" + b.Hash));
            string action = Capitalize(what) + $". Branches in the set: {branches}. ";
            var preview = _callbacks.Preview?.Invoke(choice, options);
            if (preview != null)
            {
                _callbacks.Verbose(preview.Plan != null
                    ? $"Read the history of '{choice.Database}' from its backup store offline: {preview.CommitsRead} commits, {preview.ChunksRead} of {preview.StoreChunks} chunks."
                    : $"The backup store of '{choice.Database}' was not read offline: {preview.Unreadable}.");
                action += preview.Describe();
            }
            else
            {
                action += "The commit for each branch is chosen from the restored history (dolt_log)";
            }
            if (!_callbacks.ShouldProcess($"{target} on {_engine.Description}", action))
            {
                return null;
            }

            var watch = Stopwatch.StartNew();
            string scratch = targetExists ? ScratchName(target) : target;
            bool created = false;
            string untouched = targetExists ? $" '{target}' is untouched." : "";
            string onFailure = " Nothing was restored." + untouched;
            try
            {
                _callbacks.Verbose($"Restoring '{choice.Database}' from {choice.Item.Url} into '{scratch}'{(targetExists ? " (a scratch copy: the existing database is replaced only once the moment proves restorable)" : "")}.");
                _engine.RestoreBackupAsync(choice.Item.Url, scratch, false, ct).GetAwaiter().GetResult();
                created = true;
                onFailure = " Nothing stays restored (the copy was dropped)." + untouched;
                var state = _engine.GetDatabaseStateAsync(scratch, ct).GetAwaiter().GetResult();
                var setDiffs = new List<string>();
                if (HeadsVerifier.Verify(choice.Item, ToRestored(state), setDiffs) == VerificationOutcome.Mismatch)
                {
                    Drop(scratch, ct);
                    created = false;
                    return Fail(result, RestoreStatus.Failed, "RestoreVerificationMismatch", ErrorCategory.InvalidResult,
                        $"The restored copy of '{choice.Database}' differs from the set's manifest ({string.Join("; ", setDiffs)}); it was dropped and nothing was moved.",
                        "Restore from another set (Get-DoltBackup), or check the backup store.");
                }
                string defaultBranch = _engine.GetCheckedOutBranchAsync(scratch, ct).GetAwaiter().GetResult();
                var logs = new Dictionary<string, IReadOnlyList<DoltCommit>>(StringComparer.Ordinal);
                foreach (var b in state.Branches)
                {
                    logs[b.Name] = _engine.GetBranchLogAsync(scratch, b.Name, ct).GetAwaiter().GetResult();
                }
                var heads = new DatabaseBackupItem { Branches = state.Branches, Tags = state.Tags };
                var plan = PointInTimeCommitPlanner.Plan(heads, defaultBranch, logs, options.MomentUtc ?? DateTime.MaxValue, options.Commit, choice.BranchesSeenBefore);
                result.AsOfUtc = plan.MomentUtc;
                if (plan.ErrorId != null)
                {
                    Drop(scratch, ct);
                    created = false;
                    return Fail(result, RestoreStatus.Skipped, plan.ErrorId, ErrorCategory.InvalidArgument,
                        $"'{choice.Database}' cannot be restored as of that point: {plan.Error} Nothing was restored{(targetExists ? $" ('{target}' is untouched)" : "")}.",
                        plan.ErrorId == "AsOfBeforeFirstCommit" ? "Give a later -AsOf." : "Check the commit with SELECT * FROM dolt_log on the live database, or use -AsOf.");
                }
                if (targetExists)
                {
                    Drop(scratch, ct);
                    created = false;
                    onFailure = $" '{target}' was being replaced by the set: check it (Dolt keeps the replaced database in .dolt_dropped_databases/).";
                    _callbacks.Verbose($"The moment is restorable; replacing '{target}' with the set.");
                    _engine.RestoreBackupAsync(choice.Item.Url, target, true, ct).GetAwaiter().GetResult();
                }
                created = false; // from here on the target holds the set: it is reported, never dropped
                onFailure = $" '{target}' was restored and its branches set for the moment, but its heads could not be read back to verify them.";
                Apply(target, plan, result, ct);
                result.Status = result.ErrorId == null ? RestoreStatus.Restored : RestoreStatus.Failed;
                result.Branches = plan.Branches;
                result.DeletedTags = plan.DeletedTags;
                foreach (var t in plan.TagsOfUnknownDate)
                {
                    _callbacks.Verbose($"Tag '{t}' of '{target}' points to a commit on no branch, so its date is unknown: it is kept.");
                }
                var after = _engine.GetDatabaseStateAsync(target, ct).GetAwaiter().GetResult();
                result.Verification = HeadsVerifier.Verify(plan.Expected(), ToRestored(after), result.Differences);
                if (result.Verification == VerificationOutcome.Mismatch && result.ErrorId == null)
                {
                    Fail(result, RestoreStatus.Restored, "RestoreVerificationMismatch", ErrorCategory.InvalidResult,
                        $"'{target}' was restored, but it differs from the commits chosen for the moment: {string.Join("; ", result.Differences)}.",
                        "Check the restored database by hand (SELECT * FROM dolt_branches).");
                }
                var unresolved = plan.Branches.Where(b => b.Action == BranchAsOfAction.Unresolved).Select(b => b.Branch).ToList();
                if (unresolved.Count > 0 && result.ErrorId == null)
                {
                    Fail(result, RestoreStatus.Restored, "PointInTimeBranchUnresolved", ErrorCategory.InvalidResult,
                        $"'{target}' was restored, but no commit at or before the moment is reachable on the line of branch(es) {string.Join(", ", unresolved)} (history rewritten or collected since): they were left at their heads in the set.",
                        "Inspect those branches (SELECT * FROM dolt_log('<branch>')) and move or delete them by hand.");
                }
            }
            catch (Exception e) when ((e is OperationCanceledException || e is PipelineStoppedException) && created)
            {
                // Stopped (Ctrl+C) after the copy was made but before it was set for the moment: it holds the set, not
                // the moment asked for, so it goes (the replaced database, if any, was not touched yet).
                TryDrop(scratch, CancellationToken.None);
                _callbacks.Warning($"Stopped: the copy '{scratch}' restored from the set was dropped again.{untouched}");
                throw;
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is PipelineStoppedException))
            {
                // A copy made before the history was read is not the moment asked for: it goes again (a new name, or the scratch copy).
                if (created)
                {
                    TryDrop(scratch, ct);
                }
                var (errorId, category, whatToDo) = Classify(e);
                Fail(result, RestoreStatus.Failed, errorId, category, $"Restoring '{choice.Database}' to a point in time failed: {e.Message}{onFailure}", whatToDo);
            }
            result.Duration = watch.Elapsed;
            return result;
        }

        /// <summary>
        /// The error id, category and recommended action of a failed point-in-time restore: the engine's and the
        /// object store's own, else by the kind of failure (the set unreadable, access denied, a damaged store).
        /// </summary>
        internal static (string ErrorId, ErrorCategory Category, string RecommendedAction) Classify(Exception e)
        {
            const string failed = "PointInTimeRestoreFailed";
            const string again = "Read the error, fix its cause, and run the restore again.";
            switch (e)
            {
                case DoltEngineException de:
                    return (de.ErrorId ?? failed, de.Category, de.RecommendedAction ?? again);
                case RestoreEngineException re:
                    return (re.ErrorId ?? failed, re.Category, re.RecommendedAction ?? again);
                case Storage.StorageException se:
                    return (se.ErrorId, se.Category, se.RecommendedAction ?? again);
                case UnauthorizedAccessException _:
                    return (failed, ErrorCategory.PermissionDenied, "Run as a user that may read the backup set and write the target, then run the restore again.");
                case System.IO.IOException _:
                    // The module itself only reads here (the set's stores); Dolt's writes fail as DoltEngineException.
                    return (failed, ErrorCategory.ReadError, "Check that the backup set is readable (disk, network share, permissions), then run the restore again.");
                case DoltStore.DoltStoreFormatException _:
                    return (failed, ErrorCategory.InvalidData, "The set's Dolt store is damaged: run Test-DoltBackup on it, and restore from another set.");
                default:
                    return (failed, ErrorCategory.NotSpecified, again);
            }
        }

        private void Apply(string target, PointInTimeDatabasePlan plan, PointInTimeRestoreResult result, CancellationToken ct)
        {
            var failures = new List<string>();
            foreach (var tag in plan.DeletedTags)
            {
                Try(() => _engine.DeleteTagAsync(target, tag, ct), $"delete tag '{tag}'", failures);
            }
            foreach (var b in plan.Branches.Where(b => b.Action == BranchAsOfAction.Deleted))
            {
                Try(() => _engine.DeleteBranchAsync(target, b.Branch, ct), $"delete branch '{b.Branch}'", failures);
            }
            // An unchanged branch is set to its commit too: that cleans its working set, which the set may hold dirty.
            foreach (var b in plan.Branches.Where(b => b.Action == BranchAsOfAction.Moved || b.Action == BranchAsOfAction.Unchanged))
            {
                _callbacks.Verbose(b.Action == BranchAsOfAction.Moved
                    ? $"'{target}': branch '{b.Branch}' {b.SetHead} -> {b.Commit} ({PointInTimeCommitPlanner.Format(b.CommitDateUtc.Value)}: {b.Message})."
                    : $"'{target}': branch '{b.Branch}' stays at {b.Commit} ({PointInTimeCommitPlanner.Format(b.CommitDateUtc.Value)}: {b.Message}); its working set is cleaned.");
                Try(() => _engine.MoveBranchAsync(target, b.Branch, b.Commit, ct), $"move branch '{b.Branch}' to {b.Commit}", failures);
            }
            if (failures.Count > 0)
            {
                Fail(result, RestoreStatus.Failed, "PointInTimeMoveFailed", ErrorCategory.WriteError,
                    $"'{target}' was restored from the set, but {failures.Count} step(s) failed: {string.Join("; ", failures)}.",
                    "Fix the cause and run the restore again with -Force, or finish the listed steps by hand (CALL dolt_branch('-f', ...)).");
            }
        }

        private static void Try(Func<System.Threading.Tasks.Task> step, string what, List<string> failures)
        {
            try
            {
                step().GetAwaiter().GetResult();
            }
            catch (DoltEngineException e)
            {
                failures.Add(what + ": " + e.Message);
            }
        }

        private void Drop(string database, CancellationToken ct) => _engine.DropDatabaseAsync(database, ct).GetAwaiter().GetResult();

        private void TryDrop(string database, CancellationToken ct)
        {
            try
            {
                Drop(database, ct);
            }
            catch (DoltEngineException e)
            {
                _callbacks.Warning($"The scratch copy '{database}' could not be dropped ({e.Message}); drop it by hand: DROP DATABASE `{database}`.");
            }
        }

        /// <summary>A scratch name beside the target (at most 64 characters, as Dolt allows).</summary>
        internal static string ScratchName(string target)
        {
            string suffix = "_asof_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            return (target.Length + suffix.Length > 64 ? target.Substring(0, 64 - suffix.Length) : target) + suffix;
        }

        private static RestoredDatabaseState ToRestored(DatabaseState s) => new RestoredDatabaseState { Branches = s.Branches, Tags = s.Tags, WorkingSetHash = s.WorkingSetHash };

        private static PointInTimeRestoreResult Fail(PointInTimeRestoreResult r, RestoreStatus status, string id, ErrorCategory category, string message, string action)
        {
            r.Status = status;
            r.ErrorId = id;
            r.ErrorCategory = category;
            r.Error = message;
            r.RecommendedAction = action;
            return r;
        }

        private static string Capitalize(string s) => string.IsNullOrEmpty(s) ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
    }
}
