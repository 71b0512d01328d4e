using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Carries out a sync for one backup method. Sync-DoltBackup picks the runner by the manifest's
    /// <see cref="BackupManifest.Method"/>; a new method is a new class registered in <see cref="BackupSyncService"/>.
    /// </summary>
    public interface IBackupMethodRunner
    {
        /// <summary>The method this runner implements.</summary>
        BackupMethod Method { get; }

        /// <summary>Syncs the context's items. Per-item failures are recorded on the items, not thrown.</summary>
        Task RunAsync(SyncContext context, CancellationToken cancellationToken);
    }
}
