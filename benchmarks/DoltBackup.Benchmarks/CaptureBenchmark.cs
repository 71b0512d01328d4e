using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using DoltBackup.Capture;
using DoltBackup.Manifest;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Configuration capture reads every file once and hashes it while copying (HashedCopy). Compared with what it
    /// replaces, a plain File.Copy (kernel copy), an fsync, and a second read to hash the copy, on the same large file; the median of N
    /// runs each. Also times a whole ServerFileCapture of the real server fixture (../shared/fixtures/dolt-server).
    /// Goal: hash-while-copy no slower than copy-then-hash (ratio &lt;= 1.0, some noise allowed: &lt;= 1.10).
    /// </summary>
    public sealed class CaptureBenchmark : IBenchmark
    {
        public string Name => "capture";

        public string Description => "hash-while-copy (atomic, one read) vs File.Copy + hash of the copy (goal ratio <= 1.10)";

        public int Run(IReadOnlyList<string> args)
        {
            int samples = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 7;
            int megabytes = args.Count > 1 && int.TryParse(args[1], out var m) ? m : 64;
            string dir = Path.Combine(Path.GetTempPath(), "doltbackup-capture-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            try
            {
                string source = Path.Combine(dir, "source.bin");
                var data = new byte[megabytes * 1024 * 1024];
                new Random(42).NextBytes(data);
                File.WriteAllBytes(source, data);

                var hashed = new List<double>();
                var plain = new List<double>();
                for (int i = 0; i < samples; i++)
                {
                    string a = Path.Combine(dir, "a.bin"), b = Path.Combine(dir, "b.bin");
                    var sw = Stopwatch.StartNew();
                    File.Copy(source, b, overwrite: true);
                    using (var f = new FileStream(b, FileMode.Open, FileAccess.ReadWrite))
                    {
                        f.Flush(true); // the same durability as HashedCopy, which fsyncs before its rename
                    }
                    using (var s = File.OpenRead(b))
                    using (var sha = SHA256.Create())
                    {
                        sha.ComputeHash(s);
                    }
                    plain.Add(sw.Elapsed.TotalMilliseconds);

                    sw.Restart();
                    HashedCopy.CopyFile(source, a, ownerOnly: false);
                    hashed.Add(sw.Elapsed.TotalMilliseconds);
                }
                double h = Median(hashed), p = Median(plain);
                Console.WriteLine($"file: {megabytes} MiB, samples: {samples}");
                Console.WriteLine($"File.Copy + fsync + SHA-256 of the copy: median {p:F1} ms ({megabytes / (p / 1000):F0} MiB/s)");
                Console.WriteLine($"HashedCopy (one read, fsync, rename):     median {h:F1} ms ({megabytes / (h / 1000):F0} MiB/s)");

                string fixture = FindFixture();
                if (fixture != null)
                {
                    var times = new List<double>();
                    for (int i = 0; i < samples; i++)
                    {
                        var manifest = new BackupManifest { Name = "bench", Destination = new BackupDestination { BackupFolder = Path.Combine(dir, "backup" + i) } };
                        var sw = Stopwatch.StartNew();
                        new ServerFileCapture(new FixedActivity()).CaptureInto(manifest, new CaptureOptions
                        {
                            ConfigPath = Path.Combine(fixture, "data", "config.yaml"),
                            GlobalConfigDir = Path.Combine(fixture, "home", ".dolt"),
                            ServerRunning = false,
                        });
                        times.Add(sw.Elapsed.TotalMilliseconds);
                        if (i == 0)
                        {
                            Console.WriteLine($"server fixture capture: {manifest.Artifacts.Count} files, {manifest.Omitted.Count} omitted");
                        }
                    }
                    Console.WriteLine($"server fixture capture: median {Median(times):F1} ms (first run {times[0]:F1} ms, includes JIT and YAML load)");
                }
                double ratio = h / p;
                Console.WriteLine($"ratio: {ratio:F2} (goal: <= 1.10)");
                return ratio <= 1.10 ? 0 : 1;
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }

        private static string FindFixture()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "DoltBackup.sln")))
            {
                d = d.Parent;
            }
            if (d == null)
            {
                return null;
            }
            string path = Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "fixtures", "dolt-server", "srv-dolt"));
            return Directory.Exists(path) ? path : null;
        }

        private sealed class FixedActivity : IServerActivityProbe
        {
            public bool IsInUse(string dataDir) => false;
        }
    }
}
