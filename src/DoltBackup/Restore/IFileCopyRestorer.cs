using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Unpacks a FileCopy backup (a copy of a whole data directory) into a data directory. Implementations check every
    /// file's size and SHA-256 and refuse entries that would leave the target before the target is touched. The
    /// production implementation delegates to the FileCopy restore service.
    /// </summary>
    public interface IFileCopyRestorer
    {
        /// <summary>Restores <paramref name="manifest"/> into <paramref name="targetDataDir"/>; <paramref name="force"/> replaces a non-empty target.</summary>
        ArtifactGroupRestoreResult Restore(BackupManifest manifest, string targetDataDir, bool force, CancellationToken cancellationToken);
    }
}
