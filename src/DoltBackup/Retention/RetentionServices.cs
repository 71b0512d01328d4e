using System;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Where Remove-DoltBackup finds the services other parts of the module provide. The defaults are the EC2 snapshot service and the
    /// Dolt engine seam; tests may swap them. A null service makes the sets that need it fail (never silently succeed).
    /// </summary>
    public static class RetentionServices
    {
        /// <summary>Creates the EBS snapshot deleter for a set (EC2), or null when it is not available.</summary>
        public static Func<BackupManifest, ISnapshotDeleter> SnapshotDeleterFactory { get; set; } = set => new EbsRetentionSnapshotDeleter();

        /// <summary>
        /// Creates the unregistrar for a set on a server (the connection settings come from -Server/-ConfigPath and
        /// -Credential, or from the manifest's source), or null when it is not available.
        /// </summary>
        public static Func<ServerConnectionSettings, BackupManifest, IBackupUnregistrar> UnregistrarFactory { get; set; } = (settings, set) => new EngineBackupUnregistrar(settings);
    }
}
