using DoltBackup.Common;

namespace DoltBackup.Verification
{
    /// <summary>The path given for verification is not a backup, a store, a .dolt directory or a data directory.</summary>
    public sealed class VerificationTargetException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public VerificationTargetException(string path, string message) : base(message)
        {
            Path = path;
        }

        /// <summary>The path that was given.</summary>
        public string Path { get; }
    }
}
