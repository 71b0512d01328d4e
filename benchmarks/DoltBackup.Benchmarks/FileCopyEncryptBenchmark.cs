using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Verification;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Issue 13's goals for FileCopy sets, in one run on the same generated data dir, alternating, median of N after a
    /// warm-up: New-DoltBackup's FileCopy with encryption against without (goal 0.7x) and against `openssl cms -encrypt`
    /// of the same plaintext archive (0.8x); Restore-DoltBackup (the write-nothing check, then the unpack, as the cmdlet
    /// runs them) and Test-DoltBackup with the key against the same set without encryption (0.7x) and against
    /// `openssl cms -decrypt` of the same encrypted archive to a file (0.8x). For each encrypted step it samples the
    /// managed heap and the working set above what the process held before the step: give two sizes to see that they
    /// stay flat. Args: [quick = 64,256 MiB, 1 run | sizes in MiB, comma-separated, default 1024] [runs, default 3]
    /// [format: Tar (default) or TarGzip] [hash: both runs with FileCopyOptions.HashArchive, so the plain archive records
    /// its SHA-256 and the encrypted one its plaintext SHA-256; default off, as New-DoltBackup runs]. The variant that
    /// ran is printed with the results.
    /// </summary>
    public sealed class FileCopyEncryptBenchmark : IBenchmark
    {
        public string Name => "filecopy-encrypt";

        public string Description => "FileCopy backup/restore/test with encryption vs without (>= 0.7x) and vs openssl cms (>= 0.8x); peak memory per size";

        private sealed class Series
        {
            public readonly List<double> Plain = new List<double>();
            public readonly List<double> Encrypted = new List<double>();
            public readonly List<double> OpenSsl = new List<double>();
            public long PeakHeap;
            public long PeakWorkingSet;
        }

        public int Run(IReadOnlyList<string> args)
        {
            bool quick = args.Count > 0 && args[0] == "quick";
            bool memoryOnly = args.Count > 0 && args[0] == "memory";
            if (args.Count > 0 && args[0] == "steps")
            {
                return Steps(args.Skip(1).ToList());
            }
            if (memoryOnly)
            {
                // memory [sizes, default 128,1024] [format]: one encrypted backup, restore and test per size, no baselines.
                args = new[] { args.Count > 1 ? args[1] : "128,1024", "0", args.Count > 2 ? args[2] : "Tar" };
            }
            var sizes = quick ? new long[] { 64, 256 }
                : args.Count > 0 ? args[0].Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray() : new long[] { 1024 };
            int runs = quick ? 1 : args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            var format = args.Count > 2 && Enum.TryParse<FileCopyFormat>(args[2], true, out var f) ? f : FileCopyFormat.Tar;
            bool hashArchive = args.Count > 3 && args[3] == "hash";
            Console.WriteLine($"format {format}; {HashVariant(hashArchive)}; {runs} run(s) after a warm-up; {Environment.ProcessorCount} cores, load average {LoadAverage()}; BouncyCastle hardware AES: {Org.BouncyCastle.Crypto.AesUtilities.IsHardwareAccelerated}");

            using var rsa = RSA.Create(3072);
            var cert = new CertificateRequest("CN=bench", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.Exportable);
            var publicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);

            Profile();
            bool met = true;
            var memory = new List<string>();
            foreach (long mib in sizes)
            {
                met &= RunSize(mib, runs, format, hashArchive, cert, publicOnly, memory, memoryOnly);
            }
            Console.WriteLine("peak memory of the encrypted steps above the process before each step (managed heap / working set):");
            foreach (var line in memory)
            {
                Console.WriteLine("  " + line);
            }
            Console.WriteLine($"load average at the end: {LoadAverage()}");
            return met ? 0 : 1;
        }

        /// <summary>Which archive hashing ran (FileCopyOptions.HashArchive), for the results.</summary>
        private static string HashVariant(bool hashArchive) => hashArchive
            ? "HashArchive on: the plain archive's SHA-256 and the encrypted archive's plaintext SHA-256 recorded"
            : "HashArchive off (as New-DoltBackup runs): no archive SHA-256 for the plain set, no plaintext SHA-256 for the encrypted archive (its ciphertext SHA-256 only)";

        private static bool RunSize(long mib, int runs, FileCopyFormat format, bool hashArchive, X509Certificate2 cert, X509Certificate2 publicOnly, List<string> memory, bool memoryOnly)
        {
            using var data = new SyntheticDataDir(mib << 20);
            string work = Path.Combine(data.Root, "out");
            Directory.CreateDirectory(work);
            string certPem = Path.Combine(work, "c.pem"), keyPem = Path.Combine(work, "k.pem");
            File.WriteAllText(certPem, cert.ExportCertificatePem());
            File.WriteAllText(keyPem, cert.GetRSAPrivateKey().ExportPkcs8PrivateKeyPem());
            Console.WriteLine($"-- data dir: {data.Files} files, {data.Bytes / 1048576.0:F0} MiB");

            var backup = new Series();
            var restore = new Series();
            var test = new Series();
            for (int i = 0; i <= runs; i++)
            {
                bool counted = i > 0 || runs == 0;
                if (memoryOnly)
                {
                    string folder = Path.Combine(work, "enc" + i);
                    var set = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = folder } };
                    SetEncryption.Record(set, new EncryptionKeys(new[] { publicOnly }, null), hasDoltStores: false);
                    double b = Measured(backup, true, () => FileCopyBackup.Run(set, new FileCopyOptions { DataDir = data.DataDir, Format = format, HashArchive = hashArchive }));
                    set.SessionDecryptionKeys = new EncryptionKeys(new[] { cert }, null);
                    double rs = Measured(restore, true, () => Restore(set, Path.Combine(work, "restored-enc")));
                    double t = Measured(test, true, () => Verify(set, cert));
                    Console.WriteLine($"encrypted: backup {b:F2} s, restore {rs:F2} s, test {t:F2} s; archive {Archive(set).Size / 1048576.0:F0} MiB; load {LoadAverage()}");
                    memory.Add($"{data.Bytes / 1048576.0,6:F0} MiB: backup {backup.PeakHeap / 1048576.0:F1} / {backup.PeakWorkingSet / 1048576.0:F1} MiB; restore {restore.PeakHeap / 1048576.0:F1} / {restore.PeakWorkingSet / 1048576.0:F1} MiB; test {test.PeakHeap / 1048576.0:F1} / {test.PeakWorkingSet / 1048576.0:F1} MiB");
                    return true;
                }
                string plainFolder = Path.Combine(work, "plain" + i), encFolder = Path.Combine(work, "enc" + i);
                var plain = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = plainFolder } };
                // Before each timed step the earlier steps' writes are flushed (sync), so each pays for its own only.
                BenchmarkProcess.SettleDisk();
                var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                double bp = BenchmarkProcess.Time(() => FileCopyBackup.Run(plain, new FileCopyOptions { DataDir = data.DataDir, Format = format, HashArchive = hashArchive }));
                var cpu1 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                var enc = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = encFolder } };
                SetEncryption.Record(enc, new EncryptionKeys(new[] { publicOnly }, null), hasDoltStores: false);
                BenchmarkProcess.SettleDisk();
                var cpu2 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                double be = Measured(backup, counted, () => FileCopyBackup.Run(enc, new FileCopyOptions { DataDir = data.DataDir, Format = format, HashArchive = hashArchive }));
                var cpu3 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                string plainArchive = Path.Combine(plainFolder, Archive(plain).StoredPath);
                string encArchive = Path.Combine(encFolder, Archive(enc).StoredPath);
                BenchmarkProcess.SettleDisk();
                double bareOpenSsl = BenchmarkProcess.TimeSeconds("openssl", work, new[] { "cms", "-encrypt", "-binary", "-aes-256-gcm", "-stream", "-outform", "DER", "-in", plainArchive, "-out", Path.Combine(work, "openssl.p7m"), certPem });
                // The backup fsyncs its archive before it counts as written; openssl does not. For like against like,
                // openssl's time includes the fsync of its output (what a script does before it calls a backup done).
                double openSslSync = BenchmarkProcess.Time(() =>
                {
                    using (var written = new FileStream(Path.Combine(work, "openssl.p7m"), FileMode.Open, FileAccess.ReadWrite))
                    {
                        written.Flush(true);
                    }
                });
                double bo = bareOpenSsl + openSslSync;
                File.Delete(Path.Combine(work, "openssl.p7m"));

                // A restore writes and fsyncs the whole data dir, so the disk's state weighs on it: the order of the
                // plain and the encrypted restore alternates from run to run, so neither always comes second.
                enc.SessionDecryptionKeys = new EncryptionKeys(new[] { cert }, null);
                double rp = 0, re = 0;
                for (int order = 0; order < 2; order++)
                {
                    BenchmarkProcess.SettleDisk();
                    if ((order == 0) == (i % 2 == 0))
                    {
                        rp = BenchmarkProcess.Time(() => Restore(plain, Path.Combine(work, "restored-plain")));
                    }
                    else
                    {
                        re = Measured(restore, counted, () => Restore(enc, Path.Combine(work, "restored-enc")));
                    }
                }
                if (!SameTree(Path.Combine(work, "restored-plain"), Path.Combine(work, "restored-enc")))
                {
                    Console.WriteLine("the encrypted set restored to other files than the plain one: broken");
                    return false;
                }
                Directory.Delete(Path.Combine(work, "restored-plain"), true);
                Directory.Delete(Path.Combine(work, "restored-enc"), true);
                BenchmarkProcess.SettleDisk();
                double od = BenchmarkProcess.TimeSeconds("openssl", work, new[] { "cms", "-decrypt", "-binary", "-inform", "DER", "-in", encArchive, "-recip", certPem, "-inkey", keyPem, "-out", Path.Combine(work, "openssl.tar") });
                if (new FileInfo(Path.Combine(work, "openssl.tar")).Length != Archive(enc).PlaintextSize)
                {
                    Console.WriteLine("openssl decrypted the archive to another size: broken");
                    return false;
                }
                File.Delete(Path.Combine(work, "openssl.tar"));

                BenchmarkProcess.SettleDisk();
                double tp = BenchmarkProcess.Time(() => Verify(plain, null));
                BenchmarkProcess.SettleDisk();
                double te = Measured(test, counted, () => Verify(enc, cert));

                Directory.Delete(plainFolder, true);
                Directory.Delete(encFolder, true);
                if (counted)
                {
                    backup.Plain.Add(bp); backup.Encrypted.Add(be); backup.OpenSsl.Add(bo);
                    restore.Plain.Add(rp); restore.Encrypted.Add(re); restore.OpenSsl.Add(od);
                    test.Plain.Add(tp); test.Encrypted.Add(te); test.OpenSsl.Add(od);
                }
                Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: backup {bp:F2} / encrypted {be:F2} / openssl encrypt {bareOpenSsl:F2} + fsync {openSslSync:F2} s (CPU {(cpu1 - cpu0).TotalSeconds:F2} / {(cpu3 - cpu2).TotalSeconds:F2} s); restore {rp:F2} / {re:F2} s; test {tp:F2} / {te:F2} s; openssl decrypt {od:F2} s; load {LoadAverage()}");
            }
            double mb = data.Bytes / 1048576.0;
            bool met = true;
            Console.WriteLine($"{"",-8} {"plain",9} {"encrypted",10} {"openssl",9} {"vs plain",9} {"vs openssl",11}   (MiB/s of data dir, median; spread min-max of encrypted)");
            foreach (var (name, s) in new[] { ("backup", backup), ("restore", restore), ("test", test) })
            {
                double p = BenchmarkProcess.Median(s.Plain), e = BenchmarkProcess.Median(s.Encrypted), o = BenchmarkProcess.Median(s.OpenSsl);
                double vsPlain = p / e, vsTool = o / e;
                met &= vsPlain >= 0.7 && vsTool >= 0.8;
                Console.WriteLine($"{name,-8} {mb / p,9:F0} {mb / e,10:F0} {mb / o,9:F0} {vsPlain,9:F2} {vsTool,11:F2}   ({mb / s.Encrypted.Max():F0}-{mb / s.Encrypted.Min():F0})");
            }
            Console.WriteLine($"variant: {format}, {HashVariant(hashArchive)}");
            Console.WriteLine("goals: encrypted >= 0.70x plain, >= 0.80x openssl (backup against openssl cms -encrypt of the plain archive plus the fsync of its output, as the backup fsyncs; restore and test against openssl cms -decrypt to a file)");
            memory.Add($"{mb,6:F0} MiB: backup {backup.PeakHeap / 1048576.0:F1} / {backup.PeakWorkingSet / 1048576.0:F1} MiB; restore {restore.PeakHeap / 1048576.0:F1} / {restore.PeakWorkingSet / 1048576.0:F1} MiB; test {test.PeakHeap / 1048576.0:F1} / {test.PeakWorkingSet / 1048576.0:F1} MiB");
            return met;
        }

        /// <summary>
        /// steps [MiB, default 256] [repeat, default 3] [Tar|TarGzip] [gcm: Automatic|OpenSsl|Platform|BouncyCastle] [only: a word of the steps to time, or all] [hash: HashArchive on]:
        /// each step alone, repeated, with its wall time and process CPU (for profiling, e.g. under perf): backup
        /// plain and encrypted, restore, Test-DoltBackup without the key, with it, and with it and -Deep.
        /// </summary>
        private static int Steps(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 256;
            int repeat = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
            var format = args.Count > 2 && Enum.TryParse<FileCopyFormat>(args[2], true, out var f) ? f : FileCopyFormat.Tar;
            string only = args.Count > 4 && args[4] != "all" ? args[4] : null;
            bool hashArchive = args.Count > 5 && args[5] == "hash";
            using var preference = args.Count > 3 && args[3] != "Automatic" ? GcmCipher.Prefer((GcmImplementation)Enum.Parse(typeof(GcmImplementation), args[3], true)) : null;
            using var rsa = RSA.Create(3072);
            var cert = new CertificateRequest("CN=bench", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.Exportable);
            var publicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);
            using var data = new SyntheticDataDir(mib << 20);
            string work = Path.Combine(data.Root, "out");
            Console.WriteLine($"-- data dir: {data.Files} files, {data.Bytes / 1048576.0:F0} MiB, {format}; {HashVariant(hashArchive)}; AES-GCM: {(args.Count > 3 ? GcmCipher.Preferred : GcmCipher.Automatic)}; load {LoadAverage()}");
            var plain = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = Path.Combine(work, "plain") } };
            var enc = new BackupManifest { Id = "bench", Name = "bench", Destination = new BackupDestination { BackupFolder = Path.Combine(work, "enc") } };
            SetEncryption.Record(enc, new EncryptionKeys(new[] { publicOnly }, null), hasDoltStores: false);
            void Step(string name, Action setup, Action action)
            {
                bool needed = name.StartsWith("backup", StringComparison.Ordinal);
                for (int i = 0; i < (only == null || name.Split(' ').Contains(only) ? repeat : needed ? 1 : 0); i++)
                {
                    setup?.Invoke();
                    var p = System.Diagnostics.Process.GetCurrentProcess();
                    var cpu0 = p.TotalProcessorTime;
                    double t = BenchmarkProcess.Time(action);
                    p.Refresh();
                    double cpu = (p.TotalProcessorTime - cpu0).TotalSeconds;
                    Console.WriteLine($"{name,-22} {t,6:F2} s  {data.Bytes / 1048576.0 / t,6:F0} MiB/s  CPU {cpu,5:F2} s = {cpu * 1e6 / (data.Bytes / 1048576.0),5:F0} us/MiB  load {LoadAverage()}");
                }
            }
            void Clean(BackupManifest m)
            {
                if (Directory.Exists(m.Destination.BackupFolder)) Directory.Delete(m.Destination.BackupFolder, true);
                m.Artifacts.Clear();
            }
            Step("backup plain", () => Clean(plain), () => FileCopyBackup.Run(plain, new FileCopyOptions { DataDir = data.DataDir, Format = format, HashArchive = hashArchive }));
            Step("backup encrypted", () => Clean(enc), () => FileCopyBackup.Run(enc, new FileCopyOptions { DataDir = data.DataDir, Format = format, HashArchive = hashArchive }));
            enc.SessionDecryptionKeys = new EncryptionKeys(new[] { cert }, null);
            string restored = Path.Combine(work, "restored");
            Action cleanRestored = () => { if (Directory.Exists(restored)) Directory.Delete(restored, true); };
            Step("restore plain", cleanRestored, () => Restore(plain, restored));
            Step("restore encrypted", cleanRestored, () => Restore(enc, restored));
            cleanRestored();
            Step("test plain", null, () => Verify(plain, null));
            Step("test encrypted no key", null, () => Verify(enc, null));
            Step("test encrypted", null, () => Verify(enc, cert));
            Step("test plain -Deep", null, () => Verify(plain, null, deep: true));
            Step("test encrypted -Deep", null, () => Verify(enc, cert, deep: true));
            return 0;
        }

        /// <summary>
        /// Where the time goes: the CPU each step of an encrypted copy costs alone, per MiB (process CPU time, one thread
        /// busy, so the other helpers' load does not count): SHA-256 (done twice: each file, the archive's ciphertext; a
        /// third time, the archive's plaintext, only with HashArchive), AES-GCM (platform and BouncyCastle), writing and
        /// reading a file.
        /// </summary>
        private static void Profile()
        {
            const int mib = 64;
            var block = new byte[1 << 20];
            new Random(3).NextBytes(block);
            var output = new byte[(1 << 20) + 64];
            var key = new byte[32];
            var nonce = new byte[12];
            double Cpu(Action a)
            {
                var p = System.Diagnostics.Process.GetCurrentProcess();
                var t0 = p.TotalProcessorTime;
                a();
                p.Refresh();
                return (p.TotalProcessorTime - t0).TotalMilliseconds * 1000 / mib;
            }
            double Gcm(GcmImplementation implementation)
            {
                using var preference = GcmCipher.Prefer(implementation);
                try
                {
                    return Cpu(() =>
                    {
                        using var gcm = GcmCipher.Create(true, key, nonce, 16);
                        for (int i = 0; i < mib; i++) gcm.Process(block, 0, block.Length, output, 0);
                        gcm.FinishEncrypt(output, 0, out _);
                    });
                }
                catch (PlatformNotSupportedException)
                {
                    return double.NaN;
                }
            }
            var gcmCpu = new Dictionary<GcmImplementation, double>();
            foreach (var implementation in new[] { GcmImplementation.OpenSsl, GcmImplementation.Platform, GcmImplementation.BouncyCastle })
            {
                Gcm(implementation); // warm-up, self-test
                gcmCpu[implementation] = Gcm(implementation);
            }
            double sha = Cpu(() => { using var h = new Sha256Hasher(); for (int i = 0; i < mib; i++) h.Append(block, 0, block.Length); h.FinishHex(); });
            double gcmUsed = gcmCpu[GcmCipher.Automatic];
            string file = Path.Combine(Path.GetTempPath(), "doltbackup-profile-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            double write = Cpu(() => { using var f = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1); for (int i = 0; i < mib; i++) f.Write(block, 0, block.Length); f.Flush(true); });
            double read = Cpu(() => { using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1); while (f.Read(output, 0, 1 << 20) > 0) { } });
            File.Delete(file);
            Console.WriteLine($"CPU per MiB, each step alone: SHA-256 {sha:F0} us; AES-GCM OpenSSL {gcmCpu[GcmImplementation.OpenSsl]:F0} us, platform {gcmCpu[GcmImplementation.Platform]:F0} us, BouncyCastle {gcmCpu[GcmImplementation.BouncyCastle]:F0} us (used: {GcmCipher.Automatic}); file write+fsync {write:F0} us; file read (page cache) {read:F0} us");
            Console.WriteLine($"  an unencrypted Tar copy costs about read + SHA-256 + write = {read + sha + write:F0} us/MiB of CPU; encrypted adds the ciphertext's SHA-256 + AES-GCM = {sha + gcmUsed:F0} us/MiB (with HashArchive both add one more SHA-256)");
        }

        private static BackupArtifact Archive(BackupManifest manifest) => manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);

        /// <summary>What Restore-DoltBackup runs for a FileCopy set: the write-nothing check, then the unpack.</summary>
        private static void Restore(BackupManifest manifest, string target)
        {
            var files = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).ToList();
            var problems = FileCopyRestore.CheckArchive(manifest, Archive(manifest), files);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("check failed: " + problems[0].Message);
            }
            manifest.Method = BackupMethod.FileCopy;
            FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target });
        }

        private static void Verify(BackupManifest manifest, X509Certificate2 cert, bool deep = false)
        {
            var results = BackupVerifier.VerifyManifest(manifest, new VerificationOptions { DecryptionCertificates = cert == null ? null : new[] { cert }, Deep = deep });
            var failed = results.FirstOrDefault(x => x.Status == VerificationStatus.Failed);
            if (failed != null)
            {
                throw new InvalidOperationException("Test-DoltBackup failed: " + failed.Message);
            }
            if (cert != null && !results.Any(x => x.Check == "Artifact.Decrypted" && x.Status == VerificationStatus.Passed))
            {
                throw new InvalidOperationException("Test-DoltBackup did not decrypt the archive");
            }
        }

        private static bool SameTree(string a, string b)
        {
            var fa = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(x => (x.Substring(a.Length), new FileInfo(x).Length)).OrderBy(x => x.Item1).ToList();
            var fb = Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(x => (x.Substring(b.Length), new FileInfo(x).Length)).OrderBy(x => x.Item1).ToList();
            return fa.SequenceEqual(fb);
        }

        /// <summary>Times an encrypted step and samples the managed heap and working set above their level before it.</summary>
        private static double Measured(Series series, bool counted, Action action)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long heap0 = GC.GetTotalMemory(true);
            long ws0 = Environment.WorkingSet;
            long peakHeap = heap0, peakWs = ws0;
            using var done = new ManualResetEventSlim();
            var sampler = new Thread(() =>
            {
                do
                {
                    long h = GC.GetTotalMemory(false);
                    long w = Environment.WorkingSet;
                    if (h > peakHeap) peakHeap = h;
                    if (w > peakWs) peakWs = w;
                }
                while (!done.Wait(5));
            }) { IsBackground = true };
            sampler.Start();
            double t = BenchmarkProcess.Time(action);
            done.Set();
            sampler.Join();
            if (counted)
            {
                series.PeakHeap = Math.Max(series.PeakHeap, peakHeap - heap0);
                series.PeakWorkingSet = Math.Max(series.PeakWorkingSet, peakWs - ws0);
            }
            return t;
        }

        private static string LoadAverage()
        {
            try
            {
                return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
            }
            catch (IOException)
            {
                return "n/a";
            }
        }
    }
}
