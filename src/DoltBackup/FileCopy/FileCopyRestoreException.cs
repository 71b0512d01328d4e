using DoltBackup.Common;

namespace DoltBackup.FileCopy
{
    /// <summary>Why a FileCopy restore stopped.</summary>
    public enum FileCopyRestoreFailure
    {
        /// <summary>The manifest does not describe a FileCopy backup with its data.</summary>
        NotAFileCopyBackup,
        /// <summary>The target data dir exists and is not empty, and Force was not given.</summary>
        TargetExists,
        /// <summary>A Dolt process uses the target data dir.</summary>
        TargetInUse,
        /// <summary>A file is missing, or its size or SHA-256 differs from the manifest.</summary>
        BackupDamaged,
        /// <summary>An archive entry would be written outside the target, or is a link or device.</summary>
        UnsafeEntry,
        /// <summary>An encrypted archive could not be opened with the keys given, or failed its authentication.</summary>
        DecryptionFailed,
    }

    /// <summary>A FileCopy restore stopped; the target data dir is as it was.</summary>
    public sealed class FileCopyRestoreException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public FileCopyRestoreException(FileCopyRestoreFailure failure, string message, string path = null) : base(message)
        {
            Failure = failure;
            Path = path;
        }

        /// <summary>What went wrong.</summary>
        public FileCopyRestoreFailure Failure { get; }
        /// <summary>The file or entry concerned.</summary>
        public string Path { get; }
    }
}
