namespace DoltBackup.Capture
{
    /// <summary>Why an artifact of an untrusted manifest was refused: the ErrorRecord id stems a restore reports.</summary>
    public static class ArtifactRefusal
    {
        /// <summary>The stored path is absolute, has '..', or leads out of the backup folder (through a link too).</summary>
        public const string PathUnsafe = "ArtifactPathUnsafe";
        /// <summary>The stored file is not in the backup folder.</summary>
        public const string Missing = "ArtifactMissing";
        /// <summary>The stored file's size or SHA-256 differs from the manifest (or the manifest gives none).</summary>
        public const string HashMismatch = "ArtifactHashMismatch";
        /// <summary>The stored file cannot be read.</summary>
        public const string Unreadable = "ArtifactUnreadable";
        /// <summary>An encrypted stored file did not open with the keys given, or failed its authentication check.</summary>
        public const string DecryptionFailed = "ArtifactDecryptionFailed";
        /// <summary>The target path is unusable (not absolute, '..', outside the target root, a directory, or two artifacts aimed at it).</summary>
        public const string TargetUnsafe = "ConfigTargetUnsafe";
        /// <summary>A different file exists at the target and -Force was not given.</summary>
        public const string TargetExists = "ConfigTargetExists";
    }
}
