using System.IO;
using System.Threading;

namespace DoltBackup.Verification
{
    /// <summary>
    /// Where the verifier reads a backup set's stored files, by their stored path (relative, '/' separated): the set's
    /// folder, or an object-store set whose objects are streamed and hashed as they arrive (Storage/Sets/RemoteSetFiles).
    /// </summary>
    public abstract class SetFileSource
    {
        /// <summary>The file as results name it (its path, or its URL).</summary>
        public abstract string Display(string storedPath);

        /// <summary>The stored size in bytes; null when there is no such file.</summary>
        public abstract long? SizeOf(string storedPath);

        /// <summary>Opens the file for one sequential read (dispose it).</summary>
        public abstract Stream Open(string storedPath, CancellationToken cancellationToken);

        /// <summary>
        /// Verifies the Dolt store of <paramref name="db"/> where it is kept as objects of the set (a staged store in an
        /// object store); false when the source has no such store (it is checked as before, by its URL).
        /// </summary>
        internal virtual bool VerifyStore(Manifest.BackupManifest manifest, Manifest.DatabaseBackupItem db, VerificationOptions options, System.Action<VerificationResult> emit) => false;

        /// <summary>The files of a local backup folder.</summary>
        public static SetFileSource Folder(string folder) => new FolderSource(folder);

        private sealed class FolderSource : SetFileSource
        {
            private readonly string _folder;

            public FolderSource(string folder) => _folder = folder;

            public override string Display(string storedPath) => Path.Combine(_folder, storedPath.Replace('/', Path.DirectorySeparatorChar));

            public override long? SizeOf(string storedPath)
            {
                var info = new FileInfo(Display(storedPath));
                return info.Exists ? info.Length : (long?)null;
            }

            public override Stream Open(string storedPath, CancellationToken cancellationToken)
                => new FileStream(Display(storedPath), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
    }
}
