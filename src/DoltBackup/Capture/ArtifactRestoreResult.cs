using DoltBackup.Manifest;

namespace DoltBackup.Capture
{
    /// <summary>The outcome of restoring one captured file.</summary>
    public sealed class ArtifactRestoreResult
    {
        /// <summary>The artifact's kind (ServerConfig, GlobalConfig, RepoState, ...).</summary>
        public string Kind { get; set; }
        /// <summary>The database the file belongs to, if any.</summary>
        public string Database { get; set; }
        /// <summary>The stored path in the backup folder, as the manifest gives it.</summary>
        public string StoredPath { get; set; }
        /// <summary>The original absolute path, as the manifest gives it.</summary>
        public string OriginalPath { get; set; }
        /// <summary>Where the file goes (absolute), when it could be computed.</summary>
        public string TargetPath { get; set; }
        /// <summary>What happened.</summary>
        public ArtifactRestoreStatus Status { get; set; }
        /// <summary>Create or Overwrite (what is or would be done to the target), or null.</summary>
        public string Action { get; set; }
        /// <summary>Why it was refused, skipped or failed.</summary>
        public string Reason { get; set; }
        /// <summary>When Refused: the ErrorRecord id stem of the refusal (one of the <see cref="ArtifactRefusal"/> ids).</summary>
        public string RefusalId { get; set; }
        /// <summary>True when the file holds secrets (written owner-only).</summary>
        public bool Secret { get; set; }
        /// <summary>The manifest's artifact.</summary>
        public BackupArtifact Artifact { get; set; }
        /// <inheritdoc />
        public override string ToString() => $"{Status} {TargetPath ?? OriginalPath}";
    }
}
