namespace DoltBackup.Retention
{
    /// <summary>What Remove-DoltBackup did with a set.</summary>
    public enum BackupRemovalAction
    {
        /// <summary>The set's folder and the data it owned are gone.</summary>
        Deleted,
        /// <summary>The policy keeps the set.</summary>
        Kept,
        /// <summary>The set was to go but did not: -WhatIf, a declined confirmation, or a sync holds its lock.</summary>
        Skipped,
        /// <summary>Deleting the set failed; what is left is still described by its manifest.</summary>
        Failed,
    }
}
