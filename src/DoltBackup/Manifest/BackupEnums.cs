namespace DoltBackup.Manifest
{
    /// <summary>How a backup set was made.</summary>
    public enum BackupMethod
    {
        /// <summary><c>dolt_backup()</c> remotes: every branch, tag and working set, incrementally.</summary>
        DoltBackup,
        /// <summary><c>dolt_push</c> of every branch to a remote: committed data only.</summary>
        Push,
        /// <summary>A copy of the whole data directory, taken while it is proven that no Dolt process uses it.</summary>
        FileCopy,
        /// <summary>AWS EBS snapshots of the volumes that hold the data directory.</summary>
        EbsSnapshot,
    }

    /// <summary>The state of a whole backup set.</summary>
    public enum BackupStatus
    {
        /// <summary>Registered, not yet synced.</summary>
        Configured,
        /// <summary>A sync is under way (or was interrupted before it could say otherwise).</summary>
        Running,
        /// <summary>Every item completed.</summary>
        Completed,
        /// <summary>Some items completed, others failed or were skipped.</summary>
        PartiallyCompleted,
        /// <summary>No item completed.</summary>
        Failed,
        /// <summary>
        /// Never written to a manifest: a set folder or prefix with objects but no manifest.json (an upload or a delete
        /// that was cut off), as Get-DoltBackup -IncludeIncomplete reports it (Catalog.IncompleteBackupSet).
        /// </summary>
        Incomplete,
    }

    /// <summary>The state of one item (a database, an artifact, a snapshot) of a backup set.</summary>
    public enum ItemStatus
    {
        /// <summary>Known, not yet worked on.</summary>
        Pending,
        /// <summary>Registered at its destination (for example <c>dolt_backup('add')</c>), not yet synced.</summary>
        Configured,
        /// <summary>Work on it has started and not finished.</summary>
        Running,
        /// <summary>Done and recorded.</summary>
        Completed,
        /// <summary>Tried and failed: see the item's error.</summary>
        Failed,
        /// <summary>Deliberately not done (for example -WhatIf, or a secret left out): never counted as success.</summary>
        Skipped,
    }
}
