using System;
using System.Collections.Generic;

namespace DoltBackup.Restore
{
    /// <summary>The outcome of restoring one database: what, from where, to which name, and the proof.</summary>
    public sealed class DatabaseRestoreResult
    {
        /// <summary>The database's name in the backup.</summary>
        public string Database { get; set; }

        /// <summary>The backup URL it was restored from.</summary>
        public string SourceUrl { get; set; }

        /// <summary>The name it was restored as (differs from <see cref="Database"/> with -NewName or -Prefix).</summary>
        public string TargetName { get; set; }

        /// <summary>What the restore did to the target: Restored, Failed or Skipped.</summary>
        public RestoreStatus Status { get; set; }

        /// <summary>The proof: the restored heads compared with the manifest.</summary>
        public VerificationOutcome Verification { get; set; }

        /// <summary>Every difference found by the verification (empty when Verified).</summary>
        public List<string> Differences { get; set; } = new List<string>();

        /// <summary>What existed under the target name before the restore (replaced only with -Force).</summary>
        public ExistingTargetKind ReplacedExisting { get; set; }

        /// <summary>The backup set the database came from (manifest id), when restored from a manifest.</summary>
        public string BackupId { get; set; }

        /// <summary>The server or data directory restored into.</summary>
        public string Target { get; set; }

        /// <summary>How long the restore and its verification took.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>What went wrong, when Status is Failed or Skipped, or why the verification did not run.</summary>
        public string Error { get; set; }

        /// <summary>The ErrorRecord id stem of the error (for example DatabaseExists), when there was one.</summary>
        public string ErrorId { get; set; }

        /// <summary>The error's category when the engine classified it (not shown in output).</summary>
        internal System.Management.Automation.ErrorCategory? ErrorCategory { get; set; }

        /// <summary>The engine's recommended action for the error (not shown in output).</summary>
        internal string RecommendedAction { get; set; }

        /// <inheritdoc />
        public override string ToString() => TargetName + ": " + Status + " (" + Verification + ")";
    }
}
