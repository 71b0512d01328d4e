using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>The set choice (manifests only) and the commit choice (dolt_log rows) without an engine.</summary>
    public class PointInTimePlannerTests
    {
        private static DateTime At(int hour, int minute = 0) => PointInTimeHistory.At(hour, minute);

        private static DoltCommit C(string hash, int hour, params string[] parents) => new DoltCommit(hash, parents, At(hour), "x", "msg " + hash);

        private static BackupManifest Set(string id, DateTime taken, ItemStatus status = ItemStatus.Completed, params string[] branches)
        {
            var m = new BackupManifest { Id = id, Method = BackupMethod.DoltBackup, CreatedUtc = taken };
            m.Databases.Add(new DatabaseBackupItem { Name = "db", Url = "file:///b/" + id, Status = status, StartedUtc = taken, Branches = branches.Select(b => new RefHead { Name = b, Hash = "h" }).ToList() });
            return m;
        }

        [Fact]
        public void The_earliest_completed_set_at_or_after_the_moment_is_chosen_and_the_one_before_gives_the_branches_that_existed()
        {
            var sets = new[]
            {
                Set("a", At(9), ItemStatus.Completed, "main", "old"), Set("b", At(11), ItemStatus.Failed), Set("c", At(12), ItemStatus.Completed, "main"),
                Set("d", At(14), ItemStatus.Completed, "main", "new"),
            };
            var problems = new List<PlanProblem>();
            var choice = Assert.Single(PointInTimeSetSelector.Choose(sets, null, At(10), problems));

            Assert.Empty(problems);
            Assert.Equal("c", choice.Set.Id); // b (11:00) did not complete
            Assert.True(choice.CoversMoment);
            Assert.Equal(new[] { "main", "old" }, choice.BranchesSeenBefore.OrderBy(x => x));
            Assert.Equal("d", PointInTimeSetSelector.Choose(sets, null, null, problems).Single().Set.Id); // -AsOfCommit: the newest
            var late = PointInTimeSetSelector.Choose(sets, null, At(20), problems).Single();
            Assert.Equal(("d", false), (late.Set.Id, late.CoversMoment));
        }

        [Fact]
        public void A_database_pattern_that_matches_nothing_is_a_problem()
        {
            var problems = new List<PlanProblem>();
            Assert.Empty(PointInTimeSetSelector.Choose(new[] { Set("a", At(9)) }, new[] { "nosuch*" }, At(10), problems));
            Assert.Equal("DatabaseNotInBackup", Assert.Single(problems).ErrorId);
        }

        [Fact]
        public void A_branch_with_no_commit_at_or_before_the_moment_on_its_line_is_Unresolved_never_guessed()
        {
            // "rewritten" carries a re-dated copy of history: nothing on its line is old enough, but it reached the moment before (seen in an earlier set).
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>>
            {
                ["main"] = new[] { C("m2", 12, "m1"), C("m1", 9) },
                ["rewritten"] = new[] { C("r2", 14, "r1"), C("r1", 13) },
            };
            var heads = new DatabaseBackupItem { Branches = { new RefHead { Name = "main", Hash = "m2" }, new RefHead { Name = "rewritten", Hash = "r2" } } };
            var plan = PointInTimeCommitPlanner.Plan(heads, "main", logs, At(10), null, new HashSet<string> { "rewritten" });

            Assert.Null(plan.ErrorId);
            var r = plan.Branches.Single(b => b.Branch == "rewritten");
            Assert.Equal((BranchAsOfAction.Unresolved, (string)null), (r.Action, r.Commit));
            Assert.Equal("m1", plan.Branches.Single(b => b.Branch == "main").Commit);
            Assert.Contains(plan.Expected().Branches, b => b.Name == "rewritten" && b.Hash == "r2");
        }

        [Fact]
        public void Tags_later_than_the_moment_go_and_a_tag_on_no_branch_is_kept_as_unknown()
        {
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>> { ["main"] = new[] { C("m2", 12, "m1"), C("m1", 9) } };
            var heads = new DatabaseBackupItem
            {
                Branches = { new RefHead { Name = "main", Hash = "m2" } },
                Tags = { new RefHead { Name = "old", Hash = "m1" }, new RefHead { Name = "new", Hash = "m2" }, new RefHead { Name = "stray", Hash = "zz" } },
            };
            var plan = PointInTimeCommitPlanner.Plan(heads, "main", logs, At(10), null, new HashSet<string>());

            Assert.Equal(new[] { "new" }, plan.DeletedTags);
            Assert.Equal(new[] { "old", "stray" }, plan.KeptTags.Select(t => t.Name));
            Assert.Equal(new[] { "stray" }, plan.TagsOfUnknownDate);
        }

        [Fact]
        public void A_commit_that_only_came_in_through_a_merge_is_refused_for_AsOfCommit()
        {
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>> { ["main"] = new[] { C("mm", 12, "m1", "f1"), C("f1", 11, "m1"), C("m1", 9) } };
            var heads = new DatabaseBackupItem { Branches = { new RefHead { Name = "main", Hash = "mm" } } };

            var plan = PointInTimeCommitPlanner.Plan(heads, "main", logs, DateTime.MaxValue, "f1", new HashSet<string>());

            Assert.Equal("AsOfCommitNotOnBranch", plan.ErrorId);
        }

        [Fact]
        public void AsOfCommit_wins_over_a_later_commit_of_the_same_second()
        {
            var same = new DoltCommit("c2", new[] { "c1" }, At(12), "x", "same second");
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>> { ["main"] = new[] { same, C("c1", 12, "m1"), C("m1", 9) } };
            var heads = new DatabaseBackupItem { Branches = { new RefHead { Name = "main", Hash = "c2" } } };

            var byDate = PointInTimeCommitPlanner.Plan(heads, "main", logs, At(12), null, new HashSet<string>());
            var byCommit = PointInTimeCommitPlanner.Plan(heads, "main", logs, DateTime.MaxValue, "c1", new HashSet<string>());

            Assert.Equal("c2", byDate.Branches.Single().Commit);
            Assert.Equal((BranchAsOfAction.Moved, "c1"), (byCommit.Branches.Single().Action, byCommit.Branches.Single().Commit));
        }
    }
}
