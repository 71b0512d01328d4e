using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using DoltBackup.Catalog;
using DoltBackup.Manifest;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Lists a generated backup root of 5,000 sets (realistic manifests: 3 databases with branches and tags, 6
    /// captured files) with BackupCatalog.ListRoot, and compares it with the least any listing must do: enumerate the
    /// set folders and read every manifest.json's bytes, with the same parallelism. The ratio is therefore the price
    /// of parsing, checking and sorting on top of the unavoidable I/O. Warm page cache, median of N runs.
    /// Goal: ratio at most 8 and 5,000 sets in at most 1 s. Why 8: a listing must return every manifest as an object,
    /// and merely deserializing 5 KB of JSON into an object graph that is kept (the "parse, results kept" line)
    /// already costs 4-6x reading the cached bytes on this machine; the catalog may add I/O and sorting, not more.
    /// Also printed, for context: parsing alone, one thread, the old per-folder path (ManifestStore.Read,
    /// sequential), and Get-DoltBackup end to end in a hosted runspace.
    /// </summary>
    public sealed class CatalogBenchmark : IBenchmark
    {
        public string Name => "catalog";

        public string Description => "List 5,000 backup sets: time per set vs reading every manifest.json's bytes (goal <= 8x, <= 1 s)";

        public int Run(IReadOnlyList<string> args)
        {
            int sets = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 5000;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 7;
            string root = Path.Combine(Path.GetTempPath(), "doltbackup-catalog-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var sw = Stopwatch.StartNew();
                long bytes = Generate(root, sets);
                Console.WriteLine($"generated {sets} sets ({bytes / 1024.0 / 1024.0:F1} MiB of manifests) in {sw.Elapsed.TotalSeconds:F1} s under {root}");
                Console.WriteLine($"cores: {Environment.ProcessorCount}; runs: {runs} (median), page cache warm");

                double baseline = Median(runs, () => ReadAllBytes(root));
                double catalog = Median(runs, () =>
                {
                    var listing = BackupCatalog.ListRoot(root);
                    if (listing.Sets.Count != sets || listing.Problems.Count != 0)
                    {
                        throw new InvalidOperationException($"listed {listing.Sets.Count} sets, {listing.Problems.Count} problems");
                    }
                });
                var inMemory = Directory.GetDirectories(root).Select(d => File.ReadAllBytes(Path.Combine(d, BackupManifest.FileName))).ToArray();
                double parseOnly = Median(runs, () =>
                {
                    foreach (var b in inMemory)
                    {
                        ManifestFileReader.Parse(b, null);
                    }
                });
                double parseKept = Median(runs, () =>
                {
                    var kept = new BackupManifest[inMemory.Length];
                    for (int i = 0; i < inMemory.Length; i++)
                    {
                        kept[i] = ManifestFileReader.Parse(inMemory[i], null);
                    }
                });
                double oneThread = Median(runs, () => BackupCatalog.ListRoot(root, maxDegreeOfParallelism: 1));
                var listed = BackupCatalog.ListRoot(root).Sets;
                int toDelete = 0;
                double plan = Median(runs, () =>
                {
                    var p = DoltBackup.Retention.RetentionPlanner.Plan(listed, new DoltBackup.Retention.RetentionPolicy { KeepLast = 30, OlderThan = TimeSpan.FromDays(30) }, DateTime.UtcNow);
                    var remaining = new DoltBackup.Retention.RemainingSets(listed);
                    var remover = new DoltBackup.Retention.BackupSetRemover(null, null, false);
                    toDelete = 0;
                    foreach (var d in p.ToDelete)
                    {
                        remover.Preview(d, remaining);
                        remaining.Remove(d.Set);
                        toDelete++;
                    }
                });
                double perFolder = Median(Math.Min(runs, 3), () =>
                {
                    foreach (var dir in Directory.GetDirectories(root))
                    {
                        ManifestStore.Read(dir);
                    }
                });
                double cmdlet = MedianCmdlet(root, Math.Min(runs, 3), sets);

                Console.WriteLine($"read bytes only (baseline):         {baseline,8:F1} ms  {baseline * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"BackupCatalog.ListRoot:             {catalog,8:F1} ms  {catalog * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"parse only, bytes in memory, seq:   {parseOnly,8:F1} ms  {parseOnly * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"parse, results kept, seq:           {parseKept,8:F1} ms  {parseKept * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"BackupCatalog.ListRoot, 1 thread:   {oneThread,8:F1} ms  {oneThread * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"retention plan + -WhatIf previews:  {plan,8:F1} ms  {plan * 1000 / sets,7:F1} us/set ({toDelete} of {sets} would go)");
                Console.WriteLine($"ManifestStore.Read per folder, seq: {perFolder,8:F1} ms  {perFolder * 1000 / sets,7:F1} us/set");
                Console.WriteLine($"Get-DoltBackup -Path root (hosted): {cmdlet,8:F1} ms  {cmdlet * 1000 / sets,7:F1} us/set");
                double ratio = catalog / baseline;
                Console.WriteLine($"5,000 sets would take {catalog * 5000 / sets:F0} ms (goal: <= 1000 ms)");
                Console.WriteLine($"ratio: {ratio:F2} (goal: <= 8.00)");
                return ratio <= 8.0 && catalog * 5000 / sets <= 1000 ? 0 : 1;
            }
            finally
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        private static void ReadAllBytes(string root)
        {
            var folders = Directory.GetDirectories(root);
            long total = 0;
            Parallel.For(0, folders.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var b = File.ReadAllBytes(Path.Combine(folders[i], BackupManifest.FileName));
                System.Threading.Interlocked.Add(ref total, b.Length);
            });
            if (total == 0)
            {
                throw new InvalidOperationException("nothing read");
            }
        }

        private static double MedianCmdlet(string root, int runs, int expected)
        {
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = runspace;
                ps.AddCommand("Import-Module").AddParameter("Name", Path.Combine(ImportBenchmark.FindRoot(), "DoltBackup.psd1")).AddParameter("ErrorAction", "Stop").Invoke();
            }
            return Median(runs, () =>
            {
                using var ps = PowerShell.Create();
                ps.Runspace = runspace;
                int count = ps.AddCommand("Get-DoltBackup").AddParameter("Path", root).Invoke().Count;
                if (count != expected)
                {
                    throw new InvalidOperationException($"Get-DoltBackup returned {count}");
                }
            });
        }

        private static double Median(int runs, Action action)
        {
            action(); // warm-up: page cache, JIT
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }

        private static long Generate(string root, int count)
        {
            Directory.CreateDirectory(root);
            var now = DateTime.UtcNow;
            var statuses = new[] { ItemStatus.Completed, ItemStatus.Completed, ItemStatus.Completed, ItemStatus.Failed };
            long bytes = 0;
            for (int i = 0; i < count; i++)
            {
                var t = now.AddHours(-i);
                string name = i % 2 == 0 ? "prod" : "staging";
                var m = new BackupManifest
                {
                    Id = BackupId.Create(name, t),
                    Name = name,
                    Method = BackupMethod.DoltBackup,
                    CreatedUtc = t,
                    CompletedUtc = t.AddMinutes(4),
                    Source = new BackupSource { Server = "db1.example", Port = 3306, DataDir = "/var/lib/dolt", DoltVersion = "2.3.1" },
                    Destination = new BackupDestination { BaseUrl = "file:///srv/dolt-backups/" + name, Versioned = true, BackupFolder = Path.Combine(root, BackupId.Create(name, t)) },
                };
                for (int d = 0; d < 3; d++)
                {
                    var db = new DatabaseBackupItem
                    {
                        Name = "db" + d,
                        Url = $"file:///srv/dolt-backups/{name}/{BackupId.Label(t)}/db{d}",
                        BackupName = name,
                        Status = statuses[(i + d) % statuses.Length],
                        WorkingSetHash = new string('a', 32),
                        StartedUtc = t,
                        CompletedUtc = t.AddMinutes(1),
                        DurationMs = 60000,
                        Bytes = 1L << 30,
                    };
                    for (int br = 0; br < 4; br++)
                    {
                        db.Branches.Add(new RefHead { Name = "branch" + br, Hash = new string((char)('a' + br), 32) });
                    }
                    db.Tags.Add(new RefHead { Name = "v1", Hash = new string('v', 32) });
                    m.Databases.Add(db);
                }
                foreach (var kind in new[] { "ServerConfig", "GlobalConfig", "RepoState", "DatabaseConfig", "PrivilegeFile", "GrantsScript" })
                {
                    m.Artifacts.Add(new BackupArtifact { Kind = kind, OriginalPath = "/var/lib/dolt/" + kind, StoredPath = "files/" + kind, Size = 2048, Sha256 = new string('0', 64), Mode = "0600" });
                }
                bytes += new FileInfo(ManifestStore.Write(m)).Length;
            }
            return bytes;
        }
    }
}
