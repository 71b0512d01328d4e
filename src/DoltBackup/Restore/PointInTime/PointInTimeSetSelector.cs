using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Catalog;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>
    /// Picks, per database, the backup set that best covers a moment, from manifests only: the earliest set taken at or
    /// after the moment in which that database's backup completed (it holds every commit up to its own time, and the
    /// branches as they stood closest to the moment); when none is later, the newest one before it. Without a moment
    /// (-AsOfCommit) the newest set. One pass over the sets per database; nothing but the manifests is read.
    /// </summary>
    public static class PointInTimeSetSelector
    {
        /// <summary>The choices, in database-name order, and the problems (a pattern that matched nothing, a database with no Completed set).</summary>
        public static List<PointInTimeSetChoice> Choose(IEnumerable<BackupManifest> sets, string[] databasePatterns, DateTime? momentUtc, List<PlanProblem> problems)
        {
            // Per database: every completed (set, item, taken) of a DoltBackup set.
            var byDatabase = new Dictionary<string, List<(BackupManifest Set, DatabaseBackupItem Item, DateTime Taken)>>(StringComparer.Ordinal);
            var anyEntry = new HashSet<string>(StringComparer.Ordinal);
            foreach (var set in sets ?? Enumerable.Empty<BackupManifest>())
            {
                if (set == null || set.Method != BackupMethod.DoltBackup)
                {
                    continue;
                }
                DateTime? setTime = null; // parsed from the id only when an entry has no start time
                foreach (var item in set.Databases)
                {
                    if (item?.Name == null)
                    {
                        continue;
                    }
                    anyEntry.Add(item.Name);
                    if (item.Status != ItemStatus.Completed || string.IsNullOrWhiteSpace(item.Url))
                    {
                        continue;
                    }
                    if (!byDatabase.TryGetValue(item.Name, out var list))
                    {
                        byDatabase[item.Name] = list = new List<(BackupManifest, DatabaseBackupItem, DateTime)>();
                    }
                    DateTime taken = item.StartedUtc.HasValue ? DateTime.SpecifyKind(item.StartedUtc.Value, DateTimeKind.Utc) : (setTime ?? (setTime = BackupSetTime.Of(set)).Value);
                    list.Add((set, item, taken));
                }
            }

            var names = anyEntry.OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (names.Count == 0)
            {
                problems.Add(new PlanProblem("NoCompletedBackupSet", "No DoltBackup set with a completed database backup was found, so there is nothing to restore to a point in time.",
                    null, "Point -Path at a backup root (the folder that holds the set folders) or pipe sets from Get-DoltBackup; check them with Get-DoltBackup."));
                return new List<PointInTimeSetChoice>();
            }
            var selected = Select(names, databasePatterns, problems);
            var choices = new List<PointInTimeSetChoice>();
            foreach (string name in selected)
            {
                if (!byDatabase.TryGetValue(name, out var entries) || entries.Count == 0)
                {
                    problems.Add(new PlanProblem("NoCompletedBackupSet", $"No backup set holds a completed backup of database '{name}'; nothing was restored for it.",
                        name, "Check the sets with Get-DoltBackup; a Failed or Skipped database backup cannot be restored."));
                    continue;
                }
                choices.Add(momentUtc.HasValue ? ChooseFor(name, entries, momentUtc.Value) : Newest(name, entries));
            }
            return choices;
        }

        private static PointInTimeSetChoice ChooseFor(string name, List<(BackupManifest Set, DatabaseBackupItem Item, DateTime Taken)> entries, DateTime moment)
        {
            (BackupManifest Set, DatabaseBackupItem Item, DateTime Taken)? after = null, before = null;
            foreach (var e in entries)
            {
                if (e.Taken >= moment)
                {
                    if (after == null || Earlier(e, after.Value))
                    {
                        after = e;
                    }
                }
                else if (before == null || Earlier(before.Value, e))
                {
                    before = e;
                }
            }
            var chosen = after ?? before.Value;
            var choice = new PointInTimeSetChoice { Database = name, Set = chosen.Set, Item = chosen.Item, TakenUtc = chosen.Taken, CoversMoment = after != null };
            if (before != null)
            {
                foreach (var b in before.Value.Item.Branches ?? new List<RefHead>())
                {
                    if (b?.Name != null)
                    {
                        choice.BranchesSeenBefore.Add(b.Name);
                    }
                }
            }
            return choice;
        }

        private static PointInTimeSetChoice Newest(string name, List<(BackupManifest Set, DatabaseBackupItem Item, DateTime Taken)> entries)
        {
            var newest = entries[0];
            foreach (var e in entries)
            {
                if (Earlier(newest, e))
                {
                    newest = e;
                }
            }
            return new PointInTimeSetChoice { Database = name, Set = newest.Set, Item = newest.Item, TakenUtc = newest.Taken, CoversMoment = true };
        }

        /// <summary>Taken earlier; the same instant is ordered by set id, so the choice is stable.</summary>
        private static bool Earlier((BackupManifest Set, DatabaseBackupItem Item, DateTime Taken) a, (BackupManifest Set, DatabaseBackupItem Item, DateTime Taken) b)
        {
            int c = a.Taken.CompareTo(b.Taken);
            return c != 0 ? c < 0 : string.CompareOrdinal(a.Set.Id ?? "", b.Set.Id ?? "") < 0;
        }

        private static List<string> Select(List<string> names, string[] patterns, List<PlanProblem> problems)
        {
            if (patterns == null || patterns.Length == 0)
            {
                return names;
            }
            var selected = new HashSet<string>(StringComparer.Ordinal);
            foreach (string pattern in patterns)
            {
                var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                var matches = names.Where(wildcard.IsMatch).ToList();
                if (matches.Count == 0)
                {
                    problems.Add(new PlanProblem("DatabaseNotInBackup", $"No backup set holds a database matching '{pattern}' (they hold: {string.Join(", ", names)}).",
                        pattern, "Check the names with (Get-DoltBackup <root>).Databases."));
                }
                selected.UnionWith(matches);
            }
            return names.Where(selected.Contains).ToList();
        }
    }
}
