using System.Collections.Generic;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>Everything a restore will do, worked out before anything is changed (what -WhatIf shows).</summary>
    public sealed class RestorePlan
    {
        /// <summary>The manifest restored from, or null for -Url.</summary>
        public BackupManifest Manifest { get; set; }

        /// <summary>The backup set's id (or the URL for -Url).</summary>
        public string BackupId { get; set; }

        /// <summary>One step per selected database.</summary>
        public List<DatabaseRestoreStep> Databases { get; set; } = new List<DatabaseRestoreStep>();

        /// <summary>Configuration artifacts to put back (empty unless asked for).</summary>
        public List<BackupArtifact> ConfigArtifacts { get; set; } = new List<BackupArtifact>();

        /// <summary>Where configuration goes: a root directory, or null for the original paths.</summary>
        public string ConfigRoot { get; set; }

        /// <summary>The grants script to replay, or null.</summary>
        public BackupArtifact GrantsScript { get; set; }

        /// <summary>For a FileCopy backup: the data directory its copy is unpacked into (null otherwise).</summary>
        public string FileCopyTarget { get; set; }

        /// <summary>Problems with the request that concern no single database (for example a -Database pattern that matched nothing).</summary>
        public List<PlanProblem> Problems { get; set; } = new List<PlanProblem>();

        /// <summary>Things the user should know.</summary>
        public List<string> Warnings { get; set; } = new List<string>();

        /// <summary>The steps that may run.</summary>
        public IEnumerable<DatabaseRestoreStep> RunnableDatabases => Databases.Where(d => d.Refusal == null);
    }
}
