using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Works out a <see cref="RestorePlan"/> from a manifest (or a single URL) and the user's options, before anything
    /// is changed: which databases, under which names, what they would replace, which files and which grants script.
    /// Bad input (an unsafe name, -NewName with several databases) is refused here.
    /// </summary>
    public sealed class RestorePlanner
    {
        /// <summary>The artifact kind of the Export-DoltGrants script.</summary>
        public const string GrantsScriptKind = "GrantsScript";

        /// <summary>The artifact kind of copied data files (FileCopy backups).</summary>
        public const string DataFileKind = "DataFile";

        private readonly HashSet<string> _existing;
        private readonly string _dataDir;

        /// <summary>A planner for a target that holds <paramref name="existingDatabases"/> (and, offline, the data directory <paramref name="dataDir"/>).</summary>
        public RestorePlanner(IEnumerable<string> existingDatabases, string dataDir = null)
        {
            // Dolt resolves database names case-insensitively.
            _existing = new HashSet<string>(existingDatabases ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            _dataDir = dataDir;
        }

        /// <summary>The plan for restoring a manifest's databases (and, when asked, its configuration and grants).</summary>
        public RestorePlan Plan(BackupManifest manifest, RestoreOptions options)
        {
            if (manifest == null)
            {
                throw new ArgumentNullException(nameof(manifest));
            }
            options = options ?? new RestoreOptions();
            var plan = new RestorePlan { Manifest = manifest, BackupId = manifest.Id ?? manifest.Name };
            ValidateNaming(options);

            if (manifest.Method == BackupMethod.DoltBackup)
            {
                var selected = Select(manifest, options, plan);
                if (!string.IsNullOrEmpty(options.NewName) && selected.Count > 1)
                {
                    throw new ArgumentException(
                        $"-NewName restores a single database, but {selected.Count} are selected ({string.Join(", ", selected.Select(d => d.Name))}). Pick one with -Database, or use -Prefix.");
                }
                foreach (var item in selected)
                {
                    plan.Databases.Add(Step(item.Name, item.Url, TargetName(item.Name, options), item, options));
                }
            }
            else if (manifest.Method == BackupMethod.FileCopy)
            {
                PlanFileCopy(manifest, options, plan);
            }
            else
            {
                plan.Problems.Add(new PlanProblem("RestoreMethodUnsupported",
                    $"The backup '{plan.BackupId}' was made with method {manifest.Method}; Restore-DoltBackup restores DoltBackup (dolt_backup) and FileCopy backups.",
                    plan.BackupId,
                    manifest.Method == BackupMethod.Push ? "A pushed backup is a Dolt remote: restore it with dolt clone <remote-url>." : "Restore EBS snapshots by creating volumes from them (AWS)."));
            }

            if (options.IncludeConfig || !string.IsNullOrEmpty(options.ConfigRoot))
            {
                plan.ConfigRoot = string.IsNullOrEmpty(options.ConfigRoot) ? null : options.ConfigRoot;
                plan.ConfigArtifacts.AddRange(manifest.Artifacts.Where(IsConfigurationArtifact));
                if (plan.ConfigArtifacts.Count == 0)
                {
                    plan.Warnings.Add($"The backup '{plan.BackupId}' holds no configuration files to restore.");
                }
                if (plan.ConfigRoot == null && plan.ConfigArtifacts.Any(a => a.Kind == Capture.ArtifactKind.PrivilegeFile || a.Kind == Capture.ArtifactKind.BranchControlFile))
                {
                    plan.Warnings.Add("The privilege and branch-control files go back to their original paths: a sql-server that runs there keeps its own copy in memory and "
                                      + "overwrites them. Stop the server first, or replay the grants through it with -IncludeGrants instead.");
                }
            }
            else if (manifest.Artifacts.Any(IsConfigurationArtifact))
            {
                plan.Warnings.Add($"The backup '{plan.BackupId}' holds {manifest.Artifacts.Count(IsConfigurationArtifact)} configuration file(s); they are not restored without -ConfigRoot (or -IncludeConfig for their original paths).");
            }

            if (options.IncludeGrants)
            {
                plan.GrantsScript = manifest.Artifacts.LastOrDefault(a => a.Kind == GrantsScriptKind);
                if (plan.GrantsScript == null)
                {
                    plan.Problems.Add(new PlanProblem("GrantsScriptNotInBackup", $"The backup '{plan.BackupId}' holds no grants script, so -IncludeGrants has nothing to replay.",
                        plan.BackupId, "Export grants into the backup with Export-DoltGrants, or leave out -IncludeGrants."));
                }
                else if (plan.GrantsScript.Status != ItemStatus.Completed)
                {
                    plan.Problems.Add(new PlanProblem("GrantsScriptNotInBackup",
                        $"The grants export of the backup '{plan.BackupId}' did not complete ({plan.GrantsScript.Status}: {plan.GrantsScript.Error}); nothing is replayed.",
                        plan.BackupId, "Export the grants again with Export-DoltGrants."));
                    plan.GrantsScript = null;
                }
            }
            return plan;
        }

        private static void PlanFileCopy(BackupManifest manifest, RestoreOptions options, RestorePlan plan)
        {
            if (string.IsNullOrEmpty(options.DataDir))
            {
                plan.Problems.Add(new PlanProblem("FileCopyNeedsDataDir",
                    $"The backup '{plan.BackupId}' is a FileCopy backup: a copy of a whole data directory, which is restored into a data directory, not through a server.",
                    plan.BackupId, "Give -DataDir <a new folder, or a stopped server's data directory with -Force>, then start dolt sql-server on it."));
                return;
            }
            if ((options.DatabasePatterns != null && options.DatabasePatterns.Length > 0) || !string.IsNullOrEmpty(options.NewName) || !string.IsNullOrEmpty(options.Prefix))
            {
                plan.Problems.Add(new PlanProblem("InvalidRestoreRequest",
                    $"The backup '{plan.BackupId}' is a FileCopy backup: it restores the whole data directory, so -Database, -NewName and -Prefix do not apply.",
                    plan.BackupId, "Leave out -Database, -NewName and -Prefix, and restore into a new -DataDir to get a copy beside the original."));
                return;
            }
            plan.FileCopyTarget = options.DataDir;
        }

        /// <summary>The plan for restoring one database from a URL (no manifest: nothing to verify against).</summary>
        public RestorePlan PlanUrl(string url, string name, RestoreOptions options)
        {
            options = options ?? new RestoreOptions();
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new ArgumentException("The backup URL is empty.");
            }
            ValidateNaming(options);
            var plan = new RestorePlan { BackupId = url };
            plan.Databases.Add(Step(name, url, TargetName(name, options), null, options));
            return plan;
        }

        /// <summary>True for the artifacts that are configuration files (as capture writes them; never sql-server.info, which belongs to a running server).</summary>
        public static bool IsConfigurationArtifact(BackupArtifact artifact)
            => artifact != null && Capture.ArtifactKind.IsConfigurationKind(artifact.Kind) && artifact.Kind != Capture.ArtifactKind.ServerInfo;

        /// <summary>Refuses contradictory or unsafe options (ArgumentException) before any target is touched.</summary>
        public static void ValidateOptions(RestoreOptions options) => ValidateNaming(options ?? new RestoreOptions());

        private static void ValidateNaming(RestoreOptions options)
        {
            if (!string.IsNullOrEmpty(options.NewName) && !string.IsNullOrEmpty(options.Prefix))
            {
                throw new ArgumentException("Give either -NewName or -Prefix, not both.");
            }
            if (!string.IsNullOrEmpty(options.NewName) && !DatabaseNameRules.IsValid(options.NewName))
            {
                throw new ArgumentException($"'{options.NewName}' is not a usable database name: use letters, digits, '_', '-' or '$' (at most 64).");
            }
            if (!string.IsNullOrEmpty(options.Prefix) && !DatabaseNameRules.IsValidPrefix(options.Prefix))
            {
                throw new ArgumentException($"'{options.Prefix}' is not a usable name prefix: use letters, digits, '_', '-' or '$'.");
            }
        }

        private static string TargetName(string name, RestoreOptions options)
        {
            if (!string.IsNullOrEmpty(options.NewName))
            {
                return options.NewName;
            }
            return (options.Prefix ?? "") + name;
        }

        private static List<DatabaseBackupItem> Select(BackupManifest manifest, RestoreOptions options, RestorePlan plan)
        {
            var all = manifest.Databases.Where(d => d != null).ToList();
            if (options.DatabasePatterns == null || options.DatabasePatterns.Length == 0)
            {
                return all;
            }
            var selected = new List<DatabaseBackupItem>();
            foreach (string pattern in options.DatabasePatterns)
            {
                var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                var matches = all.Where(d => d.Name != null && wildcard.IsMatch(d.Name)).ToList();
                if (matches.Count == 0 && WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    // As with PowerShell's own -Name filters, a wildcard that matches nothing selects nothing; a plain name must exist.
                    plan.Warnings.Add($"The backup '{plan.BackupId}' holds no database matching '{pattern}'.");
                }
                else if (matches.Count == 0)
                {
                    plan.Problems.Add(new PlanProblem("DatabaseNotInBackup",
                        $"The backup '{plan.BackupId}' holds no database matching '{pattern}' (it holds: {string.Join(", ", all.Select(d => d.Name))}).",
                        pattern, "Check the name with (Get-DoltBackup <folder>).Databases."));
                }
                selected.AddRange(matches.Where(m => !selected.Contains(m)));
            }
            return all.Where(selected.Contains).ToList();
        }

        private DatabaseRestoreStep Step(string name, string url, string target, DatabaseBackupItem item, RestoreOptions options)
        {
            var step = new DatabaseRestoreStep { Database = name, Url = url, TargetName = target, Expected = item };
            if (!DatabaseNameRules.IsValid(name) || !DatabaseNameRules.IsValid(target))
            {
                step.Refusal = $"'{(DatabaseNameRules.IsValid(name) ? target : name)}' is not a usable database name (letters, digits, '_', '-' or '$' only); nothing was restored.";
                step.RefusalErrorId = "InvalidDatabaseName";
                return step;
            }
            if (item != null && item.Status != ItemStatus.Completed)
            {
                step.Refusal = $"The backup of database '{name}' did not complete ({item.Status}{(string.IsNullOrEmpty(item.Error) ? "" : ": " + item.Error)}), so there is nothing trustworthy to restore.";
                step.RefusalErrorId = "DatabaseNotBackedUp";
                return step;
            }
            if (string.IsNullOrWhiteSpace(url))
            {
                step.Refusal = $"The manifest records no backup URL for database '{name}'.";
                step.RefusalErrorId = "BackupUrlMissing";
                return step;
            }
            step.Existing = FindExisting(target);
            if (step.Existing != ExistingTargetKind.None && !options.Force)
            {
                step.Refusal = step.Existing == ExistingTargetKind.DoltDatabase
                    ? $"Database '{target}' already exists; nothing was restored. With -Force Dolt replaces it and moves the existing database to .dolt_dropped_databases/ (recoverable with dolt_undrop)."
                    : $"'{target}' already exists in the data directory as a plain directory or file; nothing was restored. With -Force Dolt deletes it recursively and restores the database in its place.";
                step.RefusalErrorId = "DatabaseExists";
            }
            return step;
        }

        private ExistingTargetKind FindExisting(string target)
        {
            if (_existing.Contains(target))
            {
                return ExistingTargetKind.DoltDatabase;
            }
            if (!string.IsNullOrEmpty(_dataDir))
            {
                string path = Path.Combine(_dataDir, target);
                if (Directory.Exists(path))
                {
                    return Directory.Exists(Path.Combine(path, ".dolt")) ? ExistingTargetKind.DoltDatabase : ExistingTargetKind.PlainEntry;
                }
                if (File.Exists(path))
                {
                    return ExistingTargetKind.PlainEntry;
                }
            }
            return ExistingTargetKind.None;
        }
    }
}
