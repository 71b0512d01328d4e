using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Test-DoltBackup's checks (artifact SHA-256 of every file plus the structure of every Dolt store) on a ~1 GB
    /// FileCopy tree backup, against `sha256sum` over the same files. Warm cache; median of N runs.
    /// Goal: at least 0.8x sha256sum's throughput.
    /// </summary>
    public sealed class VerifyBenchmark : IBenchmark
    {
        public string Name => "verify";

        public string Description => "Test-DoltBackup (structure + artifact SHA-256) vs sha256sum on a ~1 GB backup (goal >= 0.8x throughput)";

        public int Run(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 && long.TryParse(args[0], out var m) ? m : 1024;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            using var data = new SyntheticDataDir(mib << 20);
            var manifest = data.BackUp(FileCopyFormat.Tree);
            string folder = manifest.BackupFolder;
            var files = manifest.Artifacts.Select(a => a.StoredPath).ToList();
            long bytes = manifest.Artifacts.Sum(a => a.Size);
            Console.WriteLine($"backup: {files.Count} files, {bytes / 1048576.0:F0} MiB");

            var ours = new List<double>();
            var baseline = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                double s = BenchmarkProcess.TimeSeconds("sha256sum", folder, files);
                List<VerificationResult> results = null;
                double o = BenchmarkProcess.Time(() => results = BackupVerifier.VerifyPath(folder));
                int failed = results.Count(x => x.Status == VerificationStatus.Failed);
                int passed = results.Count(x => x.Status == VerificationStatus.Passed);
                if (failed > 0 || passed == 0)
                {
                    Console.WriteLine("verification did not pass: " + string.Join("; ", results.Where(x => x.Status == VerificationStatus.Failed).Take(3)));
                    return 1;
                }
                if (i > 0)
                {
                    baseline.Add(s);
                    ours.Add(o);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: sha256sum {s:F2} s, Test-DoltBackup checks {o:F2} s ({passed} passed)");
            }
            double b = BenchmarkProcess.Median(baseline), ourMed = BenchmarkProcess.Median(ours);
            double mb = bytes / 1048576.0;
            Console.WriteLine($"sha256sum:                 median {b:F2} s, {mb / b:F0} MiB/s");
            Console.WriteLine($"structure + artifact hash: median {ourMed:F2} s, {mb / ourMed:F0} MiB/s");
            double ratio = b / ourMed;
            Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.80)");
            return ratio >= 0.8 ? 0 : 1;
        }
    }
}
