using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>What to do to one restored database so it stands as it did at a moment; or why that cannot be done.</summary>
    public sealed class PointInTimeDatabasePlan
    {
        /// <summary>The moment (UTC): the one asked for, or the date of the -AsOfCommit commit.</summary>
        public DateTime MomentUtc { get; set; }

        /// <summary>Per branch (sorted by name).</summary>
        public List<BranchAsOf> Branches { get; } = new List<BranchAsOf>();

        /// <summary>Tags kept (their commit is at or before the moment, or its date is unknown).</summary>
        public List<RefHead> KeptTags { get; } = new List<RefHead>();

        /// <summary>Tags deleted (their commit is later than the moment).</summary>
        public List<string> DeletedTags { get; } = new List<string>();

        /// <summary>Tags whose commit is on no branch, so its date is unknown: kept as they are.</summary>
        public List<string> TagsOfUnknownDate { get; } = new List<string>();

        /// <summary>Set when the moment cannot be restored to (nothing may be changed): the ErrorRecord id stem.</summary>
        public string ErrorId { get; set; }

        /// <summary>Why, when <see cref="ErrorId"/> is set.</summary>
        public string Error { get; set; }

        /// <summary>The heads the database must show afterwards (branches kept and tags kept), for the verification.</summary>
        public DatabaseBackupItem Expected()
        {
            var item = new DatabaseBackupItem();
            foreach (var b in Branches)
            {
                if (b.Action == BranchAsOfAction.Moved || b.Action == BranchAsOfAction.Unchanged)
                {
                    item.Branches.Add(new RefHead { Name = b.Branch, Hash = b.Commit });
                }
                else if (b.Action == BranchAsOfAction.Unresolved)
                {
                    item.Branches.Add(new RefHead { Name = b.Branch, Hash = b.SetHead });
                }
            }
            item.Tags.AddRange(KeptTags);
            return item;
        }
    }

    /// <summary>
    /// Chooses, from the restored history (one <c>dolt_log('--parents', branch)</c> per branch), the commit each branch
    /// stood at at a moment, and which branches and tags did not exist yet. Rules (also in the help):
    /// <list type="bullet">
    /// <item>A branch's commit is found by walking its first-parent line from its head in the set and taking the first
    /// commit whose own date (dolt_log's committer date) is at or before the moment: merged-in commits of other branches
    /// are never picked for it. None on the line: Unresolved (reported, left at its head; never guessed).</item>
    /// <item>The default branch is always kept. Another branch is deleted when it has commits of its own (commits not in
    /// the default branch's history as of the moment) and all of them are later than the moment, unless the newest set
    /// taken before the moment already recorded it.</item>
    /// <item>A tag is deleted when its commit is later than the moment; kept when its commit's date is unknown (on no branch).</item>
    /// <item>-AsOfCommit: the moment is that commit's date, and every branch whose first-parent line holds the commit is
    /// moved exactly to it.</item>
    /// </list>
    /// </summary>
    public static class PointInTimeCommitPlanner
    {
        /// <summary>Plans one database.</summary>
        /// <param name="heads">Branch heads and tags of the restored set.</param>
        /// <param name="defaultBranch">The branch a session has checked out (the database's default branch).</param>
        /// <param name="logs">Per branch, its dolt_log rows.</param>
        /// <param name="momentUtc">The moment; ignored when <paramref name="exactCommit"/> is given.</param>
        /// <param name="exactCommit">-AsOfCommit: a full hash, or a unique prefix of at least 8 characters.</param>
        /// <param name="branchesSeenBefore">Branches the newest set before the moment recorded.</param>
        public static PointInTimeDatabasePlan Plan(DatabaseBackupItem heads, string defaultBranch, IReadOnlyDictionary<string, IReadOnlyList<DoltCommit>> logs,
            DateTime momentUtc, string exactCommit, ISet<string> branchesSeenBefore)
        {
            var plan = new PointInTimeDatabasePlan { MomentUtc = momentUtc };
            var commits = new Dictionary<string, DoltCommit>(StringComparer.Ordinal);
            foreach (var log in logs.Values)
            {
                foreach (var c in log)
                {
                    commits[c.Hash] = c;
                }
            }
            if (commits.Count == 0)
            {
                plan.ErrorId = "PointInTimeNoHistory";
                plan.Error = "The restored database has no commit history to choose from.";
                return plan;
            }

            DoltCommit exact = null;
            if (!string.IsNullOrEmpty(exactCommit))
            {
                exact = Resolve(exactCommit, commits, plan);
                if (exact == null)
                {
                    return plan;
                }
                plan.MomentUtc = momentUtc = exact.DateUtc;
            }

            DateTime first = commits.Values.Min(c => c.DateUtc);
            if (momentUtc < first)
            {
                plan.ErrorId = "AsOfBeforeFirstCommit";
                plan.Error = $"{Format(momentUtc)} is before the first commit of this database ({Format(first)}): there is nothing to restore to.";
                return plan;
            }

            var branchHeads = (heads.Branches ?? new List<RefHead>()).Where(b => b?.Name != null).OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            var chosen = new Dictionary<string, DoltCommit>(StringComparer.Ordinal);
            foreach (var b in branchHeads)
            {
                chosen[b.Name] = WalkFirstParent(b.Hash, commits, momentUtc, exact);
            }
            if (exact != null && !branchHeads.Any(b => chosen[b.Name] == exact))
            {
                plan.ErrorId = "AsOfCommitNotOnBranch";
                plan.Error = $"The commit {exact.Hash} is in the history, but on no branch's own (first-parent) line: it came in through a merge. Give the commit of the branch you want to restore.";
                return plan;
            }

            // The default branch's history as of the moment: commits in it belong to it, not to branches made from it.
            var defaultHistory = new HashSet<string>(StringComparer.Ordinal);
            if (defaultBranch != null && chosen.TryGetValue(defaultBranch, out var defaultCommit) && defaultCommit != null)
            {
                Ancestors(defaultCommit.Hash, commits, defaultHistory);
            }

            foreach (var b in branchHeads)
            {
                var entry = new BranchAsOf { Branch = b.Name, SetHead = b.Hash };
                plan.Branches.Add(entry);
                bool isDefault = string.Equals(b.Name, defaultBranch, StringComparison.Ordinal);
                if (!isDefault && !branchesSeenBefore.Contains(b.Name) && LaterThanMoment(b.Name, logs, defaultHistory, momentUtc))
                {
                    entry.Action = BranchAsOfAction.Deleted;
                    continue;
                }
                var c = chosen[b.Name];
                if (c == null)
                {
                    entry.Action = BranchAsOfAction.Unresolved;
                    continue;
                }
                entry.Commit = c.Hash;
                entry.CommitDateUtc = c.DateUtc;
                entry.Message = c.Message;
                entry.Action = string.Equals(c.Hash, b.Hash, StringComparison.Ordinal) ? BranchAsOfAction.Unchanged : BranchAsOfAction.Moved;
            }

            foreach (var t in (heads.Tags ?? new List<RefHead>()).Where(t => t?.Name != null).OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                if (!commits.TryGetValue(t.Hash ?? "", out var c))
                {
                    plan.TagsOfUnknownDate.Add(t.Name);
                    plan.KeptTags.Add(t);
                }
                else if (c.DateUtc > momentUtc)
                {
                    plan.DeletedTags.Add(t.Name);
                }
                else
                {
                    plan.KeptTags.Add(t);
                }
            }
            return plan;
        }

        private static DoltCommit Resolve(string given, Dictionary<string, DoltCommit> commits, PointInTimeDatabasePlan plan)
        {
            string h = given.Trim().ToLowerInvariant();
            if (commits.TryGetValue(h, out var c))
            {
                return c;
            }
            var matches = h.Length >= 8 ? commits.Keys.Where(k => k.StartsWith(h, StringComparison.Ordinal)).Take(2).ToList() : new List<string>();
            if (matches.Count == 1)
            {
                return commits[matches[0]];
            }
            plan.ErrorId = "AsOfCommitNotFound";
            plan.Error = matches.Count > 1
                ? $"'{given}' is the start of several commits; give more of the hash."
                : $"The commit '{given}' is not in the history of any branch of the backup set.";
            return null;
        }

        /// <summary>The first commit on the first-parent line from <paramref name="head"/> dated at or before the moment (or the exact commit); null when none is reachable.</summary>
        private static DoltCommit WalkFirstParent(string head, Dictionary<string, DoltCommit> commits, DateTime moment, DoltCommit exact)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            DoltCommit byDate = null;
            string h = head;
            while (h != null && seen.Add(h) && commits.TryGetValue(h, out var c))
            {
                if (exact != null && c == exact)
                {
                    return c;
                }
                if (byDate == null && c.DateUtc <= moment)
                {
                    byDate = c;
                    if (exact == null)
                    {
                        return c;
                    }
                }
                h = c.Parents.Count > 0 ? c.Parents[0] : null;
            }
            return byDate;
        }

        private static void Ancestors(string start, Dictionary<string, DoltCommit> commits, HashSet<string> into)
        {
            var stack = new Stack<string>();
            stack.Push(start);
            while (stack.Count > 0)
            {
                string h = stack.Pop();
                if (!into.Add(h) || !commits.TryGetValue(h, out var c))
                {
                    continue;
                }
                foreach (var p in c.Parents)
                {
                    stack.Push(p);
                }
            }
        }

        /// <summary>True when the branch has commits of its own (not in the default branch's history as of the moment) and every one is later than the moment.</summary>
        private static bool LaterThanMoment(string branch, IReadOnlyDictionary<string, IReadOnlyList<DoltCommit>> logs, HashSet<string> defaultHistory, DateTime moment)
        {
            if (!logs.TryGetValue(branch, out var log))
            {
                return false;
            }
            bool any = false;
            foreach (var c in log)
            {
                if (defaultHistory.Contains(c.Hash))
                {
                    continue;
                }
                if (c.DateUtc <= moment)
                {
                    return false;
                }
                any = true;
            }
            return any;
        }

        internal static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC";
    }
}
