using System.Management.Automation;
using DoltBackup.Engine;

namespace DoltBackup.Backup
{
    /// <summary>The per-database failures that DoltBackup's own checks raise (as <see cref="DoltEngineException"/>s, like Dolt's).</summary>
    public static class BackupFailures
    {
        /// <summary>The backup name of a database points at another URL.</summary>
        public static DoltEngineException NameConflict(string database, string name, string registeredUrl, string wantedUrl, bool duringSync)
            => new DoltEngineException(DoltErrorKind.BackupNameConflict,
                $"Database '{database}' already has a backup named '{name}' with the URL {registeredUrl}, not {wantedUrl}.",
                "BackupNameConflict", ErrorCategory.ResourceExists,
                duringSync
                    ? "The registration changed since this backup set was made (a newer -Versioned set, or someone else). Sync the newest set, or re-register with New-DoltBackup -Force."
                    : "Use another -Name, or -Force to re-point the name (the old backup stays where it is, it just stops being synced).");

        /// <summary>Another backup or remote of the database, or of another database, already uses the URL.</summary>
        public static DoltEngineException UrlConflict(string database, string url, string owner)
            => new DoltEngineException(DoltErrorKind.AddressConflict,
                $"The backup URL {url} for database '{database}' is already used by {owner}. Two databases must never share a backup URL: Dolt would overwrite one with the other.",
                "UrlConflict", ErrorCategory.ResourceExists, "Choose another -Destination or -Name, or remove the other registration (CALL dolt_backup('remove', '<name>')).");

        /// <summary>The file:// store belongs to someone else.</summary>
        public static DoltEngineException Ownership(string message, bool duringSync)
            => new DoltEngineException(DoltErrorKind.OwnershipConflict, message, "OwnershipConflict", ErrorCategory.ResourceExists,
                duringSync
                    ? "Check who else writes to this destination. If the store really is this database's backup, re-claim it with New-DoltBackup -Force."
                    : "Choose another -Destination, or -Force if you are sure the store may be overwritten with this database's backup.");

        /// <summary>The remote named for a push does not exist.</summary>
        public static DoltEngineException RemoteMissing(string database, string remote)
            => new DoltEngineException(DoltErrorKind.RemoteNotFound, $"Database '{database}' has no remote named '{remote}'.", "RemoteNotFound", ErrorCategory.ObjectNotFound,
                $"Add it first: USE `{database}`; CALL dolt_remote('add', '{remote}', '<url>'); or pick another -Remote.");
    }
}
