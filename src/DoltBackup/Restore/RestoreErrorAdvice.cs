using System.Management.Automation;

namespace DoltBackup.Restore
{
    /// <summary>The ErrorRecord category and recommended action for the restore's own error ids.</summary>
    public static class RestoreErrorAdvice
    {
        /// <summary>The category of an error id (engine ids not listed here fall back to <paramref name="fallback"/>).</summary>
        public static ErrorCategory Category(string errorId, ErrorCategory fallback = ErrorCategory.NotSpecified)
        {
            switch (errorId)
            {
                case "DatabaseExists": return ErrorCategory.ResourceExists;
                case "InvalidDatabaseName": return ErrorCategory.InvalidArgument;
                case "DatabaseNotBackedUp":
                case "BackupUrlMissing":
                case "ArtifactHashMismatch": return ErrorCategory.InvalidData;
                case "ArtifactPathUnsafe":
                case "ArtifactDecryptionFailed":
                case "EncryptionKeyRequired":
                case "ConfigArtifactRefused": return ErrorCategory.SecurityError;
                case "ArtifactMissing": return ErrorCategory.ObjectNotFound;
                case "ArtifactUnreadable": return ErrorCategory.ReadError;
                case "ConfigTargetUnsafe": return ErrorCategory.SecurityError;
                case "DataDirExists":
                case "ConfigTargetExists": return ErrorCategory.ResourceExists;
                case "DataDirInUse": return ErrorCategory.ResourceBusy;
                case "GrantsNeedServer": return ErrorCategory.InvalidOperation;
                case "RestoreVerificationMismatch": return ErrorCategory.InvalidResult;
                case "RestoreVerificationFailed":
                case "RestoreNotAttempted": return ErrorCategory.NotSpecified;
                case "GrantsReplayFailed":
                case "ConfigRestoreFailed": return ErrorCategory.WriteError;
                default: return fallback;
            }
        }

        /// <summary>What the user should do about an error id.</summary>
        public static string RecommendedAction(string errorId)
        {
            switch (errorId)
            {
                case "DatabaseExists":
                    return "Add -Force to replace it (Dolt moves an existing Dolt database to .dolt_dropped_databases/, recoverable with dolt_undrop, and deletes a plain directory), or restore beside it with -NewName or -Prefix.";
                case "InvalidDatabaseName": return "Restore under a usable name with -NewName or -Prefix.";
                case "DatabaseNotBackedUp": return "Restore from a backup set whose sync of this database completed (Get-DoltBackup shows each database's status).";
                case "BackupUrlMissing": return "Use -Url and -Name with the backup's URL.";
                case "RestoreVerificationMismatch":
                    return "Compare the differences: a backup synced after its manifest heads were recorded holds newer commits; otherwise the backup or the manifest was changed. Keep the original until this is understood.";
                case "RestoreVerificationFailed": return "Check the restored database by hand (SELECT * FROM dolt_branches) against the manifest.";
                case "RestoreNotAttempted": return "Fix the connection problem reported before, then run the restore again for the remaining databases (-Database).";
                case "ArtifactPathUnsafe":
                case "ConfigArtifactRefused": return "Use an unmodified manifest and backup folder; nothing was written.";
                case "ArtifactDecryptionFailed": return "Give the key the set was encrypted to (the manifest's encryption recipients: -DecryptionCertificate with its private key, or -Passphrase), and restore from an intact copy of the set; nothing was written.";
                case "EncryptionKeyRequired": return "Give -DecryptionCertificate (with its private key) or -Passphrase; nothing was written.";
                case "ArtifactHashMismatch":
                case "ArtifactMissing": return "Restore from an intact copy of the backup folder; nothing was written.";
                case "ArtifactUnreadable": return "Run as a user that can read the whole backup folder; nothing was written.";
                case "ConfigTargetUnsafe": return "Check the configuration target (-ConfigRoot) and the manifest's original paths; nothing was written.";
                case "ConfigTargetExists": return "Add -Force to overwrite the differing file, or restore under a new -ConfigRoot; nothing was written.";
                case "DataDirExists": return "Restore into a new folder, or add -Force to replace the data directory (stop its server first).";
                case "DataDirInUse": return "Stop the Dolt sql-server (or other Dolt process) on the data directory, or restore into a new folder.";
                case "GrantsNeedServer": return "Run the restore through the server (-Server/-Port/-Credential or -ConfigPath) to replay grants.";
                case "GrantsReplayFailed": return "Read the refused statements; fix their cause (missing privilege, existing account) and replay the script again.";
                case "ConfigRestoreFailed": return "Check that the target paths are writable, then run again.";
                default: return "See the message; fix its cause and run the restore again.";
            }
        }
    }
}
