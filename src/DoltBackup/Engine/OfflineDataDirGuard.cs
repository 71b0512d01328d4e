using System;
using System.Globalization;
using System.Management.Automation;
using DoltBackup.Locking;

namespace DoltBackup.Engine
{
    /// <summary>
    /// Refuses CLI (offline) mode on a data directory that a Dolt process uses: a live sql-server.info port, or a held
    /// noms/LOCK (dolt-reference §5). The error names the pid and port and points to the server parameters.
    /// </summary>
    public static class OfflineDataDirGuard
    {
        /// <summary>
        /// Throws a <see cref="DoltEngineException"/> (kind Locked) when the data directory is in use.
        /// <paramref name="operation"/> ("Back up", "Restore") and <paramref name="why"/> word the message for the caller.
        /// </summary>
        public static void EnsureNotInUse(string dataDir, string operation = "Back up", string why = null)
        {
            if (!System.IO.Directory.Exists(dataDir))
            {
                throw new DoltEngineException(DoltErrorKind.DatabaseNotFound, $"The data directory '{dataDir}' does not exist.", "DataDirNotFound",
                    ErrorCategory.ObjectNotFound, operation == "Restore"
                        ? "Create the directory (an empty directory is a valid data directory) or give the server's data_dir."
                        : "Give the directory that holds the Dolt databases (the server's data_dir).");
            }
            var usage = DataDirUsage.Probe(dataDir);
            if (!usage.InUse)
            {
                return;
            }
            string who;
            if (usage.ServerInfo != null && usage.ServerAnswers)
            {
                who = $"a Dolt sql-server (pid {usage.ServerInfo.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"}, port {usage.ServerInfo.Port?.ToString(CultureInfo.InvariantCulture) ?? "-"}) runs on it";
            }
            else
            {
                who = "another Dolt process holds " + string.Join(", ", usage.LockedDatabases)
                      + (usage.ServerInfo != null ? $" (sql-server.info names pid {usage.ServerInfo.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"}, port {usage.ServerInfo.Port?.ToString(CultureInfo.InvariantCulture) ?? "-"})" : "");
            }
            string port = usage.ServerInfo?.Port?.ToString(CultureInfo.InvariantCulture);
            throw new DoltEngineException(DoltErrorKind.Locked, $"The data directory '{usage.DataDir}' is in use: {who}{(why == null ? "" : ": " + why)}.", "DataDirInUse", ErrorCategory.ResourceBusy,
                port != null
                    ? $"{operation} through the server instead of -DataDir: -Server localhost -Port {port} -Credential (Get-Credential), or -ConfigPath <its config.yaml>."
                    : $"{operation} through the running server (-Server, -Port, -Credential or -ConfigPath) instead of -DataDir, or stop the other Dolt process.");
        }
    }
}
