using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.DoltStore;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Restore.PointInTime
{
    /// <summary>
    /// The same choice as <see cref="PointInTimeCommitPlanner"/> (its rules, its result), made from a history read commit
    /// by commit (a backup store read offline, for -WhatIf) instead of whole dolt_log listings, so that only the commits
    /// the choice needs are read:
    /// <list type="bullet">
    /// <item>each branch: its first-parent line from its head down to the first commit dated at or before the moment;</item>
    /// <item>a branch that may not have existed yet (not the default branch, not in the newest earlier set): the commits of
    /// it and of the default branch's chosen commit down to where they meet, in order of height (a commit's height is
    /// greater than its parents'), stopping at the first commit of its own dated at or before the moment;</item>
    /// <item>a tag whose commit is later than the moment: the commits above that commit's height, to learn whether a
    /// branch reaches it (else its date counts as unknown and it is kept, as in the restore).</item>
    /// </list>
    /// Where that shortcut does not apply (-AsOfCommit, which may name any commit by a prefix; a branch with no commit at
    /// or before the moment; commits without usable heights) the whole history is read and given to
    /// <see cref="PointInTimeCommitPlanner"/> itself. Tags dated at or before the moment are kept in both cases; the
    /// shortcut does not list the ones on no branch (<see cref="PointInTimeDatabasePlan.TagsOfUnknownDate"/>).
    /// </summary>
    public static class PointInTimeStorePlanner
    {
        private const int OwnPaint = 1;
        private const int DefaultPaint = 2;

        /// <summary>Plans one database from its store's history.</summary>
        public static PointInTimeDatabasePlan Plan(ICommitHistory history, string defaultBranch, DateTime? momentUtc, string exactCommit, ISet<string> branchesSeenBefore)
        {
            if (!string.IsNullOrEmpty(exactCommit) || momentUtc == null || history.Branches.Count == 0)
            {
                return WholeHistory(history, defaultBranch, momentUtc, exactCommit, branchesSeenBefore);
            }
            DateTime moment = momentUtc.Value;
            var chosen = new Dictionary<string, StoreCommit>(StringComparer.Ordinal);
            foreach (var b in history.Branches)
            {
                var c = FirstParentAtOrBefore(history, b.Value, moment);
                if (c == null)
                {
                    // Unresolved, or before the first commit: the planner decides from the whole history.
                    return WholeHistory(history, defaultBranch, momentUtc, exactCommit, branchesSeenBefore);
                }
                chosen[b.Key] = c;
            }
            try
            {
                return FromChosen(history, defaultBranch, moment, branchesSeenBefore, chosen);
            }
            catch (UnusableHeightsException)
            {
                return WholeHistory(history, defaultBranch, momentUtc, exactCommit, branchesSeenBefore);
            }
        }

        private static PointInTimeDatabasePlan FromChosen(ICommitHistory history, string defaultBranch, DateTime moment, ISet<string> seenBefore, Dictionary<string, StoreCommit> chosen)
        {
            var plan = new PointInTimeDatabasePlan { MomentUtc = moment };
            StoreCommit defaultCommit = defaultBranch != null && chosen.TryGetValue(defaultBranch, out var d) ? d : null;
            foreach (var b in history.Branches)
            {
                var entry = new BranchAsOf { Branch = b.Key, SetHead = b.Value };
                plan.Branches.Add(entry);
                bool isDefault = string.Equals(b.Key, defaultBranch, StringComparison.Ordinal);
                // Without a default branch every commit counts as the branch's own, and its chosen commit is one at or before the moment.
                if (!isDefault && !seenBefore.Contains(b.Key) && defaultCommit != null && OwnCommitsAllLater(history, b.Value, defaultCommit.Hash, moment))
                {
                    entry.Action = BranchAsOfAction.Deleted;
                    continue;
                }
                var c = chosen[b.Key];
                entry.Commit = c.Hash;
                entry.CommitDateUtc = c.DateUtc;
                entry.Message = c.Message;
                entry.Action = string.Equals(c.Hash, b.Value, StringComparison.Ordinal) ? BranchAsOfAction.Unchanged : BranchAsOfAction.Moved;
            }
            foreach (var t in history.Tags)
            {
                var head = new RefHead { Name = t.Key, Hash = t.Value };
                var c = history.Commit(t.Value);
                if (c.DateUtc <= moment)
                {
                    plan.KeptTags.Add(head);
                }
                else if (ReachableFromABranch(history, c))
                {
                    plan.DeletedTags.Add(t.Key);
                }
                else
                {
                    plan.TagsOfUnknownDate.Add(t.Key);
                    plan.KeptTags.Add(head);
                }
            }
            return plan;
        }

        /// <summary>The whole history as dolt_log rows, given to <see cref="PointInTimeCommitPlanner"/>.</summary>
        private static PointInTimeDatabasePlan WholeHistory(ICommitHistory history, string defaultBranch, DateTime? momentUtc, string exactCommit, ISet<string> seenBefore)
            => PointInTimeCommitPlanner.Plan(Heads(history), defaultBranch, FullLogs(history), momentUtc ?? DateTime.MaxValue, exactCommit, seenBefore);

        /// <summary>The branches and tags of a history, as a manifest entry records them.</summary>
        public static DatabaseBackupItem Heads(ICommitHistory history)
        {
            var item = new DatabaseBackupItem();
            item.Branches.AddRange(history.Branches.Select(b => new RefHead { Name = b.Key, Hash = b.Value }));
            item.Tags.AddRange(history.Tags.Select(t => new RefHead { Name = t.Key, Hash = t.Value }));
            return item;
        }

        /// <summary>Per branch, every commit it reaches (its dolt_log); each commit is read once.</summary>
        public static Dictionary<string, IReadOnlyList<DoltCommit>> FullLogs(ICommitHistory history)
        {
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>>(StringComparer.Ordinal);
            foreach (var b in history.Branches)
            {
                var list = new List<DoltCommit>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var stack = new Stack<string>();
                stack.Push(b.Value);
                while (stack.Count > 0)
                {
                    string h = stack.Pop();
                    if (!seen.Add(h))
                    {
                        continue;
                    }
                    var c = history.Commit(h);
                    list.Add(c.ToDoltCommit());
                    foreach (var p in c.Parents)
                    {
                        stack.Push(p);
                    }
                }
                logs[b.Key] = list;
            }
            return logs;
        }

        private static StoreCommit FirstParentAtOrBefore(ICommitHistory history, string head, DateTime moment)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (string h = head; h != null && seen.Add(h);)
            {
                var c = history.Commit(h);
                if (c.DateUtc <= moment)
                {
                    return c;
                }
                h = c.Parents.Count > 0 ? c.Parents[0] : null;
            }
            return null;
        }

        /// <summary>
        /// True when the branch has commits of its own (reachable from its head, not from the default branch's chosen
        /// commit) and every one of them is later than the moment. Walks both sides by descending height: a commit is
        /// popped only after every commit above it, so its paint is final by then.
        /// </summary>
        private static bool OwnCommitsAllLater(ICommitHistory history, string head, string defaultCommit, DateTime moment)
        {
            var walk = new HeightWalk(history);
            walk.Add(head, OwnPaint);
            walk.Add(defaultCommit, DefaultPaint);
            bool any = false;
            while (walk.OwnOnly > 0)
            {
                var (c, paint) = walk.Pop();
                if (paint == OwnPaint)
                {
                    if (c.DateUtc <= moment)
                    {
                        return false;
                    }
                    any = true;
                }
                walk.AddParents(c, paint == OwnPaint ? OwnPaint : DefaultPaint);
            }
            return any;
        }

        /// <summary>True when some branch reaches <paramref name="target"/>; only commits higher than it are read.</summary>
        private static bool ReachableFromABranch(ICommitHistory history, StoreCommit target)
        {
            var walk = new HeightWalk(history);
            foreach (var b in history.Branches)
            {
                walk.Add(b.Value, OwnPaint);
            }
            while (walk.Count > 0)
            {
                var (c, _) = walk.Pop();
                if (c.Hash == target.Hash)
                {
                    return true;
                }
                if (c.Height > target.Height)
                {
                    walk.AddParents(c, OwnPaint); // a commit no higher than the target cannot reach it
                }
            }
            return false;
        }

        /// <summary>A walk of commits by descending height, each with the union of the paints that reached it.</summary>
        private sealed class HeightWalk
        {
            private readonly ICommitHistory _history;
            private readonly Dictionary<string, int> _paint = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly SortedSet<(ulong Height, string Hash)> _queue = new SortedSet<(ulong, string)>(
                Comparer<(ulong Height, string Hash)>.Create((a, b) => a.Height != b.Height ? b.Height.CompareTo(a.Height) : string.CompareOrdinal(a.Hash, b.Hash)));

            public HeightWalk(ICommitHistory history)
            {
                _history = history;
            }

            /// <summary>Queued commits painted only as the branch's own.</summary>
            public int OwnOnly { get; private set; }

            public int Count => _queue.Count;

            public void Add(string hash, int paint)
            {
                if (_paint.TryGetValue(hash, out int old))
                {
                    int merged = old | paint;
                    if (merged != old && _queue.Contains((_history.Commit(hash).Height, hash)))
                    {
                        _paint[hash] = merged;
                        OwnOnly += (merged == OwnPaint ? 1 : 0) - (old == OwnPaint ? 1 : 0);
                    }
                    return;
                }
                var c = _history.Commit(hash);
                if (c.Height == 0)
                {
                    throw new UnusableHeightsException();
                }
                _paint[hash] = paint;
                _queue.Add((c.Height, hash));
                OwnOnly += paint == OwnPaint ? 1 : 0;
            }

            public (StoreCommit Commit, int Paint) Pop()
            {
                var top = _queue.Min;
                _queue.Remove(top);
                int paint = _paint[top.Hash];
                OwnOnly -= paint == OwnPaint ? 1 : 0;
                return (_history.Commit(top.Hash), paint);
            }

            public void AddParents(StoreCommit c, int paint)
            {
                foreach (var p in c.Parents)
                {
                    var parent = _history.Commit(p);
                    if (parent.Height >= c.Height)
                    {
                        throw new UnusableHeightsException();
                    }
                    Add(p, paint);
                }
            }
        }

        /// <summary>A commit's height is missing or not above its parents': the height walk cannot be trusted.</summary>
        private sealed class UnusableHeightsException : Exception
        {
        }
    }
}
