using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using DoltBackup.Common;

namespace DoltBackup.Locking
{
    /// <summary>
    /// Dolt's advisory lock on a store's <c>noms/LOCK</c> (dolt-reference §5): a BSD flock(LOCK_EX|LOCK_NB) on Unix,
    /// LockFileEx on byte 0 on Windows. A Dolt process that opens a database holds it for its lifetime; while we hold
    /// it, a starting dolt opens the database read-only and a sql-server refuses to start. .NET's FileStream.Lock uses
    /// POSIX record locks on Unix, which do not conflict with flock, so flock is called directly.
    /// </summary>
    public sealed class NomsLock : IDisposable
    {
        private const int LOCK_EX = 2;
        private const int LOCK_NB = 4;
        private const int LOCK_UN = 8;

        private FileStream _windowsStream;
        private int _fd = -1;

        private NomsLock(string path)
        {
            Path = path;
        }

        /// <summary>The LOCK file.</summary>
        public string Path { get; }

        /// <summary>
        /// Tries to take the lock without waiting. Returns null when another process holds it. The LOCK file is created
        /// (empty, 0600) when missing, as Dolt does.
        /// </summary>
        public static NomsLock TryAcquire(string lockPath)
        {
            return OwnerOnlyFile.IsUnix ? TryAcquireUnix(lockPath) : TryAcquireWindows(lockPath);
        }

        private static NomsLock TryAcquireUnix(string lockPath)
        {
            // Not FileStream: on Unix .NET takes its own flock(LOCK_SH) when it opens a file and fails if a Dolt
            // process holds LOCK_EX, so the descriptor is opened and locked directly, as Dolt's fslock does.
            // open(2) is variadic: on Apple arm64 a variadic mode argument travels on the stack, so passing it as a
            // plain P/Invoke argument gives a garbage mode. The file is therefore created first (empty, 0600, as Dolt
            // creates it) and opened without O_CREAT, where the mode argument is ignored.
            bool mac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
            EnsureLockFileExists(lockPath);
            int flags = 2 /* O_RDWR */ | (mac ? 0x1000000 : 0x80000) /* O_CLOEXEC */;
            int fd = open(lockPath, flags, 0);
            if (fd < 0)
            {
                int errno = Marshal.GetLastWin32Error();
                throw new IOException($"Could not open '{lockPath}': {new Win32Exception(errno).Message}");
            }
            if (flock(fd, LOCK_EX | LOCK_NB) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                close(fd);
                if (errno == 11 || errno == 35) // EWOULDBLOCK on Linux / macOS
                {
                    return null;
                }
                throw new IOException($"flock on '{lockPath}' failed: {new Win32Exception(errno).Message}");
            }
            return new NomsLock(lockPath) { _fd = fd };
        }

        private static void EnsureLockFileExists(string lockPath)
        {
            if (File.Exists(lockPath))
            {
                return;
            }
            try
            {
                using (new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                }
                OwnerOnlyFile.SetMode(lockPath, Convert.ToInt32("600", 8));
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                // Created meanwhile by another process (Dolt): fine.
            }
        }

        private static NomsLock TryAcquireWindows(string lockPath)
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            try
            {
                stream.Lock(0, 1);
            }
            catch (IOException)
            {
                stream.Dispose();
                return null;
            }
            return new NomsLock(lockPath) { _windowsStream = stream };
        }

        /// <summary>True when some process holds the lock right now (probes by taking and releasing it at once).</summary>
        public static bool IsHeld(string lockPath)
        {
            if (!File.Exists(lockPath))
            {
                return false;
            }
            using (var probe = TryAcquire(lockPath))
            {
                return probe == null;
            }
        }

        /// <summary>Releases the lock.</summary>
        public void Dispose()
        {
            if (_fd >= 0)
            {
                flock(_fd, LOCK_UN);
                close(_fd);
                _fd = -1;
            }
            if (_windowsStream != null)
            {
                try
                {
                    _windowsStream.Unlock(0, 1);
                }
                catch (IOException)
                {
                }
                _windowsStream.Dispose();
                _windowsStream = null;
            }
        }

        [DllImport("libc", SetLastError = true, EntryPoint = "open")]
        private static extern int open(string path, int flags, int mode);

        [DllImport("libc", SetLastError = true, EntryPoint = "close")]
        private static extern int close(int fd);

        [DllImport("libc", SetLastError = true, EntryPoint = "flock")]
        private static extern int flock(int fd, int operation);
    }
}
