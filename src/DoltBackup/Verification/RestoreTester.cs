using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;

namespace DoltBackup.Verification
{
    /// <summary>
    /// The restore test of Test-DoltBackup -RestoreTest (the Test-DbaLastBackup idea): restores a backup into a scratch
    /// copy, proves it against the manifest and always removes the scratch copy again, emitting one
    /// <see cref="VerificationLevel.RestoreTest"/> result per database (Passed, Failed or Skipped, never Passed without
    /// proof). DoltBackup sets are restored through <see cref="RestorePlanner"/> and <see cref="RestoreOrchestrator"/>
    /// (whose <see cref="HeadsVerifier"/> compares every branch head, tag and dolt_hashof_db()): on a server as scratch
    /// databases that are dropped afterwards, or offline with the dolt CLI into a scratch data directory that is deleted
    /// afterwards. FileCopy sets are unpacked into a scratch data directory (every file's SHA-256 checked) and the
    /// unpacked stores are verified offline, without dolt.
    /// </summary>
    public sealed class RestoreTester
    {
        /// <summary>The check name of every result.</summary>
        public const string CheckName = "RestoreTest";

        private readonly IRestoreObserver _host;
        private readonly IFileCopyRestorer _fileCopy;

        /// <summary>
        /// A tester reporting through <paramref name="host"/> (ShouldProcess, progress, verbose text, problems; its
        /// DatabaseResult and ArtifactResult are not used: results are emitted as <see cref="VerificationResult"/>s).
        /// </summary>
        public RestoreTester(IRestoreObserver host, IFileCopyRestorer fileCopy = null)
        {
            _host = host ?? throw new ArgumentNullException(nameof(host));
            _fileCopy = fileCopy ?? new FileCopyServiceRestorer();
        }

        /// <summary>A fresh scratch-name prefix, dbtest_&lt;8 hex&gt;_.</summary>
        public static string NewPrefix() => "dbtest_" + Guid.NewGuid().ToString("N").Substring(0, 8) + "_";

