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
    /// median of N runs. Goal: at least 0.8x tar's throughput. Quick mode (the default, 64 MiB) takes well under a
    /// minute; give the size in MiB and the number of runs to change it, and a memory budget in KiB to measure the
    /// streaming re-hash of table files larger than it.
    /// </summary>
    public sealed class DeepArchiveBenchmark : IBenchmark
    {
        public string Name => "verify-archive";

        public string Description => "Test-DoltBackup -Deep on a FileCopy .tar.gz vs tar -xzf -O > /dev/null (goal >= 0.8x throughput)";

        public int Run(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 && long.TryParse(args[0], out var m) ? m : 64;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            // Optional: the in-memory budget in KiB; below the table files' size (here size/16) they are re-hashed as they stream by.
            int budget = args.Count > 2 && int.TryParse(args[2], out var k) ? k << 10 : new VerificationOptions().ArchiveMemoryLimit;
            using var data = new SyntheticDataDir(mib << 20);
            var manifest = data.BackUp(FileCopyFormat.TarGzip);
            string folder = manifest.BackupFolder;
            string archive = Path.Combine(folder, FileCopyLayout.TarGzipFile);
            long tarBytes = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).Sum(a => a.Size);
            Console.WriteLine($"archive: {data.Files} files, {tarBytes / 1048576.0:F0} MiB of data, {new FileInfo(archive).Length / 1048576.0:F0} MiB compressed");

            var ours = new List<double>();
            var baseline = new List<double>();
            var inflateOnly = new List<double>();
            var tarCpu = new List<double>();
            var ourCpu = new List<double>();
            for (int i = 0; i <= runs; i++)
            {
                double tc = 0;
                double t = BenchmarkProcess.Time(() => tc = TarCpuSeconds(folder, archive));
                List<VerificationResult> results = null;
                var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                double o = BenchmarkProcess.Time(() => results = BackupVerifier.VerifyManifest(ManifestStore.Read(folder), new VerificationOptions { Deep = true, ArchiveMemoryLimit = budget }));
                double oc = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                int failed = results.Count(x => x.Status == VerificationStatus.Failed || x.Status == VerificationStatus.Skipped);
                int chunks = results.Count(x => x.Check == "TableFile.Chunks" && x.Status == VerificationStatus.Passed);
                if (failed > 0 || chunks == 0)
                {
                    Console.WriteLine("verification did not pass: " + string.Join("; ", results.Where(x => x.Status != VerificationStatus.Passed && x.Status != VerificationStatus.Info).Take(3)));
                    return 1;
                }
                double f = BenchmarkProcess.Time(() => InflateAndReadTar(archive));
                if (i > 0)
                {
                    baseline.Add(t);
                    ours.Add(o);
                    inflateOnly.Add(f);
                    tarCpu.Add(tc);
                    ourCpu.Add(oc);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: tar -xzf -O {t:F2} s ({tc:F2} s CPU), Test-DoltBackup -Deep {o:F2} s ({oc:F2} s CPU, {chunks} table files re-hashed), .NET inflate + tar read only {f:F2} s");
            }
            double b = BenchmarkProcess.Median(baseline), ourMed = BenchmarkProcess.Median(ours);
            double mb = tarBytes / 1048576.0;
            Console.WriteLine($"tar -xzf -O > /dev/null:   median {b:F2} s, {mb / b:F0} MiB/s");
            Console.WriteLine($"Test-DoltBackup -Deep:     median {ourMed:F2} s, {mb / ourMed:F0} MiB/s");
            double fl = BenchmarkProcess.Median(inflateOnly);
            Console.WriteLine($".NET inflate + tar only:   median {fl:F2} s, {mb / fl:F0} MiB/s (the floor of any single pass; the rest is SHA-256 per file, CRC-32C, snappy and SHA-512 per chunk)");
            Console.WriteLine($"CPU time: tar + gzip {BenchmarkProcess.Median(tarCpu):F2} s, Test-DoltBackup -Deep {BenchmarkProcess.Median(ourCpu):F2} s (less sensitive to a loaded machine than wall time)");
            double ratio = b / ourMed;
            Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.80)");
            return ratio >= 0.8 ? 0 : 1;
        }

        /// <summary>Runs tar -xzf -O &gt; /dev/null; returns the CPU seconds (user + system) of tar and gzip, from the shell's times.</summary>
        private static double TarCpuSeconds(string folder, string archive)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var a in new[] { "-c", "tar -xzf \"$0\" -O > /dev/null && times", archive })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = System.Diagnostics.Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("tar failed: " + err);
            }
            // times prints the shell's user/system times, then its children's: "0m1.234s 0m0.056s".
            var children = output.Trim().Split('\n').Last().Split(' ');
            return children.Sum(ParseShellTime);
        }

        private static double ParseShellTime(string text)
        {
            int m = text.IndexOf('m');
            return double.Parse(text.Substring(0, m), System.Globalization.CultureInfo.InvariantCulture) * 60
                + double.Parse(text.Substring(m + 1).TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>What a pass costs without any check: GZipStream inflate and the tar framing, data read and dropped.</summary>
        private static void InflateAndReadTar(string archive)
        {
            using var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
            var reader = new TarReader(gzip);
            var buffer = new byte[1 << 20];
            while (reader.Next() != null)
            {
                while (reader.ReadData(buffer, 0, buffer.Length) > 0)
                {
                }
            }
        }
    }
}
