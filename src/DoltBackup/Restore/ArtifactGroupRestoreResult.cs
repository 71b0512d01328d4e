using System;
using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Restore
{
    /// <summary>The outcome of restoring one group of artifacts (configuration, grants, file copy).</summary>
    public sealed class ArtifactGroupRestoreResult
    {
        /// <summary>Which group.</summary>
        public ArtifactGroup Group { get; set; }

        /// <summary>Restored only when every file of the group was; Failed when any was refused or failed (nothing of a refused group is written).</summary>
        public RestoreStatus Status { get; set; }

        /// <summary>Where the group went: the configuration root, the server, or the data directory.</summary>
        public string Target { get; set; }

        /// <summary>The backup set it came from (manifest id).</summary>
        public string BackupId { get; set; }

        /// <summary>Every file of the group.</summary>
        public List<ArtifactFileResult> Files { get; set; } = new List<ArtifactFileResult>();

        /// <summary>How many files were restored.</summary>
        public int RestoredCount => Files.Count(f => f.Status == RestoreStatus.Restored);

        /// <summary>For grants: how many statements were run.</summary>
        public int? StatementCount { get; set; }

        /// <summary>How long the group took.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>What went wrong, when Status is Failed or Skipped.</summary>
        public string Error { get; set; }

        /// <summary>The ErrorRecord id stem of the error, when there was one.</summary>
        public string ErrorId { get; set; }

        /// <summary>The error's category when the engine classified it (not shown in output).</summary>
        internal System.Management.Automation.ErrorCategory? ErrorCategory { get; set; }

        /// <summary>The engine's recommended action for the error (not shown in output).</summary>
        internal string RecommendedAction { get; set; }

        /// <inheritdoc />
        public override string ToString() => Group + ": " + Status;
    }
}
