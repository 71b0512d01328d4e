using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Catalog;
using DoltBackup.Common;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;

namespace DoltBackup.Cmdlets
{
    /// <summary>Restore-DoltBackup -AsOf / -AsOfCommit: the parameters and the cmdlet side of a point-in-time restore (the work is in Restore/PointInTime).</summary>
    public sealed partial class RestoreDoltBackupCommand
    {
        private const string AsOfPathSet = "AsOfPath";
        private const string AsOfInputObjectSet = "AsOfInputObject";
        private const string AsOfCommitPathSet = "AsOfCommitPath";
        private const string AsOfCommitInputObjectSet = "AsOfCommitInputObject";

        /// <summary>Restore each database as it stood at this moment (commit granularity).</summary>
        [Parameter(Mandatory = true, ParameterSetName = AsOfPathSet, HelpMessage = "Restore each database as it stood at this moment: the best set is chosen, then every branch goes back to its last commit at or before it (a time without a zone is local time).")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfInputObjectSet, HelpMessage = "Restore each database as it stood at this moment: the best set is chosen, then every branch goes back to its last commit at or before it (a time without a zone is local time).")]
        public DateTime AsOf { get; set; }

        /// <summary>Restore one database as of this commit: the branch whose line holds it goes back exactly to it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AsOfCommitPathSet, HelpMessage = "Restore one database as of this commit (hash, or at least its first 8 characters): the branch whose own line holds it goes back exactly to it, the others to their last commit at or before its date.")]
        [Parameter(Mandatory = true, ParameterSetName = AsOfCommitInputObjectSet, HelpMessage = "Restore one database as of this commit (hash, or at least its first 8 characters): the branch whose own line holds it goes back exactly to it, the others to their last commit at or before its date.")]
        [ValidatePattern("^[0-9a-vA-V]{8,32}$")]
        public string AsOfCommit { get; set; }

        private readonly List<BackupManifest> _pointInTimeSets = new List<BackupManifest>();

        private bool IsPointInTime => ParameterSetName == AsOfPathSet || ParameterSetName == AsOfInputObjectSet
                                      || ParameterSetName == AsOfCommitPathSet || ParameterSetName == AsOfCommitInputObjectSet;

        /// <summary>Collects the sets (from the pipeline, or every set under -Path); the choice is made once all are in.</summary>
        private void CollectPointInTimeSets()
        {
            if (InputObject != null && (ParameterSetName == AsOfInputObjectSet || ParameterSetName == AsOfCommitInputObjectSet))
            {
                _pointInTimeSets.Add(InputObject);
                return;
            }
            foreach (string p in Path ?? new string[0])
            {
                string full = ResolveUserPath(p);
                if (Directory.Exists(full) && !BackupCatalog.IsBackupSetFolder(full))
                {
                    CatalogListing listing;
                    try
                    {
                        listing = BackupCatalog.ListRoot(full);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        WriteDoltError(e, "BackupRootUnreadable", ErrorCategory.ReadError, p, "Give a backup root this account can read.");
                        continue;
                    }
                    foreach (var problem in listing.Problems)
                    {
                        WriteWarning($"A manifest under {full} could not be read and is not considered: {problem}");
                    }
                    _pointInTimeSets.AddRange(listing.Sets);
                }
                else
                {
                    var manifest = ReadManifest(p);
                    if (manifest != null)
                    {
                        _pointInTimeSets.Add(manifest);
                    }
                }
            }
        }

        /// <summary>The moment in UTC; a time without a zone is local time (said once).</summary>
        private DateTime MomentUtc()
        {
            switch (AsOf.Kind)
            {
                case DateTimeKind.Utc:
                    return AsOf;
                case DateTimeKind.Local:
                    return AsOf.ToUniversalTime();
                default:
                    var utc = DateTime.SpecifyKind(AsOf, DateTimeKind.Local).ToUniversalTime();
                    WriteWarning($"-AsOf {AsOf:yyyy-MM-dd HH:mm:ss} has no time zone: it is taken as local time, {utc:yyyy-MM-dd HH:mm:ss} UTC. Give a UTC time (for example '2026-11-23T14:00:00Z') to be exact.");
                    return utc;
            }
        }

        /// <summary>True under -WhatIf (or $WhatIfPreference) and -Confirm: the confirmation text is shown, so it carries the commits read from the store.</summary>
        private bool AsksBeforeWriting()
        {
            var bound = MyInvocation.BoundParameters;
            bool Switch(string name) => bound.TryGetValue(name, out object value) && value is SwitchParameter s && s.IsPresent;
            if (Switch("WhatIf") || Switch("Confirm"))
            {
                return true;
            }
            return !bound.ContainsKey("WhatIf") && LanguagePrimitives.IsTrue(SessionState?.PSVariable.GetValue("WhatIfPreference"));
        }

