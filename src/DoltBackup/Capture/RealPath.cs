using System;
using System.IO;
using System.Runtime.InteropServices;
using DoltBackup.Common;

namespace DoltBackup.Capture
{
    /// <summary>Canonical paths with every symbolic link resolved (realpath(3) on Unix), to see where a path really leads.</summary>
    internal static class RealPath
    {
        /// <summary>
        /// The canonical form of an existing path, or of its deepest existing ancestor with the rest appended. On
        /// Windows, where no link is resolved here, null when any existing component is a reparse point (a link or
        /// junction), so that callers refuse it.
        /// </summary>
        public static string Resolve(string path)
        {
            string full = Path.GetFullPath(path);
            string existing = full;
            string rest = "";
            while (existing != null && !File.Exists(existing) && !Directory.Exists(existing) && !IsLink(existing))
            {
                rest = Path.Combine(Path.GetFileName(existing), rest);
                existing = Path.GetDirectoryName(existing);
            }
            if (existing == null)
            {
                return full;
            }
            string resolved;
            if (OwnerOnlyFile.IsUnix)
            {
                resolved = UnixRealPath(existing);
                if (resolved == null)
                {
                    return null; // a dangling link, or a loop
                }
            }
            else
            {
                for (string p = existing; p != null; p = Path.GetDirectoryName(p))
                {
                    if (IsLink(p))
                    {
                        return null;
                    }
                }
                resolved = existing;
            }
            return rest.Length == 0 ? resolved : Path.Combine(resolved, rest.TrimEnd(Path.DirectorySeparatorChar));
        }

        /// <summary>True when <paramref name="path"/> (canonical) is <paramref name="root"/> or lies inside it.</summary>
        public static bool IsInside(string path, string root)
        {
            if (path == null || root == null)
            {
                return false;
            }
            var comparison = OwnerOnlyFile.IsUnix ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            string r = root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return string.Equals(path.TrimEnd(Path.DirectorySeparatorChar), r, comparison)
                || path.StartsWith(r + Path.DirectorySeparatorChar, comparison);
        }

        private static bool IsLink(string path)
        {
            try
            {
                return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException)
            {
                return false;
            }
        }

        private static string UnixRealPath(string path)
        {
            IntPtr p = realpath(path, IntPtr.Zero);
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
                free(p);
            }
        }

        [DllImport("libc", SetLastError = true, EntryPoint = "realpath")]
        private static extern IntPtr realpath(string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        private static extern void free(IntPtr pointer);
    }
}
