using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// 200 databases through Sync-DoltBackup (hosted PowerShell, the real cmdlet and services) against the in-memory
    /// fake engine with a fixed latency L per sync, -ThrottleLimit 8. Goal: wall time at most 1.3 x (200/8) x L.
    /// Usage: sync-throttle [latencyMs=100] [databases=200] [throttle=8]
    /// </summary>
    public sealed class SyncThrottleBenchmark : IBenchmark
    {
        public string Name => "sync-throttle";

        public string Description => "Sync-DoltBackup of 200 databases, fake engine with latency L per sync, -ThrottleLimit 8 (goal <= 1.3 x (200/8) x L)";

        public int Run(IReadOnlyList<string> args)
        {
            int latencyMs = args.Count > 0 ? int.Parse(args[0]) : 100;
            int databases = args.Count > 1 ? int.Parse(args[1]) : 200;
            int throttle = args.Count > 2 ? int.Parse(args[2]) : 8;
            string root = ImportBenchmark.FindRoot();
            string temp = Path.Combine(Path.GetTempPath(), "doltbackup-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var engines = new Dictionary<string, FakeDoltEngine>(StringComparer.OrdinalIgnoreCase);
            DoltEngineFactory.TestHook = request => request.Server != null && engines.TryGetValue(request.Server.Host, out var e) ? new DoltBackup.Engine.NonOwningDoltEngine(e) : null;
            try
            {
                var iss = InitialSessionState.CreateDefault2();
                using var runspace = RunspaceFactory.CreateRunspace(iss);
                runspace.Open();
                Invoke(runspace, "Import-Module -Name $args[0] -ErrorAction Stop", Path.Combine(root, "DoltBackup.psd1"));

                // Warm-up (JIT, first-use costs) on a small set, not measured.
                Measure(runspace, engines, Path.Combine(temp, "warm"), 16, throttle, 5, out _);

                double seconds = Measure(runspace, engines, Path.Combine(temp, "run"), databases, throttle, latencyMs, out var fake);
                double serviceOnly = MeasureService(Path.Combine(temp, "service"), databases, throttle, latencyMs);
                double ideal = Math.Ceiling(databases / (double)throttle) * latencyMs / 1000.0;
                double ratio = seconds / ideal;
                Console.WriteLine($"databases: {databases}, -ThrottleLimit {throttle}, latency L = {latencyMs} ms per sync");
                Console.WriteLine($"syncs run: {fake.SyncsStarted}, most at once: {fake.MaxConcurrentSyncs}");
                Console.WriteLine($"ideal (ceil({databases}/{throttle}) x L): {ideal:F3} s");
                Console.WriteLine($"Sync-DoltBackup wall time:        {seconds:F3} s");
                Console.WriteLine($"BackupSyncService alone (no PowerShell): {serviceOnly:F3} s");
                Console.WriteLine($"ratio: {ratio:F2} (goal: <= 1.30)");
                return ratio <= 1.3 && fake.MaxConcurrentSyncs == throttle ? 0 : 1;
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

        private static double Measure(Runspace runspace, Dictionary<string, FakeDoltEngine> engines, string dest, int databases, int throttle, int latencyMs, out FakeDoltEngine fake)
        {
            fake = new FakeDoltEngine();
            for (int i = 0; i < databases; i++)
            {
                fake.AddDatabase("db" + i.ToString("D4"), "dev");
            }
            string host = "bench-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            engines[host] = fake;
            Invoke(runspace, "New-DoltBackup -Server $args[0] -Destination $args[1] | Out-Null", host, dest);
            fake.SyncLatency = TimeSpan.FromMilliseconds(latencyMs);
            var sw = Stopwatch.StartNew();
            var output = Invoke(runspace, "Sync-DoltBackup -Path $args[0] -Server $args[1] -ThrottleLimit $args[2]", dest, host, throttle);
            sw.Stop();
            var manifest = (BackupManifest)output.Single().BaseObject;
            if (manifest.Status != BackupStatus.Completed || manifest.Databases.Count != databases)
            {
                throw new InvalidOperationException($"The sync did not complete: {manifest.Status}, {manifest.Databases.Count} databases.");
            }
            return sw.Elapsed.TotalSeconds;
        }

        /// <summary>The same sync through the service directly, to show what the PowerShell layer costs.</summary>
        private static double MeasureService(string dest, int databases, int throttle, int latencyMs)
        {
            var fake = new FakeDoltEngine();
            var manifest = new BackupManifest { Id = "bench", Name = "doltbackup", Destination = new BackupDestination { BackupFolder = dest } };
            for (int i = 0; i < databases; i++)
            {
                string db = "db" + i.ToString("D4");
                fake.AddDatabase(db, "dev");
                string url = DoltBackup.Backup.BackupUrls.ToFileUrl(Path.Combine(dest, db));
                fake.AddBackupAsync(db, "doltbackup", url, default).GetAwaiter().GetResult();
                manifest.Databases.Add(new DatabaseBackupItem { Name = db, BackupName = "doltbackup", Url = url, Status = ItemStatus.Configured });
                // As New-DoltBackup leaves it: the store claimed by its marker.
                DoltBackup.Backup.OwnershipMarkerStore.Claim(Path.Combine(dest, db), new DoltBackup.Backup.OwnershipMarker { Database = db, BackupName = "doltbackup" });
            }
            fake.SyncLatency = TimeSpan.FromMilliseconds(latencyMs);
            var sw = Stopwatch.StartNew();
            new DoltBackup.Backup.BackupSyncService(fake).SyncAsync(manifest, new DoltBackup.Backup.SyncOptions { ThrottleLimit = throttle }, null, default).GetAwaiter().GetResult();
            sw.Stop();
            if (manifest.Status != BackupStatus.Completed)
            {
                throw new InvalidOperationException("The service sync did not complete: " + manifest.Status);
            }
            return sw.Elapsed.TotalSeconds;
        }

        /// <summary>Runs a script in the runspace; any error record fails the benchmark.</summary>
        internal static System.Collections.ObjectModel.Collection<PSObject> Invoke(Runspace runspace, string script, params object[] args)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(script);
            foreach (var a in args)
            {
                ps.AddArgument(a);
            }
            var result = ps.Invoke();
            if (ps.Streams.Error.Count > 0)
            {
                throw new InvalidOperationException("The benchmark script failed: " + ps.Streams.Error[0]);
            }
            return result;
        }
    }
}
