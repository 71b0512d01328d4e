using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace DoltBackup.Common
{
    /// <summary>
    /// Creates files that only their owner can read (mode 0600 on Unix), for anything that holds password hashes or
    /// keys. The mode is set while the file is still empty, so no secret byte is ever readable by others.
    /// </summary>
    public static class OwnerOnlyFile
    {
        /// <summary>True on Linux and macOS.</summary>
        public static bool IsUnix => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        /// <summary>Creates (or truncates) a file for writing; owner-only when asked.</summary>
        public static FileStream Create(string path, bool ownerOnly)
        {
            var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920);
            if (ownerOnly)
            {
                try
                {
                    Restrict(path);
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            }
            return stream;
        }

        /// <summary>Restricts an existing file to its owner (0600 on Unix; owner-only ACL on Windows).</summary>
        public static void Restrict(string path)
        {
            if (IsUnix)
            {
                SetMode(path, Convert.ToInt32("600", 8));
            }
            else
            {
                WindowsAcl.RestrictToCurrentUser(path);
            }
        }

        /// <summary>Sets a Unix file mode (no-op elsewhere).</summary>
        public static void SetMode(string path, int mode)
        {
            if (!IsUnix)
            {
                return;
            }
            if (UnixFileMode.TrySet(path, mode))
            {
                return;
            }
            if (chmod(path, (uint)mode) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                throw new IOException($"Could not set mode {Convert.ToString(mode, 8)} on '{path}': {new Win32Exception(errno).Message}.");
            }
        }

        /// <summary>The Unix mode of a file as octal text (for example "0600"), or null where unknown.</summary>
        public static string GetModeText(string path)
        {
            int? mode = GetMode(path);
            return mode.HasValue ? "0" + Convert.ToString(mode.Value & 0xFFF, 8).PadLeft(3, '0') : null;
        }

        /// <summary>The Unix permission bits of a file, or null where unknown.</summary>
        public static int? GetMode(string path)
        {
            if (!IsUnix)
            {
                return null;
            }
            return UnixFileMode.TryGet(path);
        }

        [DllImport("libc", SetLastError = true, EntryPoint = "chmod")]
        private static extern int chmod(string path, uint mode);
    }
}
