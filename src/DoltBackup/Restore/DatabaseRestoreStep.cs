using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>One database of a restore plan: from which URL, to which name, over what, or why it is refused.</summary>
    public sealed class DatabaseRestoreStep
    {
        /// <summary>The database's name in the backup.</summary>
        public string Database { get; set; }

        /// <summary>The backup URL.</summary>
        public string Url { get; set; }

        /// <summary>The name the database is restored as.</summary>
        public string TargetName { get; set; }

        /// <summary>What exists under the target name now.</summary>
        public ExistingTargetKind Existing { get; set; }

        /// <summary>The manifest's record of the database (heads to verify against), or null for -Url.</summary>
        public DatabaseBackupItem Expected { get; set; }

        /// <summary>Why the step will not run (set by the planner), or null when it may run.</summary>
        public string Refusal { get; set; }

        /// <summary>The ErrorRecord id stem for <see cref="Refusal"/>.</summary>
        public string RefusalErrorId { get; set; }

        /// <summary>True when the step replaces something (needs -Force).</summary>
        public bool Replaces => Existing != ExistingTargetKind.None;

        /// <summary>What the step does, in words (for -WhatIf, the prompt and verbose output).</summary>
        public string Describe()
        {
            string what = $"restore database '{TargetName}' from {Url}" + (TargetName != Database ? $" (backed up as '{Database}')" : "");
            switch (Existing)
            {
                case ExistingTargetKind.DoltDatabase:
                    return what + $"; it REPLACES the existing database '{TargetName}': Dolt moves it to .dolt_dropped_databases/ in the data directory (recoverable with CALL dolt_undrop('{TargetName}'))";
                case ExistingTargetKind.PlainEntry:
                    return what + $"; a plain directory or file '{TargetName}' exists in the data directory and Dolt DELETES it recursively";
                default:
                    return what;
            }
        }

        /// <inheritdoc />
        public override string ToString() => Database + " -> " + TargetName;
    }
}
