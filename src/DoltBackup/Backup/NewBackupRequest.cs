using System;
using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>What New-DoltBackup was asked to set up.</summary>
    public sealed class NewBackupRequest
    {
        /// <summary>The backup name registered in every database (letters, digits, '_' and '-').</summary>
        public string Name { get; set; }
        /// <summary>DoltBackup (dolt_backup remotes) or Push (dolt_push to a remote).</summary>
        public BackupMethod Method { get; set; } = BackupMethod.DoltBackup;
        /// <summary>The normalized base URL (method DoltBackup).</summary>
        public string BaseUrl { get; set; }
        /// <summary>The remote to push to (method Push).</summary>
        public string Remote { get; set; }
        /// <summary>Each run gets its own URL suffix (the manifest's UTC label).</summary>
        public bool Versioned { get; set; }
        /// <summary>Where manifest.json goes; null means the file:// destination's folder.</summary>
        public string BackupFolder { get; set; }
        /// <summary>-Database wildcards (empty: all).</summary>
        public IReadOnlyList<string> Include { get; set; } = Array.Empty<string>();
        /// <summary>-ExcludeDatabase wildcards.</summary>
        public IReadOnlyList<string> Exclude { get; set; } = Array.Empty<string>();
        /// <summary>Replace conflicting registrations and claim unmarked or foreign file:// stores.</summary>
        public bool Force { get; set; }
        /// <summary>The moment of the run (UTC): the manifest's id and the version label.</summary>
        public DateTime NowUtc { get; set; } = DateTime.UtcNow;
        /// <summary>Where the data comes from (recorded in the manifest; never holds a password).</summary>
        public BackupSource Source { get; set; } = new BackupSource();
    }
}
