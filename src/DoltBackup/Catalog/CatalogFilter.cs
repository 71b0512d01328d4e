using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>The filters of Get-DoltBackup: name or id wildcards, status, a start time, and the newest N.</summary>
    public sealed class CatalogFilter
    {
        /// <summary>Wildcard patterns matched (case-insensitively) against the backup name and the set id; any match passes.</summary>
        public string[] Name { get; set; }

        /// <summary>Statuses that pass; null or empty lets every status pass.</summary>
        public BackupStatus[] Status { get; set; }

        /// <summary>Only sets at or after this moment (converted to UTC) pass.</summary>
        public DateTime? Since { get; set; }

        /// <summary>Only the newest N of the sets that pass the other filters.</summary>
        public int? Last { get; set; }

        /// <summary>
        /// Applies -Name (to the id and the name in it), -Status and -Since (to the newest file's time) to incomplete
        /// sets; -Last counts only sets with a manifest.
        /// </summary>
        public IEnumerable<IncompleteBackupSet> ApplyIncomplete(IEnumerable<IncompleteBackupSet> sets)
        {
            var patterns = Patterns();
            DateTime? since = SinceUtc;
            return sets.Where(s =>
                (patterns == null || patterns.Any(p => (s.Name != null && p.IsMatch(s.Name)) || p.IsMatch(s.Id)))
                && (Status == null || Status.Length == 0 || Status.Contains(BackupStatus.Incomplete))
                && (!since.HasValue || (s.LastWriteTimeUtc.HasValue && s.LastWriteTimeUtc.Value >= since.Value)));
        }

        private WildcardPattern[] Patterns() => Name == null || Name.Length == 0
            ? null
            : Name.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)).ToArray();

        private DateTime? SinceUtc => Since.HasValue ? (Since.Value.Kind == DateTimeKind.Utc ? Since.Value : Since.Value.ToUniversalTime()) : (DateTime?)null;

        /// <summary>Applies the filters to sets already ordered newest first.</summary>
        public IEnumerable<BackupManifest> Apply(IEnumerable<BackupManifest> newestFirst)
        {
            var patterns = Patterns();
            DateTime? since = SinceUtc;
            var result = newestFirst.Where(s =>
                (patterns == null || patterns.Any(p => (s.Name != null && p.IsMatch(s.Name)) || (s.Id != null && p.IsMatch(s.Id))))
                && (Status == null || Status.Length == 0 || Status.Contains(s.Status))
                && (!since.HasValue || BackupSetTime.Of(s) >= since.Value));
            return Last.HasValue ? result.Take(Last.Value) : result;
        }
    }
}
