using System;
using System.IO;
using System.Runtime.InteropServices;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Resolves symbolic links in a Linux path with libc's realpath(3), so a data dir reached through a link
    /// (/var/lib/dolt → /data/dolt) is matched against the mount that really holds it. A path that does not exist
    /// yet keeps its missing tail on the resolved existing part.
    /// </summary>
    internal static class PathCanonicalizer
    {
        [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
        private static extern IntPtr RealPathNative(string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        private static extern void Free(IntPtr pointer);

        /// <summary>The absolute path with every symbolic link resolved (as far as the path exists).</summary>
        public static string RealPath(string path)
        {
            string full = Path.GetFullPath(path);
            string existing = full;
            string tail = "";
            while (existing.Length > 1)
            {
                string resolved = TryRealPath(existing);
                if (resolved != null)
                {
                    return tail.Length == 0 ? resolved : (resolved.TrimEnd('/') + "/" + tail);
                }
                string name = Path.GetFileName(existing);
                tail = tail.Length == 0 ? name : name + "/" + tail;
                existing = Path.GetDirectoryName(existing) ?? "/";
            }
            return full;
        }

        private static string TryRealPath(string path)
        {
            IntPtr p;
            try
            {
                p = RealPathNative(path, IntPtr.Zero);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return path;
            }
            if (p == IntPtr.Zero)
            {
                return null;
            }
            try
            {
                return Marshal.PtrToStringAnsi(p);
            }
            finally
            {
                Free(p);
            }
        }
    }
}
