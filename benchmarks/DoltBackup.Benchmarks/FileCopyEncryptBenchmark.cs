using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// FileCopy of an encrypted set (the archive written through the CMS AES-256-GCM encryptor, one pass) against FileCopy
    /// of the same generated data dir without encryption, same format, same disk, alternating runs, median of N after a
    /// warm-up. Also samples the managed heap during the encrypted runs: it must stay flat, whatever the archive size.
    /// Goal: encrypted throughput at least 0.7x. Args: [MiB, default 1024 | quick = 128 MiB, 1 run] [runs, default 3]
    /// [format: TarGzip (default, as Sync-DoltBackup) or Tar]. Without compression the ratio is bound by AES-GCM in one stream
    /// (BouncyCastle, about 450 MiB/s here) against a page-cache copy.
    /// </summary>
    public sealed class FileCopyEncryptBenchmark : IBenchmark
    {
        public string Name => "filecopy-encrypt";

        public string Description => "FileCopy with encryption (certificate recipient) vs FileCopy without on the same data dir (goal >= 0.7x), peak managed heap";

        public int Run(IReadOnlyList<string> args)
        {
            bool quick = args.Count > 0 && args[0] == "quick";
            long mib = quick ? 128 : args.Count > 0 && long.TryParse(args[0], out var m) ? m : 1024;
            int runs = quick ? 1 : args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            var format = args.Count > 2 && Enum.TryParse<FileCopyFormat>(args[2], true, out var f) ? f : FileCopyFormat.TarGzip;
            using var data = new SyntheticDataDir(mib << 20);
            Console.WriteLine($"data dir: {data.Files} files, {data.Bytes / 1048576.0:F0} MiB; format {format}; BouncyCastle hardware AES: {Org.BouncyCastle.Crypto.AesUtilities.IsHardwareAccelerated}");
            string outDir = Path.Combine(data.Root, "out");
            Directory.CreateDirectory(outDir);

            using var rsa = RSA.Create(3072);
            var cert = new CertificateRequest("CN=bench", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var publicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);

            var plain = new List<double>();
            var encrypted = new List<double>();
            long peakHeap = 0;
            long archiveBytes = 0;
            for (int i = 0; i <= runs; i++)
            {
                string folder = Path.Combine(outDir, "plain" + i);
                var manifest = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = folder } };
                var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                double p = BenchmarkProcess.Time(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data.DataDir, Format = format }));
                var cpu1 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                Directory.Delete(folder, true);

                folder = Path.Combine(outDir, "enc" + i);
                var encManifest = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = folder } };
                SetEncryption.Record(encManifest, new EncryptionKeys(new[] { publicOnly }, null), hasDoltStores: false);
                GC.Collect();
                var cpuE = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                long baseline = GC.GetTotalMemory(true);
                long peak = baseline;
                using var done = new ManualResetEventSlim();
                var sampler = new Thread(() =>
                {
                    while (!done.Wait(5))
                    {
                        long now = GC.GetTotalMemory(false);
                        if (now > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, now);
                    }
                }) { IsBackground = true };
                sampler.Start();
                double e = BenchmarkProcess.Time(() => FileCopyBackup.Run(encManifest, new FileCopyOptions { DataDir = data.DataDir, Format = format }));
                done.Set();
                var cpu2 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                sampler.Join();
                var archive = encManifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
                archiveBytes = archive.Size;
                Directory.Delete(folder, true);
                if (i > 0 || runs == 0)
                {
                    plain.Add(p);
                    encrypted.Add(e);
                    peakHeap = Math.Max(peakHeap, peak - baseline);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: FileCopy {p:F2} s, FileCopy encrypted {e:F2} s; cpu {(cpu1-cpu0).TotalSeconds:F2} / {(cpu2-cpuE).TotalSeconds:F2} s");
            }
            double mb = data.Bytes / 1048576.0;
            double plainMed = BenchmarkProcess.Median(plain), encMed = BenchmarkProcess.Median(encrypted);
            Console.WriteLine($"FileCopy:           median {plainMed:F2} s, {mb / plainMed:F0} MiB/s");
            Console.WriteLine($"FileCopy encrypted: median {encMed:F2} s, {mb / encMed:F0} MiB/s");
            Console.WriteLine($"encrypted archive: {archiveBytes / 1048576.0:F0} MiB; managed heap growth during the encrypted copy: peak {peakHeap / 1048576.0:F1} MiB; process peak working set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
            double ratio = plainMed / encMed;
            Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.70)");
            return ratio >= 0.7 ? 0 : 1;
        }
    }
}
