namespace DoltBackup.Engine
{
    /// <summary>What kind of failure a <see cref="DoltEngineException"/> is, as far as DoltBackup needs to tell them apart.</summary>
    public enum DoltErrorKind
    {
        /// <summary>Anything not listed below.</summary>
        Other,
        /// <summary><c>backup 'x' not found</c> (or the old <c>unknown backup</c>).</summary>
        BackupNotFound,
        /// <summary><c>backup 'x' already exists</c>.</summary>
        BackupAlreadyExists,
        /// <summary><c>backup name 'x' is invalid</c>.</summary>
        InvalidName,
        /// <summary><c>address conflict with a remote</c>: the URL is already used by a remote or backup of the database.</summary>
        AddressConflict,
        /// <summary><c>backup URL '' is invalid</c> or an unsupported URL.</summary>
        InvalidUrl,
        /// <summary><c>database 'x' already exists, use '--force' to overwrite</c> (restore).</summary>
        DatabaseExists,
        /// <summary>The database does not exist.</summary>
        DatabaseNotFound,
        /// <summary>The remote named for a push does not exist.</summary>
        RemoteNotFound,
        /// <summary>Missing SUPER / EXECUTE privilege or branch-control write permission.</summary>
        PrivilegeMissing,
        /// <summary>The server could not be reached or refused the login.</summary>
        Connection,
        /// <summary>The connection broke while a statement ran (the server closed it or died); the server may be back.</summary>
        ConnectionLost,
        /// <summary>The operation ran longer than its timeout.</summary>
        Timeout,
        /// <summary>The operation was cancelled (Ctrl+C).</summary>
        Cancelled,
        /// <summary>The dolt binary was not found or could not be started.</summary>
        DoltNotFound,
        /// <summary>The dolt CLI has no commit identity (user.name / user.email) for a command that commits.</summary>
        IdentityMissing,
        /// <summary>A database in the data directory is held by another Dolt process.</summary>
        Locked,
        /// <summary>The backup name is registered with another URL (DoltBackup's check).</summary>
        BackupNameConflict,
        /// <summary>A file:// destination belongs to another database, or holds an unmarked store (DoltBackup's check).</summary>
        OwnershipConflict,
    }
}
