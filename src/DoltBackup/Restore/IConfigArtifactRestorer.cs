using System.Collections.Generic;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Puts configuration artifacts back, to their original paths or under a new root. Implementations validate every
    /// artifact (unsafe paths, links escaping the root, SHA-256 of the stored file) before anything is written, and write
    /// nothing at all when one is refused. The production implementation delegates to the capture restorer.
    /// </summary>
    public interface IConfigArtifactRestorer
    {
        /// <summary>
        /// Validates and (unless <paramref name="whatIf"/>) writes <paramref name="artifacts"/> of <paramref name="manifest"/>.
        /// <paramref name="root"/> null means the original paths; <paramref name="overwrite"/> replaces existing different files.
        /// </summary>
        ArtifactGroupRestoreResult Restore(BackupManifest manifest, IReadOnlyList<BackupArtifact> artifacts, string root, bool overwrite, bool whatIf);
    }
}
