using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Plans a point-in-time restore as Restore-DoltBackup -AsOf does, without Dolt: the set is chosen from 5,000
    /// in-memory manifests (3 databases each), then the commits of a database with 200 branches are chosen from the
    /// dolt_log answers a server would give (one per branch: a 2,000-commit main line, each branch 10 commits of its own
    /// on it, half of them made after the moment). The reference, in the same run, is the least any planner must do:
    /// look at every manifest's database entries once and index every dolt_log row by its hash once (to follow parents).
    /// Goal: the plan in at most 1 s, and at most 8x the reference. "quick": 1,000 sets, 50 branches, 500 commits (a few milliseconds: on a loaded machine the ratio is noisy, the 1 s goal is not).
    /// </summary>
    public sealed class PointInTimePlanBenchmark : IBenchmark
    {
        public string Name => "pointintime";

        public string Description => "Plan -AsOf over 5,000 sets and a 200-branch database (one dolt_log per branch): <= 1 s and <= 8x reading it all once";

        public int Run(IReadOnlyList<string> args)
        {
            bool quick = args.Contains("quick");
            int sets = quick ? 1000 : 5000, branches = quick ? 50 : 200, mainLine = quick ? 500 : 2000, runs = quick ? 9 : 7;
            var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var manifests = Enumerable.Range(0, sets).Select(i => Manifest(i, start.AddHours(i), branches)).ToList();
            DateTime moment = start.AddHours(sets / 2 + 0.5);
            var (heads, logs) = History(branches, mainLine, start, moment);
            Console.WriteLine($"sets: {sets}, branches: {branches}, main line: {mainLine} commits, dolt_log rows: {logs.Values.Sum(l => l.Count)}; runs: {runs} (median)");

            int logReads = 0;
            double reference = Median(runs, () =>
            {
                int entries = 0;
                foreach (var m in manifests)
                {
                    entries += m.Databases.Count(d => d.Status == ItemStatus.Completed);
                }
                var seen = new Dictionary<string, DoltCommit>(StringComparer.Ordinal);
                foreach (var log in logs.Values)
                {
                    foreach (var c in log)
                    {
                        seen[c.Hash] = c;
                    }
                }
                if (entries == 0 || seen.Count == 0)
                {
                    throw new InvalidOperationException("nothing read");
                }
            });
            PointInTimeDatabasePlan plan = null;
            double planning = Median(runs, () =>
            {
                var problems = new List<PlanProblem>();
                var choice = PointInTimeSetSelector.Choose(manifests, new[] { "db1" }, moment, problems).Single();
                logReads = 0;
                var read = new Dictionary<string, IReadOnlyList<DoltCommit>>(StringComparer.Ordinal);
                foreach (var b in heads.Branches)
                {
                    read[b.Name] = logs[b.Name]; // one dolt_log per branch
                    logReads++;
                }
                plan = PointInTimeCommitPlanner.Plan(heads, "main", read, moment, null, choice.BranchesSeenBefore);
            });
            double choosing = Median(runs, () => PointInTimeSetSelector.Choose(manifests, new[] { "db1" }, moment, new List<PlanProblem>()));
            Console.WriteLine($"of which choosing the set: {choosing:F1} ms");
            int deleted = plan.Branches.Count(b => b.Action == BranchAsOfAction.Deleted), moved = plan.Branches.Count(b => b.Action == BranchAsOfAction.Moved);
            double ratio = planning / reference;
            Console.WriteLine($"reference (every entry and row once): {reference:F1} ms; plan: {planning:F1} ms; dolt_log reads: {logReads}; moved: {moved}, deleted: {deleted}");
            Console.WriteLine($"ratio: {ratio:F2} (goal: the plan <= 1000 ms; and, in the full run, ratio <= 8: quick runs take milliseconds, too few for a steady ratio on a shared machine)");
            bool right = logReads == branches && deleted == branches / 2 && plan.Branches.All(b => b.Action != BranchAsOfAction.Unresolved);
            if (!right)
            {
                Console.WriteLine("WRONG PLAN: expected every odd branch deleted, one dolt_log per branch, nothing unresolved");
            }
            return planning <= 1000 && (quick || ratio <= 8) && right ? 0 : 1;
        }

        private static BackupManifest Manifest(int i, DateTime taken, int branches)
        {
            var m = new BackupManifest { Id = taken.ToString("yyyyMMdd'T'HHmmss'Z'") + "-bench", Method = BackupMethod.DoltBackup, Status = BackupStatus.Completed, CreatedUtc = taken };
            for (int d = 0; d < 3; d++)
            {
                m.Databases.Add(new DatabaseBackupItem
                {
                    Name = "db" + d, Url = $"file:///b/{i}/db{d}", Status = ItemStatus.Completed, StartedUtc = taken,
                    // Sets record main and the even branches; the odd ones are made after the moment, so no set before it knows them.
                    Branches = Enumerable.Range(0, d == 1 ? branches : 3).Where(b => b % 2 == 0).Select(b => new RefHead { Name = b == 0 ? "main" : "b" + b, Hash = "h" + b }).ToList(),
                });
            }
            return m;
        }

        /// <summary>A main line, and per branch 10 commits of its own off it (odd branches: all after the moment).</summary>
        private static (DatabaseBackupItem Heads, Dictionary<string, IReadOnlyList<DoltCommit>> Logs) History(int branches, int mainLine, DateTime start, DateTime moment)
        {
            var main = new List<DoltCommit>();
            string parent = null;
            TimeSpan step = TimeSpan.FromTicks((moment - start).Ticks * 2 / mainLine);
            for (int i = 0; i < mainLine; i++)
            {
                var c = new DoltCommit("m" + i.ToString("D6"), parent == null ? Array.Empty<string>() : new[] { parent }, start.Add(TimeSpan.FromTicks(step.Ticks * i)), "bench", "main " + i);
                main.Add(c);
                parent = c.Hash;
            }
            main.Reverse();
            var heads = new DatabaseBackupItem { Branches = { new RefHead { Name = "main", Hash = main[0].Hash } } };
            var logs = new Dictionary<string, IReadOnlyList<DoltCommit>>(StringComparer.Ordinal) { ["main"] = main };
            for (int b = 1; b < branches; b++)
            {
                int forkAt = mainLine / 4 + b % (mainLine / 4);
                var baseLine = main.Skip(mainLine - 1 - forkAt).ToList();
                DateTime t = b % 2 == 1 ? moment.AddMinutes(1) : baseLine[0].DateUtc.AddSeconds(1);
                var own = new List<DoltCommit>();
                string p = baseLine[0].Hash;
                for (int k = 0; k < 10; k++)
                {
                    var c = new DoltCommit($"b{b}-{k}", new[] { p }, t.AddSeconds(k), "bench", $"b{b} {k}");
                    own.Add(c);
                    p = c.Hash;
                }
                own.Reverse();
                logs["b" + b] = own.Concat(baseLine).ToList();
                heads.Branches.Add(new RefHead { Name = "b" + b, Hash = own[0].Hash });
            }
            return (heads, logs);
        }

        private static double Median(int runs, Action action)
        {
            action(); // warm-up: JIT
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            return BenchmarkProcess.Median(times);
        }
    }
}
