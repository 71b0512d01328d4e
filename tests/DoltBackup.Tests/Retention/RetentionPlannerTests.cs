using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Catalog;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    public class RetentionPlannerTests
    {
        private static readonly DateTime Now = new DateTime(2026, 11, 23, 12, 0, 0, DateTimeKind.Utc);

        // d0 Failed, d1 Completed, d2 Partial, d3 Completed, d4 Running, d5 Completed, d6 Completed, d7 Failed, d8 Completed, d9 Configured
        private static readonly BackupStatus[] Daily =
        {
            BackupStatus.Failed, BackupStatus.Completed, BackupStatus.PartiallyCompleted, BackupStatus.Completed, BackupStatus.Running,
            BackupStatus.Completed, BackupStatus.Completed, BackupStatus.Failed, BackupStatus.Completed, BackupStatus.Configured,
        };

        private static List<BackupManifest> DailySets(TempDir dir)
        {
            var b = new BackupRootBuilder(dir.Path, Now);
            for (int d = 0; d < Daily.Length; d++)
            {
                b.Add("prod", TimeSpan.FromDays(d), Daily[d]);
            }
            return BackupCatalog.ListRoot(dir.Path).Sets.ToList();
        }

        private static string Day(int d, string name = "prod") => BackupId.Create(name, Now.AddDays(-d));

        private static string[] Kept(RetentionPlan plan) => plan.ToKeep.Select(d => d.Set.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray();

        private static string[] Days(params int[] days) => days.Select(d => Day(d)).OrderBy(x => x, StringComparer.Ordinal).ToArray();

        [Fact]
        public void KeepLast_keeps_the_newest_completed_sets_and_younger_unfinished_ones()
        {
            using var dir = new TempDir();
            var plan = RetentionPlanner.Plan(DailySets(dir), new RetentionPolicy { KeepLast = 3 }, Now, _ => false);

            // Completed: d1, d3, d5 are the newest three; d0, d2, d4 are younger than d5 and do not count.
            Assert.Equal(Days(0, 1, 2, 3, 4, 5), Kept(plan));
            Assert.Equal(Days(6, 7, 8, 9), plan.ToDelete.Select(d => d.Set.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray());
            Assert.Contains("#3 of the 3 newest", plan.Decisions.Single(d => d.Set.Id == Day(5)).Reason);
            Assert.Contains("never count", plan.Decisions.Single(d => d.Set.Id == Day(7)).Reason);
        }

        [Fact]
        public void OlderThan_keeps_the_window_and_the_newest_completed_set_before_it()
        {
            using var dir = new TempDir();
            var plan = RetentionPlanner.Plan(DailySets(dir), new RetentionPolicy { OlderThan = TimeSpan.FromDays(3.5) }, Now, _ => false);

            // Window: d0..d3. The restore point for its start: d5 (d4 is Running, so it cannot be one).
            Assert.Equal(Days(0, 1, 2, 3, 5), Kept(plan));
            Assert.Contains("restore point", plan.Decisions.Single(d => d.Set.Id == Day(5)).Reason);
        }

        [Fact]
        public void KeepLast_and_OlderThan_keep_what_either_keeps()
        {
            using var dir = new TempDir();
            var plan = RetentionPlanner.Plan(DailySets(dir), new RetentionPolicy { KeepLast = 2, OlderThan = TimeSpan.FromDays(5.5) }, Now, _ => false);

            // KeepLast 2: d1, d3 (+ d0, d2). Window 5.5 days: d0..d5, and d6 as the restore point. d7, d8, d9 go.
            Assert.Equal(Days(0, 1, 2, 3, 4, 5, 6), Kept(plan));

            var wide = RetentionPlanner.Plan(DailySets(dir), new RetentionPolicy { KeepLast = 5, OlderThan = TimeSpan.FromDays(1.5) }, Now, _ => false);
            // KeepLast 5: d1, d3, d5, d6, d8, and every unfinished set younger than d8 (d0, d2, d4, d7). d9 goes.
            Assert.Equal(Days(0, 1, 2, 3, 4, 5, 6, 7, 8), Kept(wide));
        }

        [Fact]
        public void Without_a_completed_set_nothing_is_deleted()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            for (int d = 0; d < 40; d++)
            {
                b.Add("prod", TimeSpan.FromDays(d), d % 2 == 0 ? BackupStatus.Failed : BackupStatus.PartiallyCompleted);
            }
            var sets = BackupCatalog.ListRoot(dir.Path).Sets;

            foreach (var policy in new[] { new RetentionPolicy { KeepLast = 1 }, new RetentionPolicy { OlderThan = TimeSpan.FromDays(1) }, new RetentionPolicy { KeepLast = 1, OlderThan = TimeSpan.FromHours(1) } })
            {
                var plan = RetentionPlanner.Plan(sets, policy, Now, _ => false);
                Assert.Empty(plan.ToDelete);
                Assert.All(plan.Decisions, d => Assert.Contains("has Completed", d.Reason));
            }
        }

        [Fact]
        public void When_the_newest_completed_set_is_older_than_the_window_it_stays_as_the_restore_point()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Failed);
            b.Add("prod", TimeSpan.FromDays(2), BackupStatus.Failed);
            b.Add("prod", TimeSpan.FromDays(10), BackupStatus.Completed);
            b.Add("prod", TimeSpan.FromDays(15), BackupStatus.Failed);
            b.Add("prod", TimeSpan.FromDays(20), BackupStatus.Completed);
            var plan = RetentionPlanner.Plan(BackupCatalog.ListRoot(dir.Path).Sets, new RetentionPolicy { OlderThan = TimeSpan.FromDays(7) }, Now, _ => false);

            Assert.Equal(Days(1, 2, 10), Kept(plan));
        }

        [Fact]
        public void Fewer_completed_sets_than_KeepLast_deletes_nothing()
        {
            using var dir = new TempDir();
            var plan = RetentionPlanner.Plan(DailySets(dir), new RetentionPolicy { KeepLast = 6 }, Now, _ => false);
            Assert.Empty(plan.ToDelete);
        }

        [Fact]
        public void Ties_are_broken_by_id_and_a_set_exactly_at_the_cutoff_is_inside_the_window()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, id: "a-copy");
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, id: "b-copy");
            var sets = BackupCatalog.ListRoot(dir.Path).Sets;
            var plan = RetentionPlanner.Plan(sets, new RetentionPolicy { KeepLast = 1 }, Now, _ => false);
            Assert.Equal(new[] { "b-copy" }, plan.ToKeep.Select(d => d.Set.Id).ToArray());

            using var dir2 = new TempDir();
            var c = new BackupRootBuilder(dir2.Path, Now);
            c.Add("prod", TimeSpan.FromDays(7), BackupStatus.Completed);
            c.Add("prod", TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1), BackupStatus.Completed);
            c.Add("prod", TimeSpan.FromDays(8), BackupStatus.Completed);
            var window = RetentionPlanner.Plan(BackupCatalog.ListRoot(dir2.Path).Sets, new RetentionPolicy { OlderThan = TimeSpan.FromDays(7) }, Now, _ => false);
            Assert.Equal(new[] { BackupId.Create("prod", Now.AddDays(-7)), BackupId.Create("prod", Now.AddDays(-7).AddSeconds(-1)) }.OrderBy(x => x, StringComparer.Ordinal),
                Kept(window));
            Assert.Contains("inside the -OlderThan window", window.Decisions.Single(d => d.Set.Id == BackupId.Create("prod", Now.AddDays(-7))).Reason);
        }

        [Fact]
        public void Each_backup_name_is_planned_on_its_own()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            for (int d = 0; d < 10; d++)
            {
                b.Add("prod", TimeSpan.FromDays(d), BackupStatus.Completed);
                b.Add("staging", TimeSpan.FromDays(d).Add(TimeSpan.FromHours(1)), BackupStatus.Completed);
            }
            var plan = RetentionPlanner.Plan(BackupCatalog.ListRoot(dir.Path).Sets, new RetentionPolicy { KeepLast = 2 }, Now, _ => false);

            Assert.Equal(new[] { Day(0), Day(1), BackupId.Create("staging", Now.AddDays(0).AddHours(-1)), BackupId.Create("staging", Now.AddDays(-1).AddHours(-1)) }.OrderBy(x => x, StringComparer.Ordinal),
                Kept(plan));
        }

        [Fact]
        public void A_locked_set_is_kept_whatever_the_policy_and_says_so()
        {
            using var dir = new TempDir();
            var sets = DailySets(dir);
            var victim = sets.Single(s => s.Id == Day(8));
            using var held = BackupSetLock.TryAcquire(victim.BackupFolder);
            Assert.NotNull(held);

            var plan = RetentionPlanner.Plan(sets, new RetentionPolicy { KeepLast = 1 }, Now);

            var d = plan.Decisions.Single(x => x.Set.Id == Day(8));
            Assert.Equal(RetentionAction.Keep, d.Action);
            Assert.True(d.Locked);
            Assert.Contains("lock", d.Reason);
            Assert.Equal(Days(0, 1, 8), Kept(plan));
        }

        [Fact]
        public void Generated_root_of_hundreds_of_sets_keeps_exactly_what_the_rules_say()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, Now);
            var time = new Dictionary<string, DateTime>();
            for (int i = 0; i < 400; i++)
            {
                string name = i % 3 == 0 ? "staging" : "prod";
                var set = b.Add(name, TimeSpan.FromHours(6 * i + 2), BackupRootBuilder.MixedStatus(i));
                time[set.Id] = set.CreatedUtc;
            }
            var sets = BackupCatalog.ListRoot(dir.Path).Sets;
            Assert.Equal(400, sets.Count);
            var policy = new RetentionPolicy { KeepLast = 12, OlderThan = TimeSpan.FromDays(20) };
            var plan = RetentionPlanner.Plan(sets, policy, Now, _ => false);

            // The rules, stated directly per name.
            var expected = new HashSet<string>();
            DateTime cutoff = Now.AddDays(-20);
            foreach (var g in b.Sets.GroupBy(s => s.Name))
            {
                var completed = g.Where(s => s.Status == BackupStatus.Completed).OrderByDescending(s => s.CreatedUtc).ToList();
                var lastTwelve = completed.Take(12).ToList();
                var anchor = completed.First(s => s.CreatedUtc < cutoff);
                DateTime twelfth = lastTwelve.Last().CreatedUtc;
                foreach (var s in g)
                {
                    bool keep = s.Status == BackupStatus.Completed
                        ? lastTwelve.Contains(s) || s.CreatedUtc >= cutoff || s == anchor
                        : s.CreatedUtc >= twelfth || s.CreatedUtc >= cutoff;
                    if (keep)
                    {
                        expected.Add(s.Id);
                    }
                }
            }
            Assert.Equal(expected.OrderBy(x => x, StringComparer.Ordinal), plan.ToKeep.Select(d => d.Set.Id).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(400, plan.Decisions.Count);
            // 20 days of 6-hourly sets per name are kept plus one restore point per name; most of the 400 go.
            Assert.InRange(plan.ToDelete.Count(), 250, 330);
            foreach (var name in new[] { "prod", "staging" })
            {
                var newestCompleted = b.Sets.Where(s => s.Name == name && s.Status == BackupStatus.Completed).OrderByDescending(s => s.CreatedUtc).First();
                Assert.Contains(newestCompleted.Id, expected);
            }
        }

        [Fact]
        public void Chosen_sets_are_deleted_except_the_newest_completed_of_their_name_and_locked_ones()
        {
            using var dir = new TempDir();
            var sets = DailySets(dir);
            var chosen = sets.Where(s => s.Id == Day(1) || s.Id == Day(3) || s.Id == Day(7) || s.Id == Day(8)).ToList();
            using var held = BackupSetLock.TryAcquire(sets.Single(s => s.Id == Day(8)).BackupFolder);

            var plan = RetentionPlanner.PlanChosen(chosen, sets);

            Assert.Equal(new[] { Day(3), Day(7) }.OrderBy(x => x, StringComparer.Ordinal), plan.ToDelete.Select(d => d.Set.Id).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Contains("newest Completed", plan.Decisions.Single(d => d.Set.Id == Day(1)).Reason);
            Assert.True(plan.Decisions.Single(d => d.Set.Id == Day(8)).Locked);
        }

        [Fact]
        public void A_policy_that_could_delete_everything_is_refused()
        {
            Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new BackupManifest[0], new RetentionPolicy { KeepLast = 0 }, Now));
            Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new BackupManifest[0], new RetentionPolicy { OlderThan = TimeSpan.Zero }, Now));
            Assert.Throws<ArgumentException>(() => RetentionPlanner.Plan(new BackupManifest[0], new RetentionPolicy(), Now));
        }
    }
}
