using System;
using System.IO;

namespace DoltBackup.Locking
{
    /// <summary>
    /// The lock a running Sync-DoltBackup (or any writer of a backup set) holds on <c>.doltbackup.lock</c> in the
    /// backup folder, so that retention never deletes a set that is being written and two syncs of one set never
    /// run at once. It is an OS lock (FileShare.None: flock on Unix, a share lock on Windows), so it vanishes with the
    /// process: no stale lock after a crash.
    /// </summary>
    public sealed class BackupSetLock : IDisposable
    {
        /// <summary>The lock file's name inside a backup folder.</summary>
        public const string FileName = ".doltbackup.lock";

        private FileStream _stream;

        private BackupSetLock(FileStream stream) => _stream = stream;

        /// <summary>Takes the lock of a backup folder, or returns null when another process or handle holds it.</summary>
        public static BackupSetLock TryAcquire(string backupFolder)
        {
            Directory.CreateDirectory(backupFolder);
            try
            {
                var stream = new FileStream(Path.Combine(backupFolder, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                return new BackupSetLock(stream);
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>True when a writer holds the backup folder's lock right now.</summary>
        public static bool IsHeld(string backupFolder)
        {
            if (!File.Exists(Path.Combine(backupFolder, FileName)))
            {
                return false;
            }
            using (var probe = TryAcquire(backupFolder))
            {
                return probe == null;
            }
        }

        /// <summary>Releases the lock (the file stays; it is empty).</summary>
        public void Dispose()
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
