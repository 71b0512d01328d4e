using System.Collections.Generic;
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
        /// <summary>
        /// Every problem that stops the restore before the first write (unsafe or altered stored files, an unusable
        /// target; a null target is not checked); empty when <see cref="Restore"/> may run.
        /// </summary>
        IReadOnlyList<PlanProblem> Validate(BackupManifest manifest, string targetDataDir, bool force);

        /// <summary>Restores <paramref name="manifest"/> into <paramref name="targetDataDir"/>; <paramref name="force"/> replaces a non-empty target.</summary>
        ArtifactGroupRestoreResult Restore(BackupManifest manifest, string targetDataDir, bool force, CancellationToken cancellationToken);
    }
}
