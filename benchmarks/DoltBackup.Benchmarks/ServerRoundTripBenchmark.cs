using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Issue 16, point 7: the module's own cost on a server, against the bare loop a DBA would type in one client session
    /// (<c>USE db; CALL dolt_backup('sync', name)</c> per database: 2 round trips; <c>CALL dolt_backup('restore', url, name)</c>:
    /// 1). The real cmdlets and the real <see cref="SqlDoltEngine"/> run over <see cref="FakeDoltSqlServer"/>, which
    /// charges every round trip (a query text, a USE, a pooled connection's reset, a handshake) one at a time, plus the
    /// server work of a sync or restore. Defaults are calibrated on the issue's real Dolt 2.2.2 figures for 40 databases:
    /// bare incremental loop 0.3 s (7.5 ms/database), full 0.8 s (20 ms), restore 2.2 s (55 ms), with 1 ms per round trip.
    /// Runs: New-DoltBackup | Sync-DoltBackup -ThrottleLimit 8 on a first (full) and a second (incremental) run, then
    /// Restore-DoltBackup -Prefix of every database (each Verified). Goals: incremental 1.5x, full 1.2x, restore 1.3x.
    ///
    /// Seconds are the modelled server time (deterministic) plus the measured client time (best of 3; noisy on a shared
    /// machine: fsync of the manifest and of new ownership markers is most of it). 40 databases, defaults:
    ///                       round trips/db      server s (bare)          client s     ratio
    ///   before (9b55a26: a pooled open, reset and USE per engine call, three state queries, a listing per database,
    ///           every marker rewritten, a manifest write per database)
    ///   full New+Sync        17.15              1.406 (0.80)            0.6 - 0.9    2.5 - 2.8
    ///   incremental          14.15              0.786 (0.30)            0.6 - 1.1    4.6 - 6.2
    ///   restore -Prefix       7.05              2.442 (2.20)            0.01 - 0.09  1.11 - 1.15
    ///   after
    ///   full New+Sync         3.15              0.846 (0.80)            0.04 - 0.3   1.11 - 1.42
    ///   incremental           2.15              0.306 (0.30)            0.01 - 0.07  1.05 - 1.24
    ///   restore -Prefix       2.05              2.242 (2.20)            0.002        1.02
    /// With round trips alone (5 ms each, no server work: args 40 5 0 0 0) the ratios are the round-trip ratios: before
    /// 8.5 / 7.0 / 6.9, after 1.56 / 1.06 / 2.0 (New's dolt_backup('add') and the restore's read-back are the extra ones).
    /// Usage: server-roundtrips [databases=40] [roundTripMs=1] [incrementalSyncMs=5.5] [fullSyncMs=18] [restoreMs=54]
    /// </summary>
    public sealed class ServerRoundTripBenchmark : IBenchmark
    {
        public string Name => "server-roundtrips";

        public string Description => "New|Sync (full, incremental) and Restore -Prefix of 40 databases over a round-trip-charging fake server vs the bare USE+CALL loop (goals 1.2x, 1.5x, 1.3x)";

        public int Run(IReadOnlyList<string> args)
        {
            int databases = Arg(args, 0, 40);
            double rtMs = Arg(args, 1, 1.0);
            double incMs = Arg(args, 2, 5.5);
            double fullMs = Arg(args, 3, 18.0);
            double restoreMs = Arg(args, 4, 54.0);
            string root = ImportBenchmark.FindRoot();
            string temp = Path.Combine(Path.GetTempPath(), "doltbackup-rt-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var servers = new Dictionary<string, FakeDoltSqlServer>(StringComparer.OrdinalIgnoreCase);
            DoltEngineFactory.TestHook = request => request.Server != null && servers.TryGetValue(request.Server.Host, out var s) ? new SqlDoltEngine(s) : null;
            try
            {
                using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                runspace.Open();
                Invoke(runspace, "Import-Module -Name $args[0] -ErrorAction Stop", Path.Combine(root, "DoltBackup.psd1"));

                FakeDoltSqlServer NewServer(string host, int n)
                {
                    var s = new FakeDoltSqlServer
                    {
                        RoundTripLatency = TimeSpan.FromMilliseconds(rtMs), IncrementalSyncWork = TimeSpan.FromMilliseconds(incMs),
                        FullSyncWork = TimeSpan.FromMilliseconds(fullMs), RestoreWork = TimeSpan.FromMilliseconds(restoreMs),
                    };
                    for (int i = 0; i < n; i++)
                    {
                        s.AddDatabase("db" + i.ToString("D3", CultureInfo.InvariantCulture), "dev").Tags["v1"] = FakeDoltEngine.Hash("v1-" + i);
                    }
                    servers[host] = s;
                    return s;
                }

                // Warm-up (JIT, first-use costs), not measured.
                var warm = NewServer("warm", 4);
                Invoke(runspace, "New-DoltBackup -Server warm -Destination $args[0] | Sync-DoltBackup -ThrottleLimit 8 | Out-Null", Path.Combine(temp, "warm"));
                Invoke(runspace, "Restore-DoltBackup -Path $args[0] -Prefix r_ -Server warm -Confirm:$false | Out-Null", Path.Combine(temp, "warm"));

                // Each run three times, the best client time kept: the test machine is shared and its timings are noisy.
                const int Repeats = 3;
                const string pipeline = "New-DoltBackup -Server $args[1] -Destination $args[0] | Sync-DoltBackup -ThrottleLimit 8";
                string dest = null;
                FakeDoltSqlServer server = null;
                var full = Best(Repeats, r =>
                {
                    server = NewServer("bench" + r, databases);
                    dest = Path.Combine(temp, "dest" + r);
                    return Measure(server, () => Check(Invoke(runspace, pipeline, dest, "bench" + (r))));
                });
                string host = servers.First(kv => kv.Value == server).Key;
                var newOnly = Best(Repeats, _ => Measure(server, () => Invoke(runspace, "New-DoltBackup -Server $args[1] -Destination $args[0] | Out-Null", dest, host)));
                var syncOnly = Best(Repeats, _ => Measure(server, () => Check(Invoke(runspace, "Sync-DoltBackup -Path $args[0] -Server $args[1] -ThrottleLimit 8", dest, host))));
                var incremental = Best(Repeats, _ => Measure(server, () => Check(Invoke(runspace, pipeline, dest, host))));
                var restore = Best(Repeats, r => Measure(server, () =>
                {
                    var results = Invoke(runspace, "Restore-DoltBackup -Path $args[0] -Prefix $args[2] -Server $args[1] -Confirm:$false", dest, host, "r" + r + "_");
                    int verified = results.Select(x => x.BaseObject).OfType<DoltBackup.Restore.DatabaseRestoreResult>()
                        .Count(x => x.Verification == DoltBackup.Restore.VerificationOutcome.Verified);
                    if (verified != databases)
                    {
                        throw new InvalidOperationException($"Only {verified} of {databases} restored databases were Verified.");
                    }
                }));
                void Check(System.Collections.ObjectModel.Collection<PSObject> output)
                {
                    var manifest = (BackupManifest)output.Single().BaseObject;
                    if (manifest.Status != BackupStatus.Completed || manifest.Databases.Count != databases)
                    {
                        throw new InvalidOperationException($"The sync did not complete: {manifest.Status}, {manifest.Databases.Count} databases.");
                    }
                }

                // The bare loops, in one session, on a server of their own with the same costs.
                var bare = NewServer("bare", databases);
                var names = bare.Databases.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
                foreach (var n in names)
                {
                    bare.Databases[n].Backups["nightly"] = "file:///bare/" + n;
                }
                var bareFull = Measure(bare, () => BareSync(bare, names));
                var bareIncremental = Measure(bare, () => BareSync(bare, names));
                var bareRestore = Measure(bare, () => BareRestore(bare, names));

                Console.WriteLine($"databases: {databases}; per round trip {rtMs} ms; sync work incremental {incMs} ms, full {fullMs} ms; restore work {restoreMs} ms");
                Console.WriteLine("seconds = modelled server time (every command's cost, one at a time) + measured client time");
                Console.WriteLine($"{"run",-22}{"round trips/db",15}{"conns",6}{"server s",9}{"client s",9}{"seconds",8}{"bare s",8}{"bare rt/db",11}{"ratio",7}{"goal",6}");
                bool ok = true;
                ok &= Report("full New+Sync", full, bareFull, databases, 1.2);
                ok &= Report("incremental New+Sync", incremental, bareIncremental, databases, 1.5);
                Report("  New alone", newOnly, bareIncremental, databases, double.NaN);
                Report("  Sync alone", syncOnly, bareIncremental, databases, double.NaN);
                ok &= Report("restore -Prefix", restore, bareRestore, databases, 1.3);
                Console.WriteLine($"ratio: {incremental.Seconds / bareIncremental.Seconds:F2} (goal: <= 1.5 incremental, <= 1.2 full, <= 1.3 restore)");
                return ok ? 0 : 1;
            }
            finally
            {
                DoltEngineFactory.TestHook = null;
                try
                {
                    Directory.Delete(temp, true);
                }
                catch (IOException)
                {
                }
            }
        }

        /// <summary>One run: the modelled server time plus the measured client time (the fake answers at once).</summary>
        private readonly struct Sample
        {
            public Sample(double server, double client, long roundTrips, long connections)
            {
                Server = server;
                Client = client;
                RoundTrips = roundTrips;
                Connections = connections;
            }

            public double Server { get; }
            public double Client { get; }
            public double Seconds => Server + Client;
            public long RoundTrips { get; }
            public long Connections { get; }
        }

        private static Sample Measure(FakeDoltSqlServer server, Action run)
        {
            server.ResetCounters();
            var sw = Stopwatch.StartNew();
            run();
            sw.Stop();
            return new Sample(server.ServerTime.TotalSeconds, sw.Elapsed.TotalSeconds, server.RoundTrips, server.ConnectionsOpened);
        }

        private static bool Report(string what, Sample module, Sample bare, int databases, double goal)
        {
            double ratio = module.Seconds / bare.Seconds;
            Console.WriteLine($"{what,-22}{module.RoundTrips / (double)databases,15:F2}{module.Connections,6}{module.Server,9:F3}{module.Client,9:F3}{module.Seconds,8:F3}{bare.Seconds,8:F3}{bare.RoundTrips / (double)databases,11:F2}"
                + (double.IsNaN(goal) ? "" : $"{ratio,7:F2}{goal,6:F1}"));
            return double.IsNaN(goal) || ratio <= goal;
        }

        /// <summary>What a DBA types: one session, USE and CALL per database.</summary>
        private static void BareSync(FakeDoltSqlServer server, IEnumerable<string> names)
        {
            using var session = server.OpenAsync(null, default).GetAwaiter().GetResult();
            foreach (var n in names)
            {
                session.ExecuteAsync("USE " + SqlDoltEngine.QuoteIdentifier(n), Array.Empty<SqlParameterValue>(), default).GetAwaiter().GetResult();
                session.ExecuteAsync("CALL dolt_backup('sync', @name)", new[] { new SqlParameterValue("@name", "nightly") }, default).GetAwaiter().GetResult();
            }
        }

        private static void BareRestore(FakeDoltSqlServer server, IEnumerable<string> names)
        {
            using var session = server.OpenAsync(null, default).GetAwaiter().GetResult();
            foreach (var n in names)
            {
                session.ExecuteAsync("CALL dolt_backup('restore', @url, @name)", new[] { new SqlParameterValue("@url", "file:///bare/" + n), new SqlParameterValue("@name", "r_" + n) }, default)
                    .GetAwaiter().GetResult();
            }
        }

        private static Sample Best(int repeats, Func<int, Sample> run)
            => Enumerable.Range(0, repeats).Select(run).OrderBy(x => x.Client).First();

        private static T Arg<T>(IReadOnlyList<string> args, int i, T fallback)
            => args.Count > i ? (T)Convert.ChangeType(args[i], typeof(T), CultureInfo.InvariantCulture) : fallback;

        private static System.Collections.ObjectModel.Collection<PSObject> Invoke(Runspace runspace, string script, params object[] args)
            => SyncThrottleBenchmark.Invoke(runspace, script, args);
    }
}
