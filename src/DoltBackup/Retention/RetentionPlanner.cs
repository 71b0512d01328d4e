using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Decides which backup sets to keep, with the rules pgBackRest and restic use:
    /// <list type="bullet">
    /// <item>Sets are grouped by backup folder root and backup name; each group is planned on its own.</item>
    /// <item>Only Completed sets count toward the kept ones. Failed, PartiallyCompleted, Running and Configured sets
    /// are kept only while they are newer than what the policy keeps, and never fill a -KeepLast slot.</item>
    /// <item>-KeepLast N keeps the N newest Completed sets (while fewer than N have completed, nothing is deleted).</item>
    /// <item>-OlderThan T keeps every Completed set inside the window (newer than now − T) and the newest Completed
    /// set older than it: the restore point for the start of the window.</item>
    /// <item>With both, a set is kept when either rule keeps it.</item>
    /// <item>The newest Completed set of a group is never deleted; a group without a Completed set is left alone.</item>
    /// <item>A set whose lock a sync holds is never deleted, whatever the policy.</item>
    /// </list>
    /// </summary>
    public static class RetentionPlanner
    {
        private const string NonCompletedNote = "failed, partial, running and configured sets never count as kept ones";

        /// <summary>Plans a retention policy over <paramref name="sets"/>.</summary>
        /// <param name="sets">The sets to consider (any order).</param>
        /// <param name="policy">-KeepLast and/or -OlderThan.</param>
        /// <param name="nowUtc">The moment the -OlderThan window ends.</param>
        /// <param name="isLocked">Whether a writer holds a set's lock; defaults to <see cref="BackupSetLock.IsHeld"/>.</param>
        public static RetentionPlan Plan(IEnumerable<BackupManifest> sets, RetentionPolicy policy, DateTime nowUtc, Func<BackupManifest, bool> isLocked = null)
        {
            policy.Validate();
            if (policy.IsEmpty)
            {
                throw new ArgumentException("A retention policy needs -KeepLast, -OlderThan or both.");
            }
            isLocked = isLocked ?? IsLockedOnDisk;
            var decisions = new List<RetentionDecision>();
            foreach (var group in GroupSets(sets))
            {
                decisions.AddRange(PlanGroup(group, policy, nowUtc).Select(d => ApplyLock(d, isLocked)));
            }
            return new RetentionPlan(decisions);
        }

        /// <summary>
        /// Plans the deletion of sets the user chose (piped in without a policy): each goes, except the newest
        /// Completed set of its root and name, judged among <paramref name="siblings"/> (the other sets in the same
        /// roots) as well, and except locked sets.
        /// </summary>
        public static RetentionPlan PlanChosen(IEnumerable<BackupManifest> chosen, IEnumerable<BackupManifest> siblings, Func<BackupManifest, bool> isLocked = null)
        {
            isLocked = isLocked ?? IsLockedOnDisk;
            var chosenList = chosen.ToList();
            var everything = chosenList.Concat(siblings ?? Enumerable.Empty<BackupManifest>()).ToList();
            var newestCompleted = new HashSet<BackupManifest>(
                GroupSets(everything).Select(g => g.FirstOrDefault(s => s.Status == BackupStatus.Completed)).Where(s => s != null),
                new SameSetComparer());
            var decisions = new List<RetentionDecision>();
            foreach (var set in chosenList)
            {
                var d = newestCompleted.Contains(set)
                    ? new RetentionDecision(set, RetentionAction.Keep, $"the newest Completed set of '{set.Name}' in its backup root is never deleted")
                    : new RetentionDecision(set, RetentionAction.Delete, "chosen for removal (piped in)");
                decisions.Add(ApplyLock(d, isLocked));
            }
            return new RetentionPlan(decisions);
        }

        private static bool IsLockedOnDisk(BackupManifest set) => !string.IsNullOrEmpty(set.BackupFolder) && BackupSetLock.IsHeld(set.BackupFolder);

        private static RetentionDecision ApplyLock(RetentionDecision d, Func<BackupManifest, bool> isLocked)
        {
            if (d.Action == RetentionAction.Delete && isLocked(d.Set))
            {
                return new RetentionDecision(d.Set, RetentionAction.Keep,
                    $"a sync holds its lock ({BackupSetLock.FileName}), and a locked set is never deleted; the policy would delete it: {d.Reason}", locked: true);
            }
            return d;
        }

        /// <summary>Groups by root (the folder that holds the set folder) and backup name; each group newest first.</summary>
        private static IEnumerable<List<BackupManifest>> GroupSets(IEnumerable<BackupManifest> sets)
        {
            return sets
                .Distinct(new SameSetComparer())
                .GroupBy(s => RootOf(s) + "\u0000" + (s.Name ?? ""), StringComparer.Ordinal)
                .Select(g => BackupSetTime.SortNewestFirst(g));
        }

        private static string RootOf(BackupManifest set)
        {
            if (string.IsNullOrEmpty(set.BackupFolder))
            {
                return "";
            }
            if (Storage.StorageLocation.IsObjectStoreUrl(set.BackupFolder))
            {
                return set.BackupFolder.Substring(0, set.BackupFolder.TrimEnd('/').LastIndexOf('/') + 1);
            }
            return Path.GetDirectoryName(Path.GetFullPath(set.BackupFolder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)) ?? "";
        }

        private static IEnumerable<RetentionDecision> PlanGroup(List<BackupManifest> newestFirst, RetentionPolicy policy, DateTime nowUtc)
        {
            var completed = newestFirst.Where(s => s.Status == BackupStatus.Completed).ToList();
            if (completed.Count == 0)
            {
                foreach (var s in newestFirst)
                {
                    yield return new RetentionDecision(s, RetentionAction.Keep,
                        $"no set named '{s.Name}' in this root has Completed, so retention deletes none of them until one does");
                }
                yield break;
            }

            var keepReasons = new Dictionary<BackupManifest, List<string>>();
            void Keep(BackupManifest s, string why)
            {
                if (!keepReasons.TryGetValue(s, out var list))
                {
                    keepReasons[s] = list = new List<string>();
                }
                list.Add(why);
            }

            // -KeepLast: the N newest Completed sets; younger non-completed sets ride along.
            DateTime? keepLastBoundary = null;
            if (policy.KeepLast.HasValue)
            {
                int n = policy.KeepLast.Value;
                for (int i = 0; i < Math.Min(n, completed.Count); i++)
                {
                    Keep(completed[i], $"Completed set #{i + 1} of the {n} newest (-KeepLast {n})");
                }
                keepLastBoundary = completed.Count >= n ? BackupSetTime.Of(completed[n - 1]) : DateTime.MinValue;
            }

            // -OlderThan: every Completed set in the window, plus the newest one before it.
            DateTime? cutoff = null;
            if (policy.OlderThan.HasValue)
            {
                cutoff = SafeSubtract(nowUtc, policy.OlderThan.Value);
                string cutoffText = cutoff.Value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                foreach (var s in completed.Where(s => BackupSetTime.Of(s) >= cutoff.Value))
                {
                    Keep(s, $"inside the -OlderThan window (newer than {cutoffText})");
                }
                var anchor = completed.FirstOrDefault(s => BackupSetTime.Of(s) < cutoff.Value);
                if (anchor != null)
                {
                    Keep(anchor, $"the newest Completed set older than {cutoffText}: the restore point for the start of the -OlderThan window");
                }
            }

            // The newest Completed set is never deleted (both rules already keep it; this guards the rule itself).
            Keep(completed[0], "the newest Completed set is never deleted");

            foreach (var s in newestFirst)
            {
                DateTime t = BackupSetTime.Of(s);
                if (s.Status == BackupStatus.Completed)
                {
                    if (keepReasons.TryGetValue(s, out var why))
                    {
                        yield return new RetentionDecision(s, RetentionAction.Keep, why[0]);
                    }
                    else
                    {
                        yield return new RetentionDecision(s, RetentionAction.Delete, DeleteReason(policy, "Completed set", cutoff));
                    }
                    continue;
                }

                if (keepLastBoundary.HasValue && t >= keepLastBoundary.Value)
                {
                    yield return new RetentionDecision(s, RetentionAction.Keep, keepLastBoundary.Value == DateTime.MinValue
                        ? $"{s.Status} set kept: fewer than {policy.KeepLast} sets have Completed, so -KeepLast deletes nothing yet"
                        : $"{s.Status} set newer than the oldest of the {policy.KeepLast} newest Completed sets ({NonCompletedNote})");
                }
                else if (cutoff.HasValue && t >= cutoff.Value)
                {
                    yield return new RetentionDecision(s, RetentionAction.Keep, $"{s.Status} set inside the -OlderThan window ({NonCompletedNote})");
                }
                else
                {
                    yield return new RetentionDecision(s, RetentionAction.Delete, DeleteReason(policy, s.Status + " set", cutoff) + $"; {NonCompletedNote}");
                }
            }
        }

        private static string DeleteReason(RetentionPolicy policy, string what, DateTime? cutoff)
        {
            var parts = new List<string>();
            if (policy.KeepLast.HasValue)
            {
                parts.Add($"older than the {policy.KeepLast} newest Completed sets");
            }
            if (cutoff.HasValue)
            {
                parts.Add($"older than {cutoff.Value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} and not the restore point the -OlderThan window needs");
            }
            return what + " " + string.Join(", and ", parts);
        }

        private static DateTime SafeSubtract(DateTime nowUtc, TimeSpan span)
        {
            var now = nowUtc.Kind == DateTimeKind.Local ? nowUtc.ToUniversalTime() : DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
            return (now - DateTime.MinValue) <= span ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) : now - span;
        }

        /// <summary>Two manifests are the same set when they are read from the same folder (or, without one, have the same id).</summary>
        internal sealed class SameSetComparer : IEqualityComparer<BackupManifest>
        {
            public bool Equals(BackupManifest x, BackupManifest y) => ReferenceEquals(x, y) || (x != null && y != null && string.Equals(KeyOf(x), KeyOf(y), StringComparison.Ordinal));

            public int GetHashCode(BackupManifest obj) => StringComparer.Ordinal.GetHashCode(KeyOf(obj));

            private static string KeyOf(BackupManifest m) => RemainingSets.KeyOf(m);
        }
    }
}
