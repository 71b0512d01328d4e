using System;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>The outcome of Remove-DoltBackup for one backup set.</summary>
    public sealed class BackupRemovalResult
    {
        internal BackupRemovalResult(BackupManifest set, BackupRemovalAction action, string reason)
        {
            Id = set.Id;
            Name = set.Name;
            Method = set.Method;
            Status = set.Status;
            TimeUtc = Catalog.BackupSetTime.Of(set);
            BackupFolder = set.BackupFolder;
            Action = action;
            Reason = reason;
        }

        internal BackupRemovalResult(Catalog.IncompleteBackupSet set, BackupRemovalAction action, string reason)
        {
            Id = set.Id;
            Name = set.Name;
            Status = BackupStatus.Incomplete;
            TimeUtc = BackupId.TryParseTime(set.Id) ?? set.LastWriteTimeUtc ?? DateTime.MinValue;
            BackupFolder = set.Location;
            Action = action;
            Reason = reason;
        }

        /// <summary>The set's id.</summary>
        public string Id { get; }

        /// <summary>The backup name.</summary>
        public string Name { get; }

        /// <summary>How the set was made; null for an incomplete set (no manifest says).</summary>
        public BackupMethod? Method { get; }

        /// <summary>The set's status.</summary>
        public BackupStatus Status { get; }

        /// <summary>The moment the set stands for (the UTC label of its id, or its creation time).</summary>
        public DateTime TimeUtc { get; }

        /// <summary>Deleted, Kept, Skipped or Failed.</summary>
        public BackupRemovalAction Action { get; internal set; }

        /// <summary>Why: the retention rule that keeps or deletes the set, or what stopped the deletion.</summary>
        public string Reason { get; internal set; }

        /// <summary>The set's backup folder.</summary>
        public string BackupFolder { get; }

        /// <summary>Local data directories deleted with the set (or, for -WhatIf, that would be).</summary>
        public string[] DataPaths { get; internal set; } = new string[0];

        /// <summary>EBS snapshots deleted with the set (or, for -WhatIf, that would be).</summary>
        public string[] SnapshotIds { get; internal set; } = new string[0];

        /// <summary>Backup registrations removed (database/name), with -Unregister.</summary>
        public string[] Unregistered { get; internal set; } = new string[0];

        /// <summary>What stays although the set goes, and why (shared with a kept set, not versioned, not file://).</summary>
        public string[] LeftInPlace { get; internal set; } = new string[0];

        /// <inheritdoc />
        public override string ToString() => $"{Id}: {Action} ({Reason})";
    }
}
