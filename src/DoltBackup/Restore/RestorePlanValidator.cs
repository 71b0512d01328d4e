using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Checks a whole <see cref="RestorePlan"/> before the first write, because a manifest is untrusted input: every
    /// stored file the restore would read (configuration files with their targets, the grants script, a FileCopy set's
    /// archive or tree files: relative path, no '..', no link on the way out of the backup folder, size and SHA-256),
    /// the FileCopy target, and the databases' names and URLs. Any problem found here, or by the planner, stops the
    /// whole restore: nothing is written and every problem is reported. A database that already exists (without
    /// -Force) or whose backup did not complete is that database's own refusal: the others go ahead.
    /// </summary>
    public static class RestorePlanValidator
    {
        /// <summary>
        /// The problems that stop the whole restore, beyond <see cref="RestorePlan.Problems"/> and the steps for which
        /// <see cref="StopsWholeRestore"/> is true. <paramref name="config"/>, <paramref name="fileCopy"/>: the restorers
        /// the run would use (null: that group is not restored); <paramref name="grantsAvailable"/>: a server to replay on.
        /// </summary>
        public static List<PlanProblem> Validate(RestorePlan plan, RestoreOptions options, IConfigArtifactRestorer config, IFileCopyRestorer fileCopy, bool grantsAvailable)
        {
            if (plan == null)
            {
                throw new ArgumentNullException(nameof(plan));
            }
            options = options ?? new RestoreOptions();
            var problems = new List<PlanProblem>();
            if (plan.FileCopyTarget != null && fileCopy != null)
            {
                problems.AddRange(fileCopy.Validate(plan.Manifest, plan.FileCopyTarget, options.Force));
            }
            if (plan.ConfigArtifacts.Count > 0 && config != null)
            {
                CheckConfiguration(plan, options, config, problems);
            }
            if (plan.GrantsScript != null)
            {
                CheckGrantsScript(plan, grantsAvailable, problems);
            }
            return problems;
        }

        /// <summary>
        /// True for a database refusal that shows the manifest cannot be trusted (an unusable name, no URL): it stops
        /// the whole restore. An existing target or an incomplete backup of that one database does not.
        /// </summary>
        public static bool StopsWholeRestore(DatabaseRestoreStep step)
            => step?.Refusal != null && (step.RefusalErrorId == "InvalidDatabaseName" || step.RefusalErrorId == "BackupUrlMissing");

        private static void CheckConfiguration(RestorePlan plan, RestoreOptions options, IConfigArtifactRestorer config, List<PlanProblem> problems)
        {
            // The restorer's what-if pass validates every artifact (source and target) and writes nothing.
            var preview = config.Restore(plan.Manifest, plan.ConfigArtifacts, plan.ConfigRoot, options.Force, whatIf: true);
            var refused = preview.Files.Where(f => f.ErrorId != null).ToList();
            foreach (var file in refused)
            {
                problems.Add(new PlanProblem(file.ErrorId, $"The configuration file '{file.StoredPath}' was refused: {file.Error}", file.StoredPath,
                    RestoreErrorAdvice.RecommendedAction(file.ErrorId)));
            }
            if (refused.Count == 0 && preview.Status == RestoreStatus.Failed && preview.Files.Count == 0)
            {
                problems.Add(new PlanProblem(preview.ErrorId ?? "ConfigRestoreFailed", preview.Error, plan.ConfigRoot ?? "configuration files",
                    RestoreErrorAdvice.RecommendedAction(preview.ErrorId ?? "ConfigRestoreFailed")));
            }
        }

        private static void CheckGrantsScript(RestorePlan plan, bool grantsAvailable, List<PlanProblem> problems)
        {
            var artifact = plan.GrantsScript;
            if (!grantsAvailable)
            {
                problems.Add(new PlanProblem("GrantsNeedServer",
                    "Grants are replayed through a running server; an offline (-DataDir) restore cannot replay them.", artifact.StoredPath,
                    "Leave out -IncludeGrants for the offline restore; then start the server and replay the grants through it (-Server/-Port/-Credential or -ConfigPath with -IncludeGrants)."));
                return;
            }
            try
            {
                new UTF8Encoding(false, true).GetString(StoredArtifactReader.ReadVerified(plan.Manifest?.BackupFolder, artifact));
            }
            catch (RestoreEngineException e)
            {
                problems.Add(new PlanProblem(e.ErrorId, $"The grants script '{artifact.StoredPath}' was refused: {e.Message}", artifact.StoredPath, e.RecommendedAction));
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is DecoderFallbackException)
            {
                problems.Add(new PlanProblem("ArtifactUnreadable", $"The grants script '{artifact.StoredPath}' could not be read: {e.Message}", artifact.StoredPath,
                    RestoreErrorAdvice.RecommendedAction("ArtifactUnreadable")));
            }
        }
    }
}
