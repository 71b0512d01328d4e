using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DoltBackup.Manifest
{
    /// <summary>Builds and parses backup-set ids: a sortable UTC label, a dash, and the backup name.</summary>
    public static class BackupId
    {
        /// <summary>The UTC label format, for example 20261123T191000Z (sorts as text in time order).</summary>
        public const string LabelFormat = "yyyyMMdd'T'HHmmss'Z'";

        private static readonly Regex NamePattern = new Regex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

        /// <summary>The UTC label of a moment.</summary>
        public static string Label(DateTime utc) => utc.ToUniversalTime().ToString(LabelFormat, CultureInfo.InvariantCulture);

        /// <summary>A new id for a backup called <paramref name="name"/> created at <paramref name="utc"/>.</summary>
        public static string Create(string name, DateTime utc) => Label(utc) + "-" + name;

        /// <summary>
        /// True when <paramref name="name"/> is usable as a backup name: Dolt refuses names with '.', '/', spaces and
        /// punctuation (dolt-reference §1), and the name becomes part of folder names, so only letters, digits,
        /// '_' and '-' are allowed.
        /// </summary>
        public static bool IsValidName(string name) => name != null && NamePattern.IsMatch(name);

        /// <summary>Reads the UTC time back out of an id, or null when the id has no label.</summary>
        public static DateTime? TryParseTime(string id)
        {
            if (id == null || id.Length < 16)
            {
                return null;
            }
            return DateTime.TryParseExact(id.Substring(0, 16), LabelFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTime?)null;
        }
    }
}
