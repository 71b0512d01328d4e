using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Test-DoltBackup -RestoreTest's own cost on a server: per database a scratch restore, a heads read, the comparison
    /// and the drop, against an engine whose every call takes a fixed latency. The ratio is the measured time over the
    /// pure engine time. Usage: restoretest [databases=200] [branches=200] [latencyMs=5]
    /// </summary>
    public sealed class RestoreTestBenchmark : IBenchmark
    {
        public string Name => "restoretest";

        public string Description => "Restore test of 200 databases x 200 branches, engine latency 5 ms per call: planning, comparison and cleanup overhead (goal <= 1.15x engine time)";

        public int Run(IReadOnlyList<string> args)
        {
            int databases = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
            int branches = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
            int latencyMs = args.Count > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;

            var manifest = new BackupManifest { Id = "bench", Name = "bench", Method = BackupMethod.DoltBackup };
            var stores = new Dictionary<string, DatabaseState>();
            for (int d = 0; d < databases; d++)
            {
                var state = new DatabaseState { WorkingSetHash = "w" + d };
                for (int b = 0; b < branches; b++)
                {
                    state.Branches.Add(new RefHead { Name = "branch" + b, Hash = "h" + d + "_" + b });
                    if (b % 10 == 0)
                    {
                        state.Tags.Add(new RefHead { Name = "tag" + b, Hash = "t" + d + "_" + b });
                    }
                }
                string url = "file:///bench/db" + d;
                stores[url] = state;
                manifest.Databases.Add(new DatabaseBackupItem
                {
                    Name = "db" + d, Url = url, Status = ItemStatus.Completed, WorkingSetHash = state.WorkingSetHash,
                    Branches = state.Branches.AsEnumerable().Reverse().ToList(), Tags = state.Tags.ToList(),
                });
            }
            using var engine = new LatencyEngine(stores, TimeSpan.FromMilliseconds(latencyMs));
            var results = new List<VerificationResult>();
            var sw = Stopwatch.StartNew();
            new RestoreTester(new QuietObserver()).TestOnServer(manifest, engine, new RestoreTestOptions(), results.Add);
            sw.Stop();
            int passed = results.Count(r => r.Status == VerificationStatus.Passed);
            double engineMs = engine.EngineTime.TotalMilliseconds;
            double ratio = sw.Elapsed.TotalMilliseconds / engineMs;
            Console.WriteLine($"databases: {databases}, branches each: {branches}, passed: {passed}, left behind: {engine.Count}");
            Console.WriteLine($"total: {sw.Elapsed.TotalMilliseconds:F0} ms, engine time (measured sleeps): {engineMs:F0} ms, overhead per database: {(sw.Elapsed.TotalMilliseconds - engineMs) / databases:F2} ms");
            Console.WriteLine($"ratio: {ratio:F3} (goal: <= 1.15)");
            return passed == databases && engine.Count == 0 && ratio <= 1.15 ? 0 : 1;
        }

        private sealed class LatencyEngine : IDoltEngine
        {
            private readonly Dictionary<string, DatabaseState> _stores;
            private readonly Dictionary<string, DatabaseState> _databases = new Dictionary<string, DatabaseState>(StringComparer.OrdinalIgnoreCase);
            private readonly TimeSpan _latency;
            private long _engineTicks;

            public LatencyEngine(Dictionary<string, DatabaseState> stores, TimeSpan latency)
            {
                _stores = stores;
                _latency = latency;
            }

            public TimeSpan EngineTime => TimeSpan.FromTicks(Interlocked.Read(ref _engineTicks));
            public int Count => _databases.Count;
            public string Description => "latency engine";

            private void Wait()
            {
                var sw = Stopwatch.StartNew();
                Thread.Sleep(_latency);
                Interlocked.Add(ref _engineTicks, sw.Elapsed.Ticks);
            }

            public Task<string> GetDoltVersionAsync(CancellationToken ct) => Task.FromResult("bench");

            public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken ct)
            {
                Wait();
                return Task.FromResult<IReadOnlyList<string>>(_databases.Keys.ToList());
            }

            public Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken ct)
            {
                Wait();
                return Task.FromResult(_databases[database]);
            }

            public Task RestoreBackupAsync(string url, string database, bool force, CancellationToken ct)
            {
                Wait();
                _databases[database] = _stores[url];
                return Task.CompletedTask;
            }

            public Task DropDatabaseAsync(string database, CancellationToken ct)
            {
                Wait();
                _databases.Remove(database);
                return Task.CompletedTask;
            }

            public Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken ct) => throw new NotSupportedException();
            public Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken ct) => throw new NotSupportedException();
            public Task AddBackupAsync(string database, string name, string url, CancellationToken ct) => throw new NotSupportedException();
            public Task RemoveBackupAsync(string database, string name, CancellationToken ct) => throw new NotSupportedException();
            public Task SyncBackupAsync(string database, string name, CancellationToken ct) => throw new NotSupportedException();
            public Task PushBranchAsync(string database, string remote, string branch, CancellationToken ct) => throw new NotSupportedException();
            public Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken ct) => throw new NotSupportedException();
            public Task<string> GetCheckedOutBranchAsync(string database, CancellationToken ct) => throw new NotSupportedException();
            public Task MoveBranchAsync(string database, string branch, string commit, CancellationToken ct) => throw new NotSupportedException();
            public Task DeleteBranchAsync(string database, string branch, CancellationToken ct) => throw new NotSupportedException();
            public Task DeleteTagAsync(string database, string tag, CancellationToken ct) => throw new NotSupportedException();

            public void Dispose()
            {
            }
        }

        private sealed class QuietObserver : DoltBackup.Restore.IRestoreObserver
        {
            public bool ShouldProcess(string target, string action) => true;
            public void Progress(int done, int total, string status) { }
            public void Verbose(string text) { }
            public void Warning(string text) { }
            public void Problem(DoltBackup.Restore.PlanProblem problem) => Console.WriteLine("problem: " + problem.Message);
            public void DatabaseResult(DoltBackup.Restore.DatabaseRestoreResult result) { }
            public void ArtifactResult(DoltBackup.Restore.ArtifactGroupRestoreResult result) { }
        }
    }
}
