using System;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DoltBackup.Engine
{
    /// <summary>
    /// Turns Dolt's error strings (dolt-reference §1 and §2: current and pre-1.78.5 forms, with or without the
    /// server's "Error 1105 (HY000): " prefix) into a classified <see cref="DoltEngineException"/>.
    /// </summary>
    public static class DoltErrorParser
    {
        private static readonly Regex ServerPrefix = new Regex(@"^\s*(error\s*\d+\s*\(\w+\)\s*:\s*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The kind of a Dolt error message.</summary>
        public static DoltErrorKind Classify(string message)
        {
            string m = (message ?? "").ToLowerInvariant();
            if (Regex.IsMatch(m, @"backup '[^']*' not found") || m.Contains("unknown backup"))
            {
                return DoltErrorKind.BackupNotFound;
            }
            if (Regex.IsMatch(m, @"backup '[^']*' already exists") || Regex.IsMatch(m, @"a backup named '[^']*' already exists"))
            {
                return DoltErrorKind.BackupAlreadyExists;
            }
            if (Regex.IsMatch(m, @"backup name '[^']*' is invalid"))
            {
                return DoltErrorKind.InvalidName;
            }
            if (m.Contains("address conflict with a remote"))
            {
                return DoltErrorKind.AddressConflict;
            }
            if (Regex.IsMatch(m, @"backup url '[^']*' is invalid") || m.Contains("unsupported scheme") || m.Contains("invalid remote url"))
            {
                return DoltErrorKind.InvalidUrl;
            }
            if (Regex.IsMatch(m, @"database '[^']*' already exists, use '--force'") || m.Contains("a database with that name already exists"))
            {
                return DoltErrorKind.DatabaseExists;
            }
            if (m.Contains("does not have the correct permissions") || m.Contains("command denied") || m.Contains("access denied for user")
                && m.Contains("procedure"))
            {
                return DoltErrorKind.PrivilegeMissing;
            }
            if (m.Contains("database not found") || m.Contains("unknown database") || m.Contains("empty database name") || m.Contains("no database selected"))
            {
                return DoltErrorKind.DatabaseNotFound;
            }
            if (m.Contains("remote not found") || Regex.IsMatch(m, @"unknown remote") || Regex.IsMatch(m, @"remote '[^']*' not found"))
            {
                return DoltErrorKind.RemoteNotFound;
            }
            if (Regex.IsMatch(m, @"aborting commit due to empty (author|committer) (name|email)") || m.Contains("is your config set?"))
            {
                return DoltErrorKind.IdentityMissing;
            }
            if (m.Contains("is locked by another dolt process"))
            {
                return DoltErrorKind.Locked;
            }
            return DoltErrorKind.Other;
        }

        /// <summary>Dolt's message without the server's "Error 1105 (HY000): " prefix, the CLI's "error: " prefix and trailing blanks.</summary>
        public static string Clean(string message)
        {
            string m = (message ?? "").Trim();
            m = ServerPrefix.Replace(m, "");
            if (m.StartsWith("error: ", StringComparison.OrdinalIgnoreCase))
            {
                m = m.Substring(7);
            }
            return m.Trim();
        }

        /// <summary>A classified exception for a Dolt error message raised by <paramref name="operation"/>.</summary>
        public static DoltEngineException ToException(string operation, string doltMessage, Exception inner = null, int? exitCode = null)
        {
            string clean = Clean(doltMessage);
            var kind = Classify(clean);
            string message = operation + ": " + (clean.Length == 0 ? "dolt reported an error without a message" : clean);
            switch (kind)
            {
                case DoltErrorKind.BackupNotFound:
                    return Make(kind, message, "BackupNotRegistered", ErrorCategory.ObjectNotFound,
                        "Register the backup first: run New-DoltBackup with the same -Name and -Destination.", clean, inner, exitCode);
                case DoltErrorKind.BackupAlreadyExists:
                    return Make(kind, message, "BackupNameConflict", ErrorCategory.ResourceExists,
                        "Use another -Name, or -Force to replace the registration.", clean, inner, exitCode);
                case DoltErrorKind.InvalidName:
                    return Make(kind, message, "InvalidBackupName", ErrorCategory.InvalidArgument,
                        "Use a name of letters, digits, '_' and '-' only.", clean, inner, exitCode);
                case DoltErrorKind.AddressConflict:
                    return Make(kind, message, "UrlConflict", ErrorCategory.ResourceExists,
                        "The URL is already used by a remote or another backup of this database; choose another -Destination.", clean, inner, exitCode);
                case DoltErrorKind.InvalidUrl:
                    return Make(kind, message, "InvalidUrl", ErrorCategory.InvalidArgument,
                        "Use a file://, aws://, gs:// or https:// URL.", clean, inner, exitCode);
                case DoltErrorKind.DatabaseExists:
                    return Make(kind, message, "DatabaseExists", ErrorCategory.ResourceExists,
                        "Restore under another name, or use -Force to replace the existing database.", clean, inner, exitCode);
                case DoltErrorKind.PrivilegeMissing:
                    return Make(kind, message, "PrivilegeMissing", ErrorCategory.PermissionDenied,
                        "dolt_backup() needs SUPER or GRANT EXECUTE ON PROCEDURE <db>.dolt_backup, and write permission on the branch (dolt_branch_control).", clean, inner, exitCode);
                case DoltErrorKind.DatabaseNotFound:
                    return Make(kind, message, "DatabaseNotFound", ErrorCategory.ObjectNotFound,
                        "Check the database name: SHOW DATABASES lists what the server has.", clean, inner, exitCode);
                case DoltErrorKind.RemoteNotFound:
                    return Make(kind, message, "RemoteNotFound", ErrorCategory.ObjectNotFound,
                        "Add the remote first: CALL dolt_remote('add', '<name>', '<url>').", clean, inner, exitCode);
                case DoltErrorKind.IdentityMissing:
                    return Make(kind, message, "DoltIdentityMissing", ErrorCategory.InvalidOperation,
                        "Give the dolt CLI an identity once, as the account that runs the restore: dolt config --global --add user.name \"Backup Operator\"; " +
                        "dolt config --global --add user.email \"backup@example.com\" (the global config is $DOLT_ROOT_PATH/.dolt or $HOME/.dolt).", clean, inner, exitCode);
                case DoltErrorKind.Locked:
                    return Make(kind, message, "DatabaseLocked", ErrorCategory.ResourceBusy,
                        "Another Dolt process holds the database: use the server parameters (-Server, -ConfigPath) instead of -DataDir.", clean, inner, exitCode);
                default:
                    return Make(kind, message, "DoltError", ErrorCategory.InvalidOperation,
                        "See Dolt's message; fix its cause and run the command again.", clean, inner, exitCode);
            }
        }

        /// <summary>A statement whose connection broke while it ran (<see cref="DoltErrorKind.ConnectionLost"/>).</summary>
        public static DoltEngineException ConnectionLost(string message, string action, Exception inner)
            => new DoltEngineException(DoltErrorKind.ConnectionLost, message, "ConnectionLost", ErrorCategory.ConnectionError, action, inner?.Message, inner);

        /// <summary>
        /// What a sync cut off by a broken connection means: Dolt writes the new table files first and replaces the
        /// store's manifest last (dolt-reference, "how a sync writes a file:// store"), so the store still holds the
        /// previous complete backup, and a new sync brings it up to date. Other failures pass through unchanged.
        /// </summary>
        public static DoltEngineException SyncInterrupted(DoltEngineException e, string database, string backupName)
        {
            if (e == null || e.Kind != DoltErrorKind.ConnectionLost)
            {
                return e;
            }
            string cause = string.IsNullOrEmpty(e.DoltMessage) ? "" : $" ({e.DoltMessage.Trim().TrimEnd('.')})";
            return new DoltEngineException(DoltErrorKind.ConnectionLost,
                $"Syncing backup '{backupName}' of '{database}': the server closed the connection during the sync{cause}. " +
                "The backup store is still the previous complete backup: Dolt replaces its manifest only after every new chunk is written.",
                "SyncInterrupted", ErrorCategory.ConnectionError,
                "Check that the server runs again, then run Sync-DoltBackup again: it resumes and brings the store up to date.", e.DoltMessage, e.InnerException ?? e);
        }

        /// <summary>Awaits a sync and words a broken connection as <see cref="SyncInterrupted"/>.</summary>
        public static async System.Threading.Tasks.Task WordSyncInterruption(System.Threading.Tasks.Task sync, string database, string backupName)
        {
            try
            {
                await sync.ConfigureAwait(false);
            }
            catch (DoltEngineException e) when (e.Kind == DoltErrorKind.ConnectionLost)
            {
                throw SyncInterrupted(e, database, backupName);
            }
        }

        private static DoltEngineException Make(DoltErrorKind kind, string message, string id, ErrorCategory category, string action, string dolt, Exception inner, int? exitCode)
            => new DoltEngineException(kind, message, id, category, action, dolt, inner) { ExitCode = exitCode };
    }
}
