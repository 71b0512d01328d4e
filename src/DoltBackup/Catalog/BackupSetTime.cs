using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Catalog
{
    /// <summary>The moment a backup set stands for, and the newest-first order of sets.</summary>
    public static class BackupSetTime
    {
        /// <summary>
        /// The UTC time of a set: the label of its id (the time the set was named for), or its createdUtc when the
        /// id carries no label.
        /// </summary>
        public static DateTime Of(BackupManifest set)
        {
            var fromId = BackupId.TryParseTime(set.Id);
            if (fromId.HasValue)
            {
                return DateTime.SpecifyKind(fromId.Value, DateTimeKind.Utc);
            }
            var created = set.CreatedUtc;
            return created.Kind == DateTimeKind.Local ? created.ToUniversalTime() : DateTime.SpecifyKind(created, DateTimeKind.Utc);
        }

        /// <summary>
        /// Sorts newest first (as <see cref="NewestFirst"/>), reading each set's time once rather than once per
        /// comparison.
        /// </summary>
        public static List<BackupManifest> SortNewestFirst(IEnumerable<BackupManifest> sets)
        {
            return sets.Select(s => new KeyValuePair<DateTime, BackupManifest>(Of(s), s))
                .OrderByDescending(p => p.Key)
                .ThenByDescending(p => p.Value.Id ?? "", StringComparer.Ordinal)
                .Select(p => p.Value)
                .ToList();
        }

        /// <summary>Newest first; sets of the same second are ordered by id, descending, so the order is stable.</summary>
        public static int NewestFirst(BackupManifest a, BackupManifest b)
        {
            int byTime = Of(b).CompareTo(Of(a));
            return byTime != 0 ? byTime : string.CompareOrdinal(b.Id ?? "", a.Id ?? "");
        }
    }
}
