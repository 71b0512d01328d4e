using System;
using System.IO;
using System.Runtime.InteropServices;

namespace DoltBackup.Retention
{
    /// <summary>file:// URLs as local paths, and containment between paths (case-insensitive on Windows only).</summary>
    public static class LocalPath
    {
        private static readonly StringComparison PathComparison =
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        /// <summary>
        /// The absolute local path of a <c>file:///abs/path</c> URL (or <c>file:///C:/path</c>, <c>file://C:/path</c>
        /// on Windows). False for other schemes, host names (UNC) and relative file URLs: whose data those are cannot
        /// be told from here.
        /// </summary>
        public static bool TryFromFileUrl(string url, out string path)
        {
            path = null;
            if (string.IsNullOrEmpty(url) || !url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            string rest = Uri.UnescapeDataString(url.Substring("file://".Length));
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            if (windows && rest.Length >= 3 && rest[0] == '/' && char.IsLetter(rest[1]) && rest[2] == ':')
            {
                rest = rest.Substring(1);
            }
            bool rooted = windows
                ? rest.Length >= 3 && char.IsLetter(rest[0]) && rest[1] == ':' && (rest[2] == '/' || rest[2] == '\\')
                : rest.StartsWith("/", StringComparison.Ordinal);
            if (!rooted || rest.Contains("/../") || rest.EndsWith("/..", StringComparison.Ordinal))
            {
                return false;
            }
            path = Normalize(rest);
            return true;
        }

        /// <summary>The full path without trailing separators.</summary>
        public static string Normalize(string path)
        {
            if (Storage.StorageLocation.IsObjectStoreUrl(path))
            {
                return path.TrimEnd('/');
            }
            string full = Path.GetFullPath(path);
            string trimmed = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return trimmed.Length == 0 || (trimmed.Length == 2 && trimmed[1] == ':') ? full : trimmed;
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
        public static bool IsSameOrUnder(string path, string ancestor)
        {
            string p = Normalize(path), a = Normalize(ancestor);
            if (string.Equals(p, a, PathComparison))
            {
                return true;
            }
            string prefix = a.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? a : a + Path.DirectorySeparatorChar;
            return p.StartsWith(prefix, PathComparison);
        }

        /// <summary>True when one path contains the other (or they are the same).</summary>
        public static bool Overlap(string a, string b) => IsSameOrUnder(a, b) || IsSameOrUnder(b, a);

        /// <summary>True when <paramref name="path"/> lies strictly below <paramref name="ancestor"/>.</summary>
        public static bool IsStrictlyUnder(string path, string ancestor) => IsSameOrUnder(path, ancestor) && !IsSameOrUnder(ancestor, path);
    }
}