        /// <summary>
        /// Restore-tests a DoltBackup set on a running server: each selected database is restored under a scratch name
        /// (options.NewName, or options.Prefix + name), compared with the manifest and dropped again, even when
        /// something failed. The engine is not disposed. ArgumentException: contradictory options (nothing was changed).
        /// </summary>
        public void TestOnServer(BackupManifest manifest, IDoltEngine engine, RestoreTestOptions options, Action<VerificationResult> emit)
        {
            if (!CheckMethod(manifest, options, emit, BackupMethod.DoltBackup))
            {
                return;
            }
            IReadOnlyList<string> existing;
            try
            {
                existing = engine.ListDatabasesAsync(options.CancellationToken).GetAwaiter().GetResult();
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
            {
                SkipAll(manifest, options, $"The restore test could not run: {engine.Description} could not be used ({e.Message}).", engine.Description, emit);
                _host.Problem(new PlanProblem(e.ErrorId ?? "RestoreTestTargetUnavailable", e.Message, engine.Description, e.RecommendedAction));
                return;
            }
            var restoreOptions = new RestoreOptions
            {
                DatabasePatterns = options.DatabasePatterns,
                NewName = options.NewName,
                Prefix = string.IsNullOrEmpty(options.NewName) ? (options.Prefix ?? NewPrefix()) : null,
            };
            var plan = new RestorePlanner(existing).Plan(manifest, restoreOptions);
            var cleanupErrors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var dropped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            // Each scratch copy is dropped as soon as it is proven, so at most one exists at a time (disk space);
            // whatever is left after a failure or Ctrl+C is swept in the finally.
            var collector = new Collector(_host, confirmEach: true, engine.Description,
                r => { if (r.Status == RestoreStatus.Restored) { Drop(engine, r.TargetName, dropped, cleanupErrors); } });
            try
            {
                new RestoreOrchestrator(new DoltEngineRestoreEngine(new NonOwningDoltEngine(engine)), null, null, collector).Execute(plan, restoreOptions, options.CancellationToken);
            }
            finally
            {
                DropScratchDatabases(engine, plan, collector, dropped, cleanupErrors);
            }
            Emit(plan, collector, cleanupErrors, engine.Description, "dropped afterwards", emit);
        }

        /// <summary>
        /// Restore-tests a DoltBackup set offline: the selected databases are restored with the dolt CLI (the engine
        /// <paramref name="engineFor"/> makes for the scratch data directory) into a scratch data directory, compared with
        /// the manifest, and the directory is deleted again. Without dolt every result is Skipped.
        /// </summary>
        public void TestOffline(BackupManifest manifest, Func<string, IDoltEngine> engineFor, RestoreTestOptions options, Action<VerificationResult> emit)
        {
            if (!CheckMethod(manifest, options, emit, BackupMethod.DoltBackup))
            {
                return;
            }
            var selected = Select(manifest, options);
            string where = options.ScratchDataDir ?? "a new temporary folder";
            if (!_host.ShouldProcess(where, $"Restore {selected.Count} database(s) of the backup '{Id(manifest)}' ({string.Join(", ", selected.Select(d => d.Name))}) with the dolt CLI into the scratch data directory {where}, compare them with the manifest, and delete the scratch directory afterwards"))
            {
                return;
            }
            var scratch = options.ScratchDataDir != null ? ScratchDataDir.Use(options.ScratchDataDir) : ScratchDataDir.CreateTemporary();
            var cleanupErrors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string target = "scratch data directory " + scratch.Path;
            RestorePlan plan = null;
            // Each restored copy is deleted as soon as it is proven (a DROP DATABASE would only move it aside).
            var collector = new Collector(_host, confirmEach: false, target, r =>
            {
                if (r.Status == RestoreStatus.Restored)
                {
                    string error = scratch.RemoveEntry(r.TargetName);
                    if (error != null)
                    {
                        cleanupErrors[r.TargetName] = error;
                    }
                }
            });
            try
            {
                using (var engine = engineFor(scratch.Path))
                {
                    try
                    {
                        engine.GetDoltVersionAsync(options.CancellationToken).GetAwaiter().GetResult();
                    }
                    catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
                    {
                        SkipAll(manifest, options, $"The restore test needs dolt or a running server: {e.Message} Give -DoltPath, or -Server/-ConfigPath to restore through a server.", target, emit);
                        return;
                    }
                    var restoreOptions = new RestoreOptions { DatabasePatterns = options.DatabasePatterns, NewName = options.NewName, DataDir = scratch.Path };
                    plan = new RestorePlanner(new string[0], scratch.Path).Plan(manifest, restoreOptions);
                    new RestoreOrchestrator(new DoltEngineRestoreEngine(new NonOwningDoltEngine(engine)), null, null, collector).Execute(plan, restoreOptions, options.CancellationToken);
                }
            }
            finally
            {
                string error = scratch.Remove();
                if (error != null)
                {
                    Safely(() => _host.Problem(new PlanProblem("RestoreTestCleanupFailed", error, scratch.Path, "Delete the folder by hand.")));
                    foreach (var step in plan?.Databases ?? new List<DatabaseRestoreStep>())
                    {
                        cleanupErrors[step.TargetName] = error;
                    }
                }
            }
            Emit(plan, collector, cleanupErrors, target, "deleted afterwards", emit);
        }

        /// <summary>
        /// Restore-tests a FileCopy set: unpacks it into a scratch data directory (every file's size and SHA-256 checked),
        /// verifies each database's unpacked store offline (no dolt needed), and deletes the directory again.
        /// </summary>
        public void TestFileCopy(BackupManifest manifest, RestoreTestOptions options, Action<VerificationResult> emit)
        {
            if (!CheckMethod(manifest, options, emit, BackupMethod.FileCopy))
            {
                return;
            }
            var selected = Select(manifest, options);
            string where = options.ScratchDataDir ?? "a new temporary folder";
            // The set is checked whole before anything is unpacked (also under -WhatIf): an untrusted manifest writes nothing.
            var problems = _fileCopy.Validate(manifest, null, false);
            if (problems.Count > 0)
            {
                foreach (var p in problems)
                {
                    _host.Problem(p);
                }
                string message = $"The FileCopy backup was refused before anything was unpacked ({problems.Count} problem(s)): {string.Join("; ", problems.Take(5).Select(p => p.Message))}{(problems.Count > 5 ? "; ..." : "")}";
                foreach (var item in selected)
                {
                    emit(Result(item.Name, VerificationStatus.Failed, message, manifest.BackupFolder));
                }
                return;
            }
            if (!_host.ShouldProcess(where, $"Unpack the FileCopy backup '{Id(manifest)}' into the scratch data directory {where} (each file's SHA-256 checked), verify its Dolt stores, and delete the scratch directory afterwards"))
            {
                return;
            }
            var scratch = options.ScratchDataDir != null ? ScratchDataDir.Use(options.ScratchDataDir) : ScratchDataDir.CreateTemporary();
            var results = new List<VerificationResult>();
            string cleanupError = null;
            try
            {
                _host.Progress(0, 2, "Unpacking into " + scratch.Path);
                var group = _fileCopy.Restore(manifest, scratch.Path, false, options.CancellationToken);
                if (group.Status != RestoreStatus.Restored)
                {
                    foreach (var item in selected)
                    {
                        results.Add(Result(item.Name, VerificationStatus.Failed, $"The FileCopy backup could not be unpacked: {group.Error}", scratch.Path));
                    }
                    return;
                }
                _host.Progress(1, 2, "Verifying the unpacked stores");
                foreach (var item in selected)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    string doltDir = Path.Combine(scratch.Path, item.Name ?? "", ".dolt");
                    if (string.IsNullOrEmpty(item.Name) || !Directory.Exists(Path.Combine(doltDir, "noms")))
                    {
                        results.Add(Result(item.Name, VerificationStatus.Failed, $"The unpacked data directory holds no database '{item.Name}' (no {item.Name}/.dolt/noms).", scratch.Path));
                        continue;
                    }
                    var checks = new List<VerificationResult>();
                    BackupVerifier.VerifyDoltDirectory(doltDir, item.Name, new VerificationOptions { Deep = options.Deep, CancellationToken = options.CancellationToken }, checks.Add);
                    var failed = checks.Where(c => c.Status == VerificationStatus.Failed).ToList();
                    int passed = checks.Count(c => c.Status == VerificationStatus.Passed);
                    results.Add(failed.Count > 0
                        ? Result(item.Name, VerificationStatus.Failed, $"Unpacked (every file's SHA-256 matched), but {failed.Count} store check(s) failed: {string.Join("; ", failed.Take(5).Select(f => f.Check + ": " + f.Message))}{(failed.Count > 5 ? "; ..." : "")}", scratch.Path)
                        : passed == 0
                            ? Result(item.Name, VerificationStatus.Skipped, "Unpacked (every file's SHA-256 matched), but no store check could run.", scratch.Path)
                            : Result(item.Name, VerificationStatus.Passed, $"Unpacked into a scratch data directory (every file's SHA-256 matched) and its store passed {passed} check(s){(options.Deep ? " (with every chunk re-hashed)" : "")}; the scratch copy was deleted afterwards.", scratch.Path));
                }
            }
            finally
            {
                // Clean up before anything that talks to the host: after Ctrl+C, writing to the pipeline throws.
                cleanupError = scratch.Remove();
                Safely(() => _host.Progress(2, 2, null));
                if (cleanupError != null)
                {
                    Safely(() => _host.Problem(new PlanProblem("RestoreTestCleanupFailed", cleanupError, scratch.Path, "Delete the folder by hand.")));
                }
                foreach (var r in results)
                {
                    emit(cleanupError == null ? r : new VerificationResult(r.Target, r.Check, r.Status, r.Message.Replace("; the scratch copy was deleted afterwards", "") + " " + cleanupError, r.Level, r.Path));
                }
            }
        }

