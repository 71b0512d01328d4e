namespace DoltBackup.Backup
{
    /// <summary>What New-DoltBackup will do for one database.</summary>
    public enum RegistrationAction
    {
        /// <summary>The name already has this URL: nothing to do (re-runs are idempotent).</summary>
        AlreadyRegistered,
        /// <summary>dolt_backup('add', name, url).</summary>
        Add,
        /// <summary>dolt_backup('remove', name), then add: the name pointed elsewhere (-Force, or an older -Versioned run).</summary>
        Replace,
        /// <summary>Method Push: the remote exists; nothing is registered.</summary>
        UseRemote,
        /// <summary>Nothing can be done: see the planned database's problem.</summary>
        None,
    }
}
