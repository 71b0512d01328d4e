using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>What New-DoltBackup will register, worked out before anything changes.</summary>
    public sealed class BackupPlan
    {
        /// <summary>The manifest to emit (status Configured once applied).</summary>
        public BackupManifest Manifest { get; set; }
        /// <summary>One entry per selected database.</summary>
        public List<PlannedDatabase> Databases { get; set; } = new List<PlannedDatabase>();
        /// <summary>-Database names (without wildcards) that the server does not have.</summary>
        public IReadOnlyList<string> MissingDatabases { get; set; } = new List<string>();
        /// <summary>Things to tell the user.</summary>
        public List<string> Warnings { get; set; } = new List<string>();
    }
}
