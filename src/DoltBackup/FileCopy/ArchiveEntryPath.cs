using System;
using System.IO;

namespace DoltBackup.FileCopy
{
    /// <summary>Checks entry names of an archive before anything is written: no path may leave the target directory.</summary>
    public static class ArchiveEntryPath
    {
        /// <summary>
        /// The local path under <paramref name="root"/> for an entry name, or null when the name is unsafe: absolute,
        /// with a drive letter, a backslash, a NUL, an empty, "." or ".." segment.
        /// </summary>
        public static string Resolve(string root, string entryName)
        {
            if (string.IsNullOrEmpty(entryName) || entryName.IndexOf('\0') >= 0 || entryName.IndexOf('\\') >= 0 || entryName.StartsWith("/", StringComparison.Ordinal))
            {
                return null;
            }
            if (entryName.Length >= 2 && entryName[1] == ':')
            {
                return null;
            }
            foreach (var segment in entryName.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..")
                {
                    return null;
                }
            }
            string fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string full = Path.GetFullPath(Path.Combine(fullRoot, entryName.Replace('/', Path.DirectorySeparatorChar)));
            var cmp = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return full.StartsWith(fullRoot, cmp) ? full : null;
        }
    }
}
