using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DoltBackup.Ebs
{
    /// <summary>The tags DoltBackup puts on snapshots and volumes, and the checks on user tags.</summary>
    public static class EbsTags
    {
        /// <summary>Tag key: the backup set id (manifest id).</summary>
        public const string BackupId = "DoltBackup:BackupId";
        /// <summary>Tag key: the backup name.</summary>
        public const string BackupName = "DoltBackup:BackupName";
        /// <summary>Tag key: the databases of the set, comma-separated.</summary>
        public const string Databases = "DoltBackup:Databases";
        /// <summary>Tag key: the local device of the source volume.</summary>
        public const string Device = "DoltBackup:Device";
        /// <summary>Tag key: the mount point of the source volume.</summary>
        public const string MountPoint = "DoltBackup:MountPoint";
        /// <summary>Tag key on restored volumes: the snapshot they were created from.</summary>
        public const string RestoredFrom = "DoltBackup:RestoredFrom";
        /// <summary>Tag key on restored volumes: the volume the snapshot was taken of.</summary>
        public const string SourceVolume = "DoltBackup:SourceVolume";

        private const int MaxTags = 50;
        private const int MaxKey = 128;
        private const int MaxValue = 256;

        /// <summary>Converts a PowerShell hashtable (-Tag @{ Team = 'db' }) to a dictionary of strings.</summary>
        public static Dictionary<string, string> FromHashtable(IDictionary table)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            if (table == null)
            {
                return d;
            }
            foreach (DictionaryEntry e in table)
            {
                string key = Convert.ToString(e.Key is PSObject pk ? pk.BaseObject : e.Key, System.Globalization.CultureInfo.InvariantCulture);
                string value = e.Value == null ? "" : Convert.ToString(e.Value is PSObject pv ? pv.BaseObject : e.Value, System.Globalization.CultureInfo.InvariantCulture);
                d[key] = value;
            }
            return d;
        }

        /// <summary>
        /// The tags of a snapshot or volume: DoltBackup's own, then the user's. Throws <see cref="EbsException"/> for a
        /// user key that is empty, reserved (aws:, DoltBackup:) or too long, or for more than 50 tags.
        /// </summary>
        public static Dictionary<string, string> Build(IDictionary<string, string> own, IDictionary<string, string> user)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in own)
            {
                if (kv.Value != null)
                {
                    tags[kv.Key] = Truncate(kv.Value);
                }
            }
            foreach (var kv in user ?? new Dictionary<string, string>())
            {
                string key = kv.Key ?? "";
                if (key.Trim().Length == 0 || key.Length > MaxKey)
                {
                    throw BadTag($"The tag key '{key}' is empty or longer than {MaxKey} characters.");
                }
                if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DoltBackup:", StringComparison.OrdinalIgnoreCase))
                {
                    throw BadTag($"The tag key '{key}' is reserved (aws: belongs to AWS, DoltBackup: to this module).");
                }
                if ((kv.Value ?? "").Length > MaxValue)
                {
                    throw BadTag($"The value of tag '{key}' is longer than {MaxValue} characters.");
                }
                tags[key] = kv.Value ?? "";
            }
            if (tags.Count > MaxTags)
            {
                throw BadTag($"{tags.Count} tags are more than the {MaxTags} EC2 allows on one resource (DoltBackup uses {own.Count}).");
            }
            return tags;
        }

        /// <summary>The database names as one tag value (cut to 256 characters ending in ...).</summary>
        public static string JoinDatabases(IEnumerable<string> names) => Truncate(string.Join(",", names ?? Enumerable.Empty<string>()));

        private static string Truncate(string value) => value.Length <= MaxValue ? value : value.Substring(0, MaxValue - 3) + "...";

        private static EbsException BadTag(string message)
            => new EbsException("EbsInvalidTag", ErrorCategory.InvalidArgument, message, "Fix -Tag: keys up to 128 characters, values up to 256, no aws: or DoltBackup: prefix, at most 50 tags in all.");
    }
}