        /// <summary>One Skipped result per selected database of the manifest, with the reason.</summary>
        public void SkipAll(BackupManifest manifest, RestoreTestOptions options, string reason, string where, Action<VerificationResult> emit)
        {
            var selected = Select(manifest, options);
            if (selected.Count == 0)
            {
                emit(Result(Id(manifest), VerificationStatus.Skipped, reason, where));
            }
            foreach (var item in selected)
            {
                emit(Result(item.Name, VerificationStatus.Skipped, reason, where));
            }
        }

        private bool CheckMethod(BackupManifest manifest, RestoreTestOptions options, Action<VerificationResult> emit, BackupMethod wanted)
        {
            if (manifest.Method == wanted)
            {
                return true;
            }
            SkipAll(manifest, options, manifest.Method == BackupMethod.DoltBackup || manifest.Method == BackupMethod.FileCopy
                ? $"The backup '{Id(manifest)}' ({manifest.Method}) needs the other kind of restore test."
                : $"The backup '{Id(manifest)}' was made with method {manifest.Method}; the restore test covers DoltBackup and FileCopy backups.", manifest.BackupFolder, emit);
            return false;
        }

        private void DropScratchDatabases(IDoltEngine engine, RestorePlan plan, Collector collector, HashSet<string> dropped, Dictionary<string, string> errors)
        {
            // Only the names this test may have created: steps that were not refused (their names did not exist before).
            var ours = plan.RunnableDatabases.Select(s => s.TargetName).Where(t => !dropped.Contains(t) && !errors.ContainsKey(t)).ToList();
            if (ours.Count == 0)
            {
                return;
            }
            HashSet<string> present;
            try
            {
                present = new HashSet<string>(engine.ListDatabasesAsync(System.Threading.CancellationToken.None).GetAwaiter().GetResult(), StringComparer.OrdinalIgnoreCase);
            }
            catch (DoltEngineException)
            {
                // The list failed: try every name that may have been created; a name that does not exist fails harmlessly.
                present = new HashSet<string>(ours.Where(t => !collector.Results.TryGetValue(t, out var r) || r.Status != RestoreStatus.Skipped), StringComparer.OrdinalIgnoreCase);
            }
            foreach (string name in ours.Where(present.Contains))
            {
                Drop(engine, name, dropped, errors);
            }
        }

