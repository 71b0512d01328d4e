using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Runs a <see cref="RestorePlan"/>: each database through the engine (restore, then the heads compared with the
    /// manifest), then the configuration files, then the grants script. Every action is confirmed through the observer
    /// first (so -WhatIf shows the whole plan and changes nothing); a failure of one database or group is reported and
    /// the rest goes on, except that after a connection-level failure the remaining databases are not tried.
    /// </summary>
    public sealed class RestoreOrchestrator
    {
        private readonly IRestoreEngine _engine;
        private readonly IConfigArtifactRestorer _config;
        private readonly IGrantsReplayer _grants;
        private readonly IRestoreObserver _observer;
        private readonly IFileCopyRestorer _fileCopy;

        /// <summary>
        /// An orchestrator. <paramref name="config"/> may be null when no configuration is restored; <paramref name="grants"/>
        /// is null when there is no server to replay grants on (offline mode); <paramref name="fileCopy"/> is needed only for
        /// FileCopy backups.
        /// </summary>
        public RestoreOrchestrator(IRestoreEngine engine, IConfigArtifactRestorer config, IGrantsReplayer grants, IRestoreObserver observer, IFileCopyRestorer fileCopy = null)
        {
            _fileCopy = fileCopy;
            _engine = engine ?? throw new ArgumentNullException(nameof(engine));
            _config = config;
            _grants = grants;
            _observer = observer ?? throw new ArgumentNullException(nameof(observer));
        }

        /// <summary>Runs the plan; results go to the observer as they are known and are also returned.</summary>
        public RestoreRunResults Execute(RestorePlan plan, RestoreOptions options, CancellationToken cancellationToken = default)
        {
            options = options ?? new RestoreOptions();
            var results = new RestoreRunResults();
            foreach (var w in plan.Warnings)
            {
                _observer.Warning(w);
            }
            // The whole plan is checked before the first write: a problem here means nothing is written at all.
            _observer.Progress(0, 1, $"Checking the backup set '{plan.BackupId}' before the first write (paths, links, sizes, SHA-256)");
            var problems = RestorePlanValidator.Validate(plan, options, _config, _fileCopy, _grants != null);
            if (plan.Problems.Count + problems.Count > 0 || plan.Databases.Any(RestorePlanValidator.StopsWholeRestore))
            {
                Refuse(plan, problems, results);
                return results;
            }

            int total = plan.Databases.Count + (plan.ConfigArtifacts.Count > 0 ? 1 : 0) + (plan.GrantsScript != null ? 1 : 0) + (plan.FileCopyTarget != null ? 1 : 0);
            int done = 0;
            RestoreEngineException connectionFailure = null;
            try
            {
                if (plan.FileCopyTarget != null)
                {
                    _observer.Progress(done, total, $"Data directory {plan.FileCopyTarget}");
                    RestoreFileCopy(plan, options, results, cancellationToken);
                    done++;
                    var data = results.Artifacts.FirstOrDefault(a => a.Group == ArtifactGroup.FileCopy);
                    if (data != null && data.Status != RestoreStatus.Restored)
                    {
                        // The data directory was refused while unpacking (the target is untouched): write nothing else either.
                        NotAttemptedGroups(plan, "the data directory was not restored", results);
                        return results;
                    }
                }

                foreach (var step in plan.Databases)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _observer.Progress(done, total, $"Database {step.TargetName} ({done + 1} of {plan.Databases.Count})");
                    var result = connectionFailure != null ? NotTried(plan, step, connectionFailure) : RestoreDatabase(plan, step, cancellationToken, out connectionFailure);
                    done++;
                    if (result != null)
                    {
                        results.Databases.Add(result);
                        _observer.DatabaseResult(result);
                    }
                }

                if (plan.ConfigArtifacts.Count > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _observer.Progress(done, total, $"Configuration ({plan.ConfigArtifacts.Count} files)");
                    var result = RestoreConfiguration(plan, options);
                    done++;
                    if (result != null)
                    {
                        results.Artifacts.Add(result);
                        _observer.ArtifactResult(result);
                    }
                }

                if (plan.GrantsScript != null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _observer.Progress(done, total, "Grants");
                    var result = ReplayGrants(plan, cancellationToken);
                    done++;
                    if (result != null)
                    {
                        results.Artifacts.Add(result);
                        _observer.ArtifactResult(result);
                    }
                }
            }
            finally
            {
                _observer.Progress(total, total, null);
            }
            return results;
        }

        private DatabaseRestoreResult RestoreDatabase(RestorePlan plan, DatabaseRestoreStep step, CancellationToken cancellationToken, out RestoreEngineException connectionFailure)
        {
            connectionFailure = null;
            var result = new DatabaseRestoreResult
            {
                Database = step.Database, SourceUrl = step.Url, TargetName = step.TargetName, BackupId = plan.BackupId, Target = _engine.Description,
                Verification = VerificationOutcome.NotChecked, ReplacedExisting = ExistingTargetKind.None, Status = RestoreStatus.Skipped,
            };
            if (step.Refusal != null)
            {
                result.Error = step.Refusal;
                result.ErrorId = step.RefusalErrorId;
                return result;
            }
            if (!_observer.ShouldProcess($"{step.TargetName} on {_engine.Description}", Capitalize(step.Describe())))
            {
                _observer.Verbose($"Not confirmed: {step.Describe()}.");
                return null;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                _observer.Verbose($"Restoring: {step.Describe()}.");
                _engine.RestoreAsync(step.Url, step.TargetName, step.Replaces, cancellationToken).GetAwaiter().GetResult();
                result.Status = RestoreStatus.Restored;
                result.ReplacedExisting = step.Existing;
            }
            catch (RestoreEngineException e)
            {
                result.Status = RestoreStatus.Failed;
                result.Error = e.Message;
                result.ErrorId = e.ErrorId;
                result.ErrorCategory = e.Category;
                result.RecommendedAction = e.RecommendedAction;
                result.Duration = watch.Elapsed;
                if (e.IsConnectionLevel)
                {
                    connectionFailure = e;
                }
                return result;
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is PipelineStoppedException))
            {
                result.Status = RestoreStatus.Failed;
                result.Error = e.Message;
                result.ErrorId = "RestoreFailed";
                result.Duration = watch.Elapsed;
                return result;
            }

            try
            {
                var state = _engine.GetStateAsync(step.TargetName, cancellationToken).GetAwaiter().GetResult();
                result.Verification = HeadsVerifier.Verify(step.Expected, state, result.Differences);
                if (result.Verification == VerificationOutcome.NotChecked)
                {
                    _observer.Verbose(step.Expected == null
                        ? $"'{step.TargetName}' was restored from a URL: there are no recorded heads to compare with."
                        : $"The manifest records no heads for '{step.Database}': the restore of '{step.TargetName}' is not verified.");
                }
                else if (result.Verification == VerificationOutcome.Mismatch)
                {
                    result.ErrorId = "RestoreVerificationMismatch";
                    result.Error = $"'{step.TargetName}' was restored, but it differs from the manifest: {string.Join("; ", result.Differences)}.";
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is PipelineStoppedException))
            {
                result.Verification = VerificationOutcome.NotChecked;
                result.ErrorId = "RestoreVerificationFailed";
                result.Error = $"'{step.TargetName}' was restored, but its heads could not be read to verify it: {e.Message}";
            }
            result.Duration = watch.Elapsed;
            return result;
        }

        /// <summary>
        /// Reports a refused plan: every problem as an error, one warning that lists them, and every database and group
        /// as Skipped (those with their own refusal carry its error), so nothing reads as a success.
        /// </summary>
        private void Refuse(RestorePlan plan, List<PlanProblem> problems, RestoreRunResults results)
        {
            var all = plan.Problems.Concat(problems).ToList();
            var refusedSteps = plan.Databases.Where(d => d.Refusal != null).ToList();
            int count = all.Count + refusedSteps.Count;
            var listed = all.Select(p => $"{p.ErrorId} ({p.Target})").Concat(refusedSteps.Select(d => $"{d.RefusalErrorId} ({d.TargetName})")).ToList();
            _observer.Warning($"Nothing was restored from '{plan.BackupId}': checking the whole plan before the first write found {count} problem(s), each reported as an error: "
                              + string.Join("; ", listed.Take(10)) + (listed.Count > 10 ? "; ..." : "") + ".");
            foreach (var p in all)
            {
                _observer.Problem(p);
            }
            string reason = $"Not attempted: the restore of '{plan.BackupId}' was refused before anything was written ({count} problem(s) reported).";
            var steps = plan.Databases.Count > 0 || plan.Manifest == null
                ? plan.Databases
                : plan.Manifest.Databases.Where(d => d != null).Select(d => new DatabaseRestoreStep { Database = d.Name, TargetName = d.Name, Url = plan.Manifest.BackupFolder }).ToList();
            foreach (var step in steps)
            {
                var result = new DatabaseRestoreResult
                {
                    Database = step.Database, SourceUrl = step.Url, TargetName = step.TargetName, BackupId = plan.BackupId, Target = plan.FileCopyTarget ?? _engine.Description,
                    Status = RestoreStatus.Skipped, Verification = VerificationOutcome.NotChecked,
                    ErrorId = step.RefusalErrorId, Error = step.Refusal ?? reason,
                };
                results.Databases.Add(result);
                _observer.DatabaseResult(result);
            }
            NotAttemptedGroups(plan, $"the restore of '{plan.BackupId}' was refused before anything was written ({count} problem(s) reported)", results);
            _observer.Progress(1, 1, null);
        }

        /// <summary>Reports the data directory, configuration and grants groups of the plan that were not yet done as Skipped.</summary>
        private void NotAttemptedGroups(RestorePlan plan, string why, RestoreRunResults results)
        {
            var groups = new List<ArtifactGroupRestoreResult>();
            if (plan.FileCopyTarget != null && !results.Artifacts.Any(a => a.Group == ArtifactGroup.FileCopy))
            {
                groups.Add(new ArtifactGroupRestoreResult { Group = ArtifactGroup.FileCopy, Target = plan.FileCopyTarget });
            }
            if (plan.ConfigArtifacts.Count > 0)
            {
                var group = new ArtifactGroupRestoreResult { Group = ArtifactGroup.Configuration, Target = plan.ConfigRoot ?? "original paths" };
                group.Files.AddRange(plan.ConfigArtifacts.Select(a => new ArtifactFileResult { Kind = a.Kind, StoredPath = a.StoredPath, Status = RestoreStatus.Skipped }));
                groups.Add(group);
            }
            if (plan.GrantsScript != null)
            {
                var group = new ArtifactGroupRestoreResult { Group = ArtifactGroup.Grants, Target = _grants?.Target ?? _engine.Description };
                group.Files.Add(new ArtifactFileResult { Kind = plan.GrantsScript.Kind, StoredPath = plan.GrantsScript.StoredPath, Status = RestoreStatus.Skipped });
                groups.Add(group);
            }
            foreach (var group in groups)
            {
                group.BackupId = plan.BackupId;
                group.Status = RestoreStatus.Skipped;
                group.Error = "Not attempted: " + why + ".";
                results.Artifacts.Add(group);
                _observer.ArtifactResult(group);
            }
        }

        private DatabaseRestoreResult NotTried(RestorePlan plan, DatabaseRestoreStep step, RestoreEngineException cause) => new DatabaseRestoreResult
        {
            Database = step.Database, SourceUrl = step.Url, TargetName = step.TargetName, BackupId = plan.BackupId, Target = _engine.Description,
            Status = RestoreStatus.Skipped, Verification = VerificationOutcome.NotChecked, ErrorId = step.Refusal != null ? step.RefusalErrorId : "RestoreNotAttempted",
            Error = step.Refusal ?? $"Not attempted: the target could not be used ({cause.Message}).",
        };

        private void RestoreFileCopy(RestorePlan plan, RestoreOptions options, RestoreRunResults results, CancellationToken cancellationToken)
        {
            var manifest = plan.Manifest;
            var data = manifest.Artifacts.Where(a => a.Kind == RestorePlanner.DataFileKind).ToList();
            bool occupied = System.IO.Directory.Exists(plan.FileCopyTarget) && System.IO.Directory.EnumerateFileSystemEntries(plan.FileCopyTarget).Any();
            string action = $"Unpack the FileCopy backup '{plan.BackupId}' ({data.Count} data files, {data.Sum(a => a.Size)} bytes, each SHA-256 checked) into the data directory {plan.FileCopyTarget}"
                            + (occupied ? (options.Force ? ", REPLACING its current contents" : " (it is not empty: refused without -Force)") : "")
                            + $"; databases: {string.Join(", ", manifest.Databases.Select(d => d.Name))}";
            if (!_observer.ShouldProcess(plan.FileCopyTarget, action))
            {
                return;
            }
            var watch = Stopwatch.StartNew();
            ArtifactGroupRestoreResult group = _fileCopy == null
                ? GroupFailure(plan, ArtifactGroup.FileCopy, plan.FileCopyTarget, "FileCopyRestoreUnavailable", "FileCopy restore is not available in this build.")
                : _fileCopy.Restore(manifest, plan.FileCopyTarget, options.Force, cancellationToken);
            group.Duration = watch.Elapsed;
            group.BackupId = plan.BackupId;
            results.Artifacts.Add(group);
            _observer.ArtifactResult(group);
            if (group.Status != RestoreStatus.Restored)
            {
                return;
            }
            // The files are proven by their hashes; the databases are proven by their heads, read back through Dolt.
            foreach (var item in manifest.Databases)
            {
                var result = new DatabaseRestoreResult
                {
                    Database = item.Name, SourceUrl = manifest.BackupFolder, TargetName = item.Name, BackupId = plan.BackupId, Target = group.Target,
                    Status = RestoreStatus.Restored, Verification = VerificationOutcome.NotChecked,
                };
                var dbWatch = Stopwatch.StartNew();
                if ((item.Branches == null || item.Branches.Count == 0) && string.IsNullOrEmpty(item.WorkingSetHash))
                {
                    _observer.Verbose($"The manifest records no heads for '{item.Name}': its files were SHA-256 checked, its heads are not verified.");
                    results.Databases.Add(result);
                    _observer.DatabaseResult(result);
                    continue;
                }
                try
                {
                    var state = _engine.GetStateAsync(item.Name, cancellationToken).GetAwaiter().GetResult();
                    result.Verification = HeadsVerifier.Verify(item, state, result.Differences);
                    if (result.Verification == VerificationOutcome.Mismatch)
                    {
                        result.ErrorId = "RestoreVerificationMismatch";
                        result.Error = $"'{item.Name}' was restored, but it differs from the manifest: {string.Join("; ", result.Differences)}.";
                    }
                }
                catch (Exception e) when (!(e is OperationCanceledException) && !(e is PipelineStoppedException))
                {
                    result.ErrorId = "RestoreVerificationFailed";
                    result.Error = $"'{item.Name}' was restored (every file's SHA-256 matched), but its heads could not be read to verify it: {e.Message}";
                }
                result.Duration = dbWatch.Elapsed;
                results.Databases.Add(result);
                _observer.DatabaseResult(result);
            }
        }

        private ArtifactGroupRestoreResult RestoreConfiguration(RestorePlan plan, RestoreOptions options)
        {
            var watch = Stopwatch.StartNew();
            string where = plan.ConfigRoot ?? "their original paths";
            if (_config == null)
            {
                return GroupFailure(plan, ArtifactGroup.Configuration, where, "ConfigRestoreUnavailable", "Configuration restore is not available in this build.");
            }
            // Validate everything first and write nothing: refusals are reported even under -WhatIf.
            var preview = _config.Restore(plan.Manifest, plan.ConfigArtifacts, plan.ConfigRoot, options.Force, whatIf: true);
            if (preview.Status == RestoreStatus.Failed)
            {
                preview.Duration = watch.Elapsed;
                preview.BackupId = plan.BackupId;
                return preview;
            }
            var text = new StringBuilder($"restore {plan.ConfigArtifacts.Count} configuration file(s) to {where}:");
            foreach (var f in preview.Files)
            {
                text.Append(Environment.NewLine).Append("  ").Append(f.StoredPath).Append(" -> ").Append(f.TargetPath);
            }
            if (!_observer.ShouldProcess(plan.ConfigRoot ?? "configuration files", Capitalize(text.ToString())))
            {
                return null;
            }
            var result = _config.Restore(plan.Manifest, plan.ConfigArtifacts, plan.ConfigRoot, options.Force, whatIf: false);
            result.Duration = watch.Elapsed;
            result.BackupId = plan.BackupId;
            return result;
        }

        private ArtifactGroupRestoreResult ReplayGrants(RestorePlan plan, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            var artifact = plan.GrantsScript;
            var result = new ArtifactGroupRestoreResult { Group = ArtifactGroup.Grants, BackupId = plan.BackupId, Target = _grants?.Target ?? _engine.Description };
            var file = new ArtifactFileResult { Kind = artifact.Kind, StoredPath = artifact.StoredPath, TargetPath = result.Target, Status = RestoreStatus.Skipped };
            result.Files.Add(file);
            if (_grants == null)
            {
                result.Status = file.Status = RestoreStatus.Failed;
                result.ErrorId = "GrantsNeedServer";
                result.Error = file.Error = "Grants are replayed through a running server; an offline (-DataDir) restore cannot replay them. Start the server and run Restore-DoltBackup again with -Server and -IncludeGrants (the databases are then refused as existing: use -Database to pick none, or restore grants alone).";
                return result;
            }
            string script;
            try
            {
                script = new UTF8Encoding(false, true).GetString(StoredArtifactReader.ReadVerified(plan.Manifest.BackupFolder, artifact, plan.Manifest.SessionDecryptionKeys));
            }
            catch (RestoreEngineException e)
            {
                result.Status = file.Status = RestoreStatus.Failed;
                result.ErrorId = e.ErrorId;
                result.Error = file.Error = e.Message;
                result.Duration = watch.Elapsed;
                return result;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is DecoderFallbackException)
            {
                result.Status = file.Status = RestoreStatus.Failed;
                result.ErrorId = "ArtifactUnreadable";
                result.Error = file.Error = $"The grants script '{artifact.StoredPath}' could not be read: {e.Message}";
                return result;
            }
            if (!_observer.ShouldProcess(result.Target, $"Replay the grants script '{artifact.StoredPath}' (users, grants, roles and branch control; SHA-256 {artifact.Sha256}) on {result.Target}"))
            {
                return null;
            }
            try
            {
                var summary = _grants.Replay(script, cancellationToken);
                result.StatementCount = summary.Succeeded + summary.Failed + summary.Skipped;
                if (summary.BranchControlDatabase != null)
                {
                    _observer.Verbose($"Branch control was replayed inside database '{summary.BranchControlDatabase}' (Dolt shows its server-wide tables only inside a database).");
                }
                if (summary.Failed > 0)
                {
                    result.Status = file.Status = RestoreStatus.Failed;
                    result.ErrorId = "GrantsReplayFailed";
                    result.Error = file.Error = $"{summary.Failed} of {result.StatementCount} grant statement(s) were refused by {result.Target}: {string.Join("; ", summary.Failures.Take(5))}{(summary.Failures.Count > 5 ? "; ..." : "")}";
                }
                else
                {
                    result.Status = file.Status = RestoreStatus.Restored;
                    if (summary.Skipped > 0)
                    {
                        _observer.Warning($"{summary.Skipped} grant statement(s) were not run (they would change the account running the restore).");
                    }
                }
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !(e is PipelineStoppedException))
            {
                result.Status = file.Status = RestoreStatus.Failed;
                result.ErrorId = e is RestoreEngineException re ? re.ErrorId : "GrantsReplayFailed";
                result.Error = file.Error = $"Replaying the grants script failed: {e.Message}";
            }
            result.Duration = watch.Elapsed;
            return result;
        }

        private static ArtifactGroupRestoreResult GroupFailure(RestorePlan plan, ArtifactGroup group, string target, string errorId, string message)
            => new ArtifactGroupRestoreResult { Group = group, BackupId = plan.BackupId, Target = target, Status = RestoreStatus.Failed, ErrorId = errorId, Error = message };

        private static string Capitalize(string s) => string.IsNullOrEmpty(s) ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
    }
}
