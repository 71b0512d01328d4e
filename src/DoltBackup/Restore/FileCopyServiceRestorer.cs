using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// <see cref="IFileCopyRestorer"/> over the FileCopy restore service (<see cref="FileCopyRestore"/>). A set whose
    /// archive or tree stayed in its object store (<see cref="FileCopyServiceRestorer(Verification.SetFileSource)"/>)
    /// is validated by its listing before the first write, then streamed, checked and unpacked in one pass into the
    /// restore's staging folder beside the target, and moved into place only when every check passed.
    /// </summary>
    public sealed class FileCopyServiceRestorer : IFileCopyRestorer
    {
        private readonly Verification.SetFileSource _streamed;

        /// <summary>Restores sets read from their backup folder.</summary>
        public FileCopyServiceRestorer()
        {
        }

        /// <summary>
        /// Restores a set whose stored archive or tree files are read from <paramref name="streamed"/> (an object-store
        /// set, streamed; null: the backup folder).
        /// </summary>
        public FileCopyServiceRestorer(Verification.SetFileSource streamed) => _streamed = streamed;

        /// <inheritdoc />
        public System.Collections.Generic.IReadOnlyList<PlanProblem> Validate(BackupManifest manifest, string targetDataDir, bool force)
            => FileCopySetValidator.Validate(manifest, targetDataDir, force, _streamed);

        /// <inheritdoc />
        public ArtifactGroupRestoreResult Restore(BackupManifest manifest, string targetDataDir, bool force, CancellationToken cancellationToken)
        {
            var result = new ArtifactGroupRestoreResult { Group = ArtifactGroup.FileCopy, Target = targetDataDir, BackupId = manifest.Id };
            var files = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).ToList();
            try
            {
                var done = FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = targetDataDir, Force = force, CancellationToken = cancellationToken, Source = _streamed });
                result.Status = RestoreStatus.Restored;
                result.Target = done.TargetDataDir;
                foreach (var a in files)
                {
                    result.Files.Add(new ArtifactFileResult { Kind = a.Kind, StoredPath = a.StoredPath, TargetPath = Path.Combine(done.TargetDataDir, a.StoredPath ?? ""), Status = RestoreStatus.Restored });
                }
            }
            catch (FileCopyRestoreException e)
            {
                result.Status = RestoreStatus.Failed;
                result.Error = e.Message + (_streamed != null ? " The staging folder was removed and the target data directory was left as it was." : " The target data directory was left as it was.");
                switch (e.Failure)
                {
                    case FileCopyRestoreFailure.TargetExists:
                        result.ErrorId = "DataDirExists";
                        result.ErrorCategory = ErrorCategory.ResourceExists;
                        result.RecommendedAction = RestoreErrorAdvice.RecommendedAction("DataDirExists");
                        break;
                    case FileCopyRestoreFailure.TargetInUse:
                        result.ErrorId = "DataDirInUse";
                        result.ErrorCategory = ErrorCategory.ResourceBusy;
                        result.RecommendedAction = RestoreErrorAdvice.RecommendedAction("DataDirInUse");
                        break;
                    case FileCopyRestoreFailure.UnsafeEntry:
                        result.ErrorId = "ArtifactPathUnsafe";
                        break;
                    case FileCopyRestoreFailure.BackupDamaged:
                        result.ErrorId = "ArtifactHashMismatch";
                        break;
                    case FileCopyRestoreFailure.DecryptionFailed:
                        result.ErrorId = "ArtifactDecryptionFailed";
                        result.ErrorCategory = ErrorCategory.SecurityError;
                        result.RecommendedAction = "Give the key the set was encrypted to (see the manifest's encryption recipients), and restore from an intact copy of the set.";
                        break;
                    default:
                        result.ErrorId = "FileCopyRestoreFailed";
                        result.ErrorCategory = ErrorCategory.InvalidData;
                        result.RecommendedAction = "Use a complete FileCopy backup folder.";
                        break;
                }
            }
            catch (Storage.StorageException e)
            {
                // The object store failed midway (a cut transfer, a missing object, access denied): nothing was moved into place.
                result.Status = RestoreStatus.Failed;
                result.ErrorId = e.ErrorId;
                result.ErrorCategory = e.Category;
                result.RecommendedAction = e.RecommendedAction;
                result.Error = e.Message + " The staging folder was removed and the target data directory was left as it was.";
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                result.Status = RestoreStatus.Failed;
                result.ErrorId = "FileCopyRestoreFailed";
                result.ErrorCategory = ErrorCategory.WriteError;
                result.RecommendedAction = "Check free space and permissions of the target's parent folder, then run again.";
                result.Error = "The FileCopy restore failed: " + e.Message;
            }
            return result;
        }
    }
}
