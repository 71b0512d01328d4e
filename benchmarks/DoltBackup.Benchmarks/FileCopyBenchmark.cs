using System;
using System.Collections.Generic;
using System.IO;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// A FileCopy backup (tar, with the SHA-256 of every file and of the archive, locks held) against `tar -cf` of the
    /// same ~1 GB generated data dir, written to the same file system and synced to disk as FileCopy does (fsync). Each is run once to warm the page cache, then
    /// the median of N runs is compared. Goal: our throughput at least 0.8x tar's.
    /// </summary>
    public sealed class FileCopyBenchmark : IBenchmark
    {
        public string Name => "filecopy";

        public string Description => "FileCopy backup (tar + SHA-256 of every file) vs tar -cf on a ~1 GB data dir (goal >= 0.8x throughput)";

        public int Run(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 && long.TryParse(args[0], out var m) ? m : 1024;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            using var data = new SyntheticDataDir(mib << 20);
            Console.WriteLine($"data dir: {data.Files} files, {data.Bytes / 1048576.0:F0} MiB");
            string outDir = Path.Combine(data.Root, "out");
            Directory.CreateDirectory(outDir);
            string tarFile = Path.Combine(outDir, "baseline.tar");

            var ours = new List<double>();
            var tar = new List<double>();
            var tarNoSync = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                File.Delete(tarFile);
                // Both sides make the archive durable: FileCopy fsyncs it, so the baseline is tar -cf then sync of the file.
                double t = BenchmarkProcess.TimeSeconds("sh", data.DataDir, new[] { "-c", "tar -cf \"$0\" . && sync \"$0\"", tarFile });
                File.Delete(tarFile);
                double plain = BenchmarkProcess.TimeSeconds("tar", data.DataDir, new[] { "-cf", tarFile, "." });
                string folder = Path.Combine(outDir, "set" + i);
                var manifest = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = folder } };
                double o = BenchmarkProcess.Time(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data.DataDir, Format = FileCopyFormat.Tar }));
                Directory.Delete(folder, true);
                if (i > 0)
                {
                    tar.Add(t);
                    tarNoSync.Add(plain);
                    ours.Add(o);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: tar -cf + sync {t:F2} s, tar -cf {plain:F2} s, FileCopy {o:F2} s");
            }
            double tarMed = BenchmarkProcess.Median(tar), oursMed = BenchmarkProcess.Median(ours);
            double mb = data.Bytes / 1048576.0;
            Console.WriteLine($"tar -cf + sync:       median {tarMed:F2} s, {mb / tarMed:F0} MiB/s");
            double plainMed = BenchmarkProcess.Median(tarNoSync);
            Console.WriteLine($"tar -cf (no sync):    median {plainMed:F2} s, {mb / plainMed:F0} MiB/s");
            Console.WriteLine($"FileCopy tar+SHA-256: median {oursMed:F2} s, {mb / oursMed:F0} MiB/s");
            Console.WriteLine($"against tar -cf without sync (FileCopy still fsyncs): {plainMed / oursMed:F2}");
            double ratio = tarMed / oursMed;
            Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.80)");
            return ratio >= 0.8 ? 0 : 1;
        }
    }
}
