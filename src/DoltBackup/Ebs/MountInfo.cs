using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace DoltBackup.Ebs
{
    /// <summary>Parses /proc/self/mountinfo and finds the mount that holds a path.</summary>
    public static class MountInfo
    {
        /// <summary>
        /// Parses mountinfo text: "id parent major:minor root mountpoint options [optional...] - fstype source super".
        /// Lines that do not have that shape are ignored.
        /// </summary>
        public static List<MountInfoEntry> Parse(string text)
        {
            var entries = new List<MountInfoEntry>();
            foreach (var rawLine in text.Split('\n'))
            {
                string line = rawLine.TrimEnd('\r');
                if (line.Length == 0)
                {
                    continue;
                }
                var fields = line.Split(' ');
                int dash = Array.IndexOf(fields, "-", 6);
                if (fields.Length < 7 || dash < 0 || dash + 2 >= fields.Length)
                {
                    continue;
                }
                var mm = fields[2].Split(':');
                if (mm.Length != 2 || !int.TryParse(mm[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
                    || !int.TryParse(mm[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor))
                {
                    continue;
                }
                entries.Add(new MountInfoEntry
                {
                    Major = major,
                    Minor = minor,
                    MountPoint = Unescape(fields[4]),
                    FileSystemType = Unescape(fields[dash + 1]),
                    Source = Unescape(fields[dash + 2]),
                });
            }
            return entries;
        }

        /// <summary>Decodes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash).</summary>
        public static string Unescape(string field)
        {
            if (field.IndexOf('\\') < 0)
            {
                return field;
            }
            var sb = new StringBuilder(field.Length);
            for (int i = 0; i < field.Length; i++)
            {
                if (field[i] == '\\' && IsOctal(field, i + 1))
                {
                    sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                    i += 3;
                }
                else
                {
                    sb.Append(field[i]);
                }
            }
            return sb.ToString();
        }

        private static bool IsOctal(string s, int start)
        {
            if (start + 3 > s.Length)
            {
                return false;
            }
            for (int i = start; i < start + 3; i++)
            {
                if (s[i] < '0' || s[i] > '7')
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>
        /// The mount that holds an absolute path: the longest mount point that is the path or a parent folder of it;
        /// among equal mount points the last one (a later mount hides an earlier one). Null when none matches.
        /// </summary>
        public static MountInfoEntry FindMount(IReadOnlyList<MountInfoEntry> entries, string absolutePath)
        {
            MountInfoEntry best = null;
            foreach (var e in entries)
            {
                if (!Contains(e.MountPoint, absolutePath))
                {
                    continue;
                }
                if (best == null || e.MountPoint.Length >= best.MountPoint.Length)
                {
                    best = e;
                }
            }
            return best;
        }

        private static bool Contains(string mountPoint, string path)
        {
            if (mountPoint == "/")
            {
                return path.StartsWith("/", StringComparison.Ordinal);
            }
            string mp = mountPoint.TrimEnd('/');
            return string.Equals(path, mp, StringComparison.Ordinal)
                || path.StartsWith(mp + "/", StringComparison.Ordinal);
        }
    }
}
