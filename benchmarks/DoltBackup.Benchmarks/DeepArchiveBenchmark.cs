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
    /// Test-DoltBackup -Deep on a FileCopy set in its default format (datadir.tar.gz): one pass that inflates the
    /// archive, hashes every file (SHA-256) and checks every Dolt store inside it, each chunk decompressed and hashed
    /// (SHA-512), against `tar -xzf datadir.tar.gz -O &gt; /dev/null` (inflate only) of the same archive. Warm cache;
    /// median of N runs. Goal: at least 0.8x tar's throughput. Quick mode (the default, 128 MiB) takes well under a
    /// minute; give the size in MiB and the number of runs to change it.
    /// </summary>
    public sealed class DeepArchiveBenchmark : IBenchmark
    {
        public string Name => "verify-archive";

        public string Description => "Test-DoltBackup -Deep on a FileCopy .tar.gz vs tar -xzf -O > /dev/null (goal >= 0.8x throughput)";

        public int Run(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 && long.TryParse(args[0], out var m) ? m : 128;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            using var data = new SyntheticDataDir(mib << 20);
            string folder = Path.Combine(data.Root, "backup");
            var manifest = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = folder } };
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data.DataDir, Format = FileCopyFormat.TarGzip });
            ManifestStore.Write(manifest);
            string archive = Path.Combine(folder, FileCopyLayout.TarGzipFile);
            long tarBytes = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).Sum(a => a.Size);
            Console.WriteLine($"archive: {data.Files} files, {tarBytes / 1048576.0:F0} MiB of data, {new FileInfo(archive).Length / 1048576.0:F0} MiB compressed");

            var ours = new List<double>();
            var baseline = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                double t = BenchmarkProcess.TimeSeconds("sh", folder, new[] { "-c", "tar -xzf \"$0\" -O > /dev/null", archive });
                List<VerificationResult> results = null;
                double o = BenchmarkProcess.Time(() => results = BackupVerifier.VerifyManifest(ManifestStore.Read(folder), new VerificationOptions { Deep = true }));
                int failed = results.Count(x => x.Status == VerificationStatus.Failed || x.Status == VerificationStatus.Skipped);
                int chunks = results.Count(x => x.Check == "TableFile.Chunks" && x.Status == VerificationStatus.Passed);
                if (failed > 0 || chunks == 0)
                {
                    Console.WriteLine("verification did not pass: " + string.Join("; ", results.Where(x => x.Status != VerificationStatus.Passed && x.Status != VerificationStatus.Info).Take(3)));
                    return 1;
                }
                if (i > 0)
                {
                    baseline.Add(t);
                    ours.Add(o);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: tar -xzf -O {t:F2} s, Test-DoltBackup -Deep {o:F2} s ({chunks} table files re-hashed)");
            }
            double b = BenchmarkProcess.Median(baseline), ourMed = BenchmarkProcess.Median(ours);
            double mb = tarBytes / 1048576.0;
            Console.WriteLine($"tar -xzf -O > /dev/null:   median {b:F2} s, {mb / b:F0} MiB/s");
            Console.WriteLine($"Test-DoltBackup -Deep:     median {ourMed:F2} s, {mb / ourMed:F0} MiB/s");
            double ratio = b / ourMed;
            Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.80)");
            return ratio >= 0.8 ? 0 : 1;
        }
    }
}
