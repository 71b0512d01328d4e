namespace DoltBackup.Restore
{
    /// <summary>One file of an artifact group: where it was stored, where it goes, and what happened.</summary>
    public sealed class ArtifactFileResult
    {
        /// <summary>What the file is (the manifest's artifact kind).</summary>
        public string Kind { get; set; }

        /// <summary>Path inside the backup folder.</summary>
        public string StoredPath { get; set; }

        /// <summary>Where the file is (or would be) written.</summary>
        public string TargetPath { get; set; }

        /// <summary>Restored, Failed (refused or not written) or Skipped.</summary>
        public RestoreStatus Status { get; set; }

        /// <summary>Why it was refused or failed.</summary>
        public string Error { get; set; }

        /// <summary>The ErrorRecord id stem of <see cref="Error"/> (ArtifactPathUnsafe, ArtifactHashMismatch, ...), when known.</summary>
        public string ErrorId { get; set; }

        /// <inheritdoc />
        public override string ToString() => StoredPath + " -> " + TargetPath + ": " + Status;
    }
}
