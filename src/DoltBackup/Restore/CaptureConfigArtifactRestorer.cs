using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Capture;
using DoltBackup.Manifest;

namespace DoltBackup.Restore
{
    /// <summary>
    /// <see cref="IConfigArtifactRestorer"/> over the capture restorer (<see cref="ArtifactRestorer"/>), which validates
    /// every artifact (paths, links, size and SHA-256) before it writes any, and writes atomically.
    /// </summary>
    public sealed class CaptureConfigArtifactRestorer : IConfigArtifactRestorer
    {
        /// <inheritdoc />
        public ArtifactGroupRestoreResult Restore(BackupManifest manifest, IReadOnlyList<BackupArtifact> artifacts, string root, bool overwrite, bool whatIf)
        {
            var result = new ArtifactGroupRestoreResult { Group = ArtifactGroup.Configuration, Target = root ?? "original paths", BackupId = manifest.Id };
            ArtifactRestoreReport report;
            try
            {
                report = new ArtifactRestorer().Restore(manifest, artifacts, new ArtifactRestoreOptions { TargetRoot = root, Force = overwrite, WhatIf = whatIf });
            }
            catch (System.Exception e) when (e is IOException || e is System.UnauthorizedAccessException)
            {
                result.Status = RestoreStatus.Failed;
                result.ErrorId = "ConfigRestoreFailed";
                result.Error = "Configuration files were not restored: " + e.Message;
                return result;
            }
            foreach (var item in report.Items)
            {
                result.Files.Add(new ArtifactFileResult
                {
                    Kind = item.Kind, StoredPath = item.StoredPath, TargetPath = item.TargetPath, Status = Map(item.Status),
                    Error = item.Status == ArtifactRestoreStatus.Unchanged ? null : item.Reason,
                    ErrorId = item.Status == ArtifactRestoreStatus.Refused ? item.RefusalId : null,
                });
            }
            var refused = report.Items.Where(i => i.Status == ArtifactRestoreStatus.Refused).ToList();
            var failed = report.Items.Where(i => i.Status == ArtifactRestoreStatus.Failed || i.Status == ArtifactRestoreStatus.Skipped).ToList();
            if (refused.Count > 0)
            {
                result.Status = RestoreStatus.Failed;
                result.ErrorId = "ConfigArtifactRefused";
                result.Error = $"{refused.Count} configuration file(s) were refused, so none was written: "
                               + string.Join("; ", refused.Take(5).Select(i => $"{i.StoredPath}: {i.Reason}")) + (refused.Count > 5 ? "; ..." : "");
            }
            else if (failed.Count > 0)
            {
                result.Status = RestoreStatus.Failed;
                result.ErrorId = "ConfigRestoreFailed";
                result.Error = $"{failed.Count} configuration file(s) were not restored: "
                               + string.Join("; ", failed.Take(5).Select(i => $"{i.StoredPath}: {i.Reason}")) + (failed.Count > 5 ? "; ..." : "");
            }
            else
            {
                result.Status = whatIf ? RestoreStatus.Skipped : RestoreStatus.Restored;
            }
            return result;
        }

        private static RestoreStatus Map(ArtifactRestoreStatus status)
        {
            switch (status)
            {
                case ArtifactRestoreStatus.Restored:
                case ArtifactRestoreStatus.Unchanged:
                    return RestoreStatus.Restored;
                case ArtifactRestoreStatus.Refused:
                case ArtifactRestoreStatus.Failed:
                    return RestoreStatus.Failed;
                default:
                    return RestoreStatus.Skipped;
            }
        }
    }
}