        private void RunPointInTime()
        {
            bool byCommit = ParameterSetName == AsOfCommitPathSet || ParameterSetName == AsOfCommitInputObjectSet;
            _activity = byCommit ? "Restore-DoltBackup -AsOfCommit " + AsOfCommit : "Restore-DoltBackup -AsOf";
            DateTime? moment = null;
            if (!byCommit)
            {
                moment = MomentUtc();
                if (moment.Value > DateTime.UtcNow)
                {
                    ThrowTerminatingError(DoltBackupErrors.Create($"-AsOf {moment.Value:yyyy-MM-dd HH:mm:ss} UTC is in the future: no backup can hold it. Nothing was restored.",
                        "AsOfInFuture", ErrorCategory.InvalidArgument, AsOf, "Give a moment in the past (a time without a zone is local time)."));
                }
            }
            var options = new PointInTimeOptions { MomentUtc = moment, Commit = byCommit ? AsOfCommit.ToLowerInvariant() : null, NewName = NewName, Prefix = Prefix, Force = Force.IsPresent };
            try
            {
                RestorePlanner.ValidateOptions(new RestoreOptions { NewName = NewName, Prefix = Prefix });
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidRestoreRequest", ErrorCategory.InvalidArgument, (object)NewName ?? Prefix, "Correct the parameters; nothing was restored.");
            }

            var problems = new List<PlanProblem>();
            var choices = PointInTimeSetSelector.Choose(_pointInTimeSets, Database, moment, problems);
            foreach (var problem in problems)
            {
                WriteError(DoltBackupErrors.Create(problem.Message, problem.ErrorId, problem.ErrorId == "NoCompletedBackupSet" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument,
                    problem.Target, problem.RecommendedAction));
            }
            if (choices.Count == 0)
            {
                return;
            }
            if ((byCommit || !string.IsNullOrEmpty(NewName)) && choices.Count > 1)
            {
                ThrowTerminatingError(DoltBackupErrors.Create(
                    $"{(byCommit ? "-AsOfCommit names a commit of one database" : "-NewName restores a single database")}, but {choices.Count} are selected ({string.Join(", ", choices.Select(c => c.Database))}). Nothing was restored.",
                    "InvalidRestoreRequest", ErrorCategory.InvalidArgument, byCommit ? AsOfCommit : NewName, "Pick one with -Database."));
            }
            foreach (var c in choices.Where(c => !c.CoversMoment))
            {
                WriteWarning($"No set of '{c.Database}' was taken at or after {moment.Value:yyyy-MM-dd HH:mm:ss} UTC; using the newest one, '{c.Set.Id}' (taken {c.TakenUtc:yyyy-MM-dd HH:mm:ss} UTC): commits made after it are in no backup.");
            }
            WriteWarning("A point-in-time restore brings back commits only: changes that were not committed at that moment are in no commit, and every restored branch has a clean working set.");

            IDoltEngine engine;
            try
            {
                var request = BuildEngineRequest();
                if (request.IsOffline)
                {
                    EnsureOfflineTarget(request.DataDir);
                }
                engine = DoltEngineFactory.Create(request);
            }
            catch (ArgumentException e)
            {
                ThrowDoltError(e, "InvalidRestoreRequest", ErrorCategory.InvalidArgument, TargetParameters, "Correct the parameters; nothing was restored.");
                return;
            }
            catch (DoltEngineException e)
            {
                ThrowTerminatingError(EngineError(e, DataDir ?? Server));
                return;
            }
            using (engine)
            {
                IReadOnlyList<string> existing;
                try
                {
                    existing = engine.ListDatabasesAsync(StopToken).GetAwaiter().GetResult();
                }
                catch (DoltEngineException e)
                {
                    WriteError(EngineError(e, engine.Description));
                    return;
                }
                var restorer = new PointInTimeRestorer(engine, new PointInTimeCallbacks
                {
                    ShouldProcess = (target, action) => ((IRestoreObserver)this).ShouldProcess(target, action),
                    Verbose = WriteVerbose,
                    Warning = WriteWarning,
                    Progress = (done, total, status) => ((IRestoreObserver)this).Progress(done, total, status),
                    // Only where the text is shown: the real restore reads the commits from the restored copy.
                    Preview = AsksBeforeWriting() ? PointInTimePreview.Read : (Func<PointInTimeSetChoice, PointInTimeOptions, PointInTimePreview>)null,
                    Result = r =>
                    {
                        WriteObject(r);
                        if (r.ErrorId != null)
                        {
                            WriteError(DoltBackupErrors.Create(r.Error, r.ErrorId, r.ErrorCategory, r.TargetName, r.RecommendedAction));
                        }
                    },
                });
                restorer.Restore(choices, options, existing, StopToken);
            }
        }
    }
}
