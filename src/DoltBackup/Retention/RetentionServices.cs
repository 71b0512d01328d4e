using System;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Where Remove-DoltBackup finds the services other parts of the module provide. Each is null until the module
    /// wires an implementation; a null service makes the sets that need it fail (never silently succeed).
    /// </summary>
    public static class RetentionServices
    {
        /// <summary>Creates the EBS snapshot deleter for a set (EC2), or null when it is not available.</summary>
        public static Func<BackupManifest, ISnapshotDeleter> SnapshotDeleterFactory { get; set; }

        /// <summary>
        /// Creates the unregistrar for a set on a server (the connection settings come from -Server/-ConfigPath and
        /// -Credential, or from the manifest's source), or null when it is not available.
        /// </summary>
        public static Func<ServerConnectionSettings, BackupManifest, IBackupUnregistrar> UnregistrarFactory { get; set; }
    }
}
