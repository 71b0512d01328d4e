using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.DoltStore;
using DoltBackup.Restore.PointInTime;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>
    /// The -WhatIf planner (commits read one by one from a store) against the restore's planner (whole dolt_log listings):
    /// the same choice on many generated histories (merges, branches made late, tags on later and on dangling commits,
    /// dates set back by clients), while reading only the commits it needs.
    /// </summary>
    public class PointInTimeStorePlannerTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);

        /// <summary>A history held in memory; counts the commits read.</summary>
        internal sealed class MemoryHistory : ICommitHistory
        {
            private readonly Dictionary<string, StoreCommit> _all = new Dictionary<string, StoreCommit>(StringComparer.Ordinal);
            private readonly HashSet<string> _read = new HashSet<string>(StringComparer.Ordinal);

            public SortedDictionary<string, string> Branches { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public SortedDictionary<string, string> Tags { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public IEnumerable<StoreCommit> All => _all.Values;
            public int Read => _read.Count;

            public string Add(DateTime date, params string[] parents)
            {
                string hash = "c" + _all.Count.ToString("D31");
                _all[hash] = new StoreCommit
                {
                    Hash = hash, Parents = parents, DateUtc = date, Committer = "x", Message = "msg " + _all.Count,
                    Height = parents.Length == 0 ? 1 : parents.Max(p => _all[p].Height) + 1,
                };
                return hash;
            }

            public StoreCommit Commit(string hash)
            {
                _read.Add(hash);
                return _all.TryGetValue(hash, out var c) ? c : throw new DoltStoreFormatException("the commit " + hash + " is not in the store (missing chunk).");
            }
        }

        private static MemoryHistory Generate(Random rnd)
        {
            var h = new MemoryHistory();
            DateTime t = T0;
            h.Branches["main"] = h.Add(t);
            int steps = rnd.Next(3, 40);
            for (int i = 0; i < steps; i++)
            {
                // Mostly forward in time; sometimes a client sets an earlier date.
                t = t.AddMinutes(rnd.Next(0, 10) == 0 ? -rnd.Next(1, 90) : rnd.Next(1, 60));
                var names = h.Branches.Keys.ToList();
                int roll = rnd.Next(10);
                if (roll < 2)
                {
                    // a new branch from any commit so far
                    var from = h.All.ElementAt(rnd.Next(h.All.Count())).Hash;
                    h.Branches["b" + i] = rnd.Next(2) == 0 ? from : h.Add(t, from);
                }
                else if (roll < 3 && names.Count > 1)
                {
                    string into = names[rnd.Next(names.Count)], other = names[rnd.Next(names.Count)];
                    if (into != other)
                    {
                        h.Branches[into] = h.Add(t, h.Branches[into], h.Branches[other]);
                    }
                }
                else if (roll < 4)
                {
                    // a tag, sometimes on a commit no branch reaches
                    var on = rnd.Next(3) == 0 ? h.Add(t, h.All.ElementAt(rnd.Next(h.All.Count())).Hash) : h.All.ElementAt(rnd.Next(h.All.Count())).Hash;
                    h.Tags["v" + i] = on;
                }
                else if (roll < 5 && names.Count > 2)
                {
                    h.Branches.Remove(names.Where(n => n != "main").ElementAt(rnd.Next(names.Count - 1)));
                }
                else
                {
                    string b = names[rnd.Next(names.Count)];
                    h.Branches[b] = h.Add(t, h.Branches[b]);
                }
            }
            return h;
        }

        private static string Describe(PointInTimeDatabasePlan p)
            => p.ErrorId ?? string.Join("; ", p.Branches.Select(b => $"{b.Branch}:{b.Action}:{b.Commit}:{b.SetHead}:{b.CommitDateUtc:o}:{b.Message}"))
               + " | deleted tags " + string.Join(",", p.DeletedTags) + " | kept " + string.Join(",", p.KeptTags.Select(k => k.Name + "@" + k.Hash));

        [Fact]
        public void On_generated_histories_the_choice_equals_the_restores_choice_from_whole_dolt_logs()
        {
            int shortcuts = 0, deleted = 0, deletedTags = 0, unknownTags = 0;
            for (int seed = 0; seed < 400; seed++)
            {
                var rnd = new Random(seed);
                var h = Generate(rnd);
                var dates = h.All.Select(c => c.DateUtc).ToList();
                var moments = new List<DateTime> { dates.Min().AddMinutes(-1), dates.Max().AddMinutes(1) };
                for (int i = 0; i < 6; i++)
                {
                    var d = dates[rnd.Next(dates.Count)];
                    moments.Add(rnd.Next(3) == 0 ? d : d.AddSeconds(rnd.Next(-1800, 1800)));
                }
                foreach (var moment in moments)
                {
                    var seen = new HashSet<string>(h.Branches.Keys.Where(_ => rnd.Next(4) == 0), StringComparer.Ordinal);
                    string defaultBranch = rnd.Next(8) == 0 ? null : "main";
                    var logs = PointInTimeStorePlanner.FullLogs(h);
                    var expected = PointInTimeCommitPlanner.Plan(PointInTimeStorePlanner.Heads(h), defaultBranch, logs, moment, null, seen);
                    var actual = PointInTimeStorePlanner.Plan(h, defaultBranch, moment, null, seen);

                    Assert.True(Describe(expected) == Describe(actual), $"seed {seed}, moment {moment:o}, default {defaultBranch}, seen {string.Join(",", seen)}:\nrestore: {Describe(expected)}\nwhatif:  {Describe(actual)}");
                    Assert.Subset(new HashSet<string>(expected.TagsOfUnknownDate), new HashSet<string>(actual.TagsOfUnknownDate));
                    bool shortcut = expected.ErrorId == null && expected.Branches.All(b => b.Action != BranchAsOfAction.Unresolved);
                    shortcuts += shortcut ? 1 : 0;
                    deleted += shortcut ? actual.Branches.Count(b => b.Action == BranchAsOfAction.Deleted) : 0;
                    deletedTags += shortcut ? actual.DeletedTags.Count : 0;
                    unknownTags += shortcut ? actual.TagsOfUnknownDate.Count : 0;
                }
            }
            Assert.True(shortcuts > 1000, shortcuts.ToString());
            Assert.True(deleted > 100 && deletedTags > 100 && unknownTags > 20, $"{deleted} {deletedTags} {unknownTags}");
        }

        [Fact]
        public void As_of_a_commit_the_choice_equals_the_restores_choice()
        {
            var h = Generate(new Random(7));
            foreach (var c in h.All.Take(10))
            {
                var expected = PointInTimeCommitPlanner.Plan(PointInTimeStorePlanner.Heads(h), "main", PointInTimeStorePlanner.FullLogs(h), DateTime.MaxValue, c.Hash.Substring(0, 31), new HashSet<string>());
                var actual = PointInTimeStorePlanner.Plan(h, "main", null, c.Hash.Substring(0, 31), new HashSet<string>());
                Assert.Equal(Describe(expected), Describe(actual));
            }
        }

        [Fact]
        public void Over_a_long_history_only_the_commits_down_to_the_moment_are_read()
        {
            var h = new MemoryHistory();
            string head = h.Add(T0);
            for (int i = 1; i <= 5000; i++)
            {
                head = h.Add(T0.AddMinutes(i), head);
            }
            h.Branches["main"] = head;
            string fork = h.All.Single(c => c.DateUtc == T0.AddMinutes(4990)).Hash;
            h.Branches["late"] = h.Add(T0.AddMinutes(4999), fork);   // made after the moment: deleted
            h.Branches["early"] = h.Add(T0.AddMinutes(4991), fork);  // made before it: kept
            h.Tags["v-late"] = head;

            var plan = PointInTimeStorePlanner.Plan(h, "main", T0.AddMinutes(4995), null, new HashSet<string>());

            Assert.Null(plan.ErrorId);
            Assert.Equal(BranchAsOfAction.Moved, plan.Branches.Single(b => b.Branch == "main").Action);
            Assert.Equal(T0.AddMinutes(4995), plan.Branches.Single(b => b.Branch == "main").CommitDateUtc);
            Assert.Equal(BranchAsOfAction.Deleted, plan.Branches.Single(b => b.Branch == "late").Action);
            Assert.Equal(BranchAsOfAction.Unchanged, plan.Branches.Single(b => b.Branch == "early").Action);
            Assert.Equal(new[] { "v-late" }, plan.DeletedTags);
            Assert.InRange(h.Read, 5, 20); // of 5,003 commits
        }
    }
}