        private void Drop(IDoltEngine engine, string name, HashSet<string> dropped, Dictionary<string, string> errors)
        {
            try
            {
                engine.DropDatabaseAsync(name, System.Threading.CancellationToken.None).GetAwaiter().GetResult();
                dropped.Add(name);
                Safely(() => _host.Verbose($"Dropped the scratch database '{name}' on {engine.Description}."));
            }
            catch (DoltEngineException e)
            {
                errors[name] = $"The scratch database '{name}' could not be dropped: {e.Message}";
                Safely(() => _host.Problem(new PlanProblem("RestoreTestCleanupFailed", errors[name], name, $"Drop it by hand: DROP DATABASE `{name}`;")));
            }
        }

        /// <summary>Reports during cleanup without letting a stopped pipeline (Ctrl+C) interrupt the cleanup.</summary>
        private static void Safely(Action report)
        {
            try
            {
                report();
            }
            catch (Exception e) when (e is PipelineStoppedException || e is InvalidOperationException)
            {
            }
        }

        private static void Emit(RestorePlan plan, Collector collector, Dictionary<string, string> cleanupErrors, string where, string cleanup, Action<VerificationResult> emit)
        {
            if (plan == null)
            {
                return;
            }
            foreach (var step in plan.Databases)
            {
                if (!collector.Results.TryGetValue(step.TargetName, out var r))
                {
                    continue; // not confirmed (-WhatIf): nothing was tested
                }
                cleanupErrors.TryGetValue(step.TargetName, out string cleanupError);
                string suffix = cleanupError != null ? " " + cleanupError : (r.Status == RestoreStatus.Skipped ? "" : $" The scratch copy '{step.TargetName}' was {cleanup}.");
                emit(ToResult(step.Database, r, where, suffix));
            }
        }

