using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Restore-DoltBackup's own cost: planning, per-database confirmation, restore and heads verification of many
    /// databases (each with many branches and tags) against an engine whose restore and state read take a fixed latency.
    /// The ratio is the measured time over the pure engine time (N x (restore + state latency)).
    /// Usage: restore-overhead [databases=200] [branches=200] [latencyMs=5]
    /// </summary>
    public sealed class RestoreOverheadBenchmark : IBenchmark
    {
        public string Name => "restore-overhead";

        public string Description => "Restore of 200 databases x 200 branches, engine latency 5 ms per call: orchestration + verification overhead (goal <= 1.15x engine time)";

        public int Run(IReadOnlyList<string> args)
        {
            int databases = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
            int branches = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
            int latencyMs = args.Count > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
            return RestoreOverheadRun.Measure(databases, branches, latencyMs);
        }
    }

    /// <summary>The measurement: a latency engine, a manifest of N databases, one planned and executed restore.</summary>
    internal static class RestoreOverheadRun
    {
        public static int Measure(int databases, int branches, int latencyMs)
        {
            var manifest = new DoltBackup.Manifest.BackupManifest { Id = "bench", Name = "bench", Method = DoltBackup.Manifest.BackupMethod.DoltBackup };
            var stores = new Dictionary<string, DoltBackup.Restore.RestoredDatabaseState>();
            for (int d = 0; d < databases; d++)
            {
                var state = new DoltBackup.Restore.RestoredDatabaseState { WorkingSetHash = "w" + d };
                for (int b = 0; b < branches; b++)
                {
                    state.Branches.Add(new DoltBackup.Manifest.RefHead { Name = "branch" + b, Hash = "h" + d + "_" + b });
                    if (b % 10 == 0)
                    {
                        state.Tags.Add(new DoltBackup.Manifest.RefHead { Name = "tag" + b, Hash = "t" + d + "_" + b });
                    }
                }
                string url = "file:///bench/db" + d;
                stores[url] = state;
                manifest.Databases.Add(new DoltBackup.Manifest.DatabaseBackupItem
                {
                    Name = "db" + d, Url = url, Status = DoltBackup.Manifest.ItemStatus.Completed, WorkingSetHash = state.WorkingSetHash,
                    Branches = state.Branches.Select(r => new DoltBackup.Manifest.RefHead { Name = r.Name, Hash = r.Hash }).Reverse().ToList(),
                    Tags = state.Tags.ToList(),
                });
            }
            var engine = new LatencyEngine(stores, TimeSpan.FromMilliseconds(latencyMs));
            var options = new DoltBackup.Restore.RestoreOptions();
            var observer = new CountingObserver();
            var sw = Stopwatch.StartNew();
            var plan = new DoltBackup.Restore.RestorePlanner(engine.ListDatabasesAsync(default).Result).Plan(manifest, options);
            var results = new DoltBackup.Restore.RestoreOrchestrator(engine, null, null, observer).Execute(plan, options);
            sw.Stop();
            int verified = results.Databases.Count(r => r.Verification == DoltBackup.Restore.VerificationOutcome.Verified);
            double engineMs = engine.EngineTime.TotalMilliseconds;
            double ratio = sw.Elapsed.TotalMilliseconds / engineMs;
            Console.WriteLine($"databases: {databases}, branches each: {branches}, verified: {verified}");
            Console.WriteLine($"total: {sw.Elapsed.TotalMilliseconds:F0} ms, engine time (measured sleeps): {engineMs:F0} ms, overhead per database: {(sw.Elapsed.TotalMilliseconds - engineMs) / databases:F2} ms");
            Console.WriteLine($"ratio: {ratio:F3} (goal: <= 1.15)");
            return verified == databases && ratio <= 1.15 ? 0 : 1;
        }

        private sealed class LatencyEngine : DoltBackup.Restore.IRestoreEngine
        {
            private readonly Dictionary<string, DoltBackup.Restore.RestoredDatabaseState> _stores;
            private readonly Dictionary<string, DoltBackup.Restore.RestoredDatabaseState> _databases = new Dictionary<string, DoltBackup.Restore.RestoredDatabaseState>();
            private readonly TimeSpan _latency;
            private long _engineTicks;

            public LatencyEngine(Dictionary<string, DoltBackup.Restore.RestoredDatabaseState> stores, TimeSpan latency)
            {
                _stores = stores;
                _latency = latency;
            }

            public TimeSpan EngineTime => TimeSpan.FromTicks(Interlocked.Read(ref _engineTicks));
            public string Description => "latency engine";

            private void Wait()
            {
                var sw = Stopwatch.StartNew();
                Thread.Sleep(_latency);
                Interlocked.Add(ref _engineTicks, sw.Elapsed.Ticks);
            }

            public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(_databases.Keys.ToList());

            public Task RestoreAsync(string url, string database, bool force, CancellationToken cancellationToken)
            {
                Wait();
                _databases[database] = _stores[url];
                return Task.CompletedTask;
            }

            public Task<DoltBackup.Restore.RestoredDatabaseState> GetStateAsync(string database, CancellationToken cancellationToken)
            {
                Wait();
                return Task.FromResult(_databases[database]);
            }

            public void Dispose()
            {
            }
        }

        private sealed class CountingObserver : DoltBackup.Restore.IRestoreObserver
        {
            public int Results;
            public bool ShouldProcess(string target, string action) => true;
            public void Progress(int done, int total, string status) { }
            public void Verbose(string text) { }
            public void Warning(string text) { }
            public void Problem(DoltBackup.Restore.PlanProblem problem) { }
            public void DatabaseResult(DoltBackup.Restore.DatabaseRestoreResult result) => Results++;
            public void ArtifactResult(DoltBackup.Restore.ArtifactGroupRestoreResult result) => Results++;
        }
    }
}