        /// <summary>The verification result that a restore result amounts to.</summary>
        internal static VerificationResult ToResult(string database, DatabaseRestoreResult r, string where, string suffix)
        {
            switch (r.Status)
            {
                case RestoreStatus.Restored when r.Verification == VerificationOutcome.Verified:
                    return Result(database, VerificationStatus.Passed,
                        $"Restored as '{r.TargetName}' on {where}; every branch head, tag and dolt_hashof_db() matches the manifest.{suffix}", where);
                case RestoreStatus.Restored when r.Verification == VerificationOutcome.Mismatch:
                    return Result(database, VerificationStatus.Failed,
                        $"Restored as '{r.TargetName}' on {where}, but it differs from the manifest: {string.Join("; ", r.Differences)}.{suffix}", where);
                case RestoreStatus.Restored when r.ErrorId != null:
                    return Result(database, VerificationStatus.Failed, r.Error + suffix, where);
                case RestoreStatus.Restored:
                    return Result(database, VerificationStatus.Skipped,
                        $"Restored as '{r.TargetName}' on {where}, but the manifest records no heads to compare it with: not proven.{suffix}", where);
                case RestoreStatus.Failed:
                    return Result(database, VerificationStatus.Failed, $"The restore as '{r.TargetName}' on {where} failed: {r.Error}{suffix}", where);
                default:
                    return Result(database, VerificationStatus.Skipped, $"Not tested: {r.Error}{suffix}", where);
            }
        }

        private static VerificationResult Result(string database, VerificationStatus status, string message, string where)
            => new VerificationResult(database, CheckName, status, message, VerificationLevel.RestoreTest, where);

        private static List<DatabaseBackupItem> Select(BackupManifest manifest, RestoreTestOptions options)
        {
            var all = manifest.Databases.Where(d => d != null).ToList();
            if (options.DatabasePatterns == null || options.DatabasePatterns.Length == 0)
            {
                return all;
            }
            var patterns = options.DatabasePatterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToList();
            return all.Where(d => d.Name != null && patterns.Any(p => p.IsMatch(d.Name))).ToList();
        }

        private static string Id(BackupManifest manifest) => manifest.Id ?? manifest.Name;

        /// <summary>Collects the orchestrator's database results; forwards the rest to the host.</summary>
        private sealed class Collector : IRestoreObserver
        {
            private readonly IRestoreObserver _host;
            private readonly bool _confirmEach;
            private readonly string _where;
            private readonly Action<DatabaseRestoreResult> _onResult;

            public Collector(IRestoreObserver host, bool confirmEach, string where, Action<DatabaseRestoreResult> onResult)
            {
                _host = host;
                _confirmEach = confirmEach;
                _where = where;
                _onResult = onResult;
            }

            public Dictionary<string, DatabaseRestoreResult> Results { get; } = new Dictionary<string, DatabaseRestoreResult>(StringComparer.OrdinalIgnoreCase);

            public bool ShouldProcess(string target, string action)
                => !_confirmEach || _host.ShouldProcess(target, action + " as a scratch copy for a restore test, compare it with the manifest, and drop it afterwards");

            public void Progress(int done, int total, string status) => _host.Progress(done, total, status);

            public void Verbose(string text) => _host.Verbose(text);

            public void Warning(string text)
            {
                // The restore's warnings concern configuration files and grants, which a restore test does not restore.
                _host.Verbose(text);
            }

            public void Problem(PlanProblem problem) => _host.Problem(problem);

            public void DatabaseResult(DatabaseRestoreResult result)
            {
                Results[result.TargetName] = result;
                _onResult?.Invoke(result);
            }

            public void ArtifactResult(ArtifactGroupRestoreResult result) => _host.Verbose($"{result.Group}: {result.Status} {result.Error} ({_where})");
        }
    }
}
