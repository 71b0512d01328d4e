using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DoltBackup.Encryption;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// The encrypted-file format's throughput against the tool a user would otherwise run: DoltBackup's streaming CMS
    /// AuthEnvelopedData (AES-256-GCM, RSA-OAEP recipient) against `openssl cms -encrypt -aes-256-gcm -stream` and
    /// `openssl cms -decrypt` of the same bytes, file to file on the same disk. Goal: at least 0.8x openssl each way.
    /// Args: [MiB, default 512] [runs, default 3].
    /// </summary>
    public sealed class EncryptionBenchmark : IBenchmark
    {
        public string Name => "encrypt";

        public string Description => "CMS AES-256-GCM encrypt/decrypt vs openssl cms of the same bytes (goal >= 0.8x each way)";

        public int Run(IReadOnlyList<string> args)
        {
            long mib = args.Count > 0 && long.TryParse(args[0], out var m) ? m : 512;
            int runs = args.Count > 1 && int.TryParse(args[1], out var r) ? r : 3;
            string dir = Path.Combine(Path.GetTempPath(), "doltbackup-bench-enc-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            try
            {
                string plain = Path.Combine(dir, "plain.bin");
                using (var f = File.Create(plain))
                {
                    var block = new byte[1 << 20];
                    var random = new Random(1);
                    for (long i = 0; i < mib; i++)
                    {
                        random.NextBytes(block);
                        f.Write(block, 0, block.Length);
                    }
                }
                using var rsa = RSA.Create(3072);
                var cert = new CertificateRequest("CN=bench", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                    .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                cert = X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.Exportable);
                string certPem = Path.Combine(dir, "c.pem"), keyPem = Path.Combine(dir, "k.pem");
                File.WriteAllText(certPem, cert.ExportCertificatePem());
                File.WriteAllText(keyPem, cert.GetRSAPrivateKey().ExportPkcs8PrivateKeyPem());
                var keys = new EncryptionKeys(new[] { cert }, null);
                Console.WriteLine($"{mib} MiB of random bytes; BouncyCastle hardware AES: {Org.BouncyCastle.Crypto.AesUtilities.IsHardwareAccelerated}");

                string ours = Path.Combine(dir, "ours.p7m"), theirs = Path.Combine(dir, "theirs.p7m");
                string oursOut = Path.Combine(dir, "ours.out"), theirsOut = Path.Combine(dir, "theirs.out");
                var encOurs = new List<double>(); var encTool = new List<double>();
                var decOurs = new List<double>(); var decTool = new List<double>();
                for (int i = 0; i <= runs; i++)
                {
                    double te = BenchmarkProcess.TimeSeconds("openssl", dir, new[] { "cms", "-encrypt", "-binary", "-aes-256-gcm", "-stream", "-outform", "DER", "-in", plain, "-out", theirs, certPem });
                    double oe = BenchmarkProcess.Time(() =>
                    {
                        using var input = new FileStream(plain, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                        using var output = new FileStream(ours, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        using var writer = new CmsAuthEnvelopedWriter(output, keys, null);
                        input.CopyTo(writer, 1 << 20);
                    });
                    double td = BenchmarkProcess.TimeSeconds("openssl", dir, new[] { "cms", "-decrypt", "-binary", "-inform", "DER", "-in", ours, "-recip", certPem, "-inkey", keyPem, "-out", theirsOut });
                    double od = BenchmarkProcess.Time(() =>
                    {
                        using var input = new FileStream(theirs, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                        using var reader = new CmsAuthEnvelopedReader(input, keys, null, "theirs.p7m");
                        using var output = new FileStream(oursOut, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        reader.CopyTo(output, 1 << 20);
                    });
                    if (new FileInfo(theirsOut).Length != new FileInfo(plain).Length || new FileInfo(oursOut).Length != new FileInfo(plain).Length)
                    {
                        Console.WriteLine("decrypted sizes differ from the input: the round trip is broken");
                        return 1;
                    }
                    if (i > 0) { encOurs.Add(oe); encTool.Add(te); decOurs.Add(od); decTool.Add(td); }
                    Console.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: encrypt ours {oe:F2} s, openssl {te:F2} s; decrypt ours {od:F2} s, openssl {td:F2} s");
                }
                double eo = BenchmarkProcess.Median(encOurs), et = BenchmarkProcess.Median(encTool);
                double d0 = BenchmarkProcess.Median(decOurs), dt = BenchmarkProcess.Median(decTool);
                Console.WriteLine($"encrypt: ours {mib / eo:F0} MiB/s, openssl cms {mib / et:F0} MiB/s, ratio {et / eo:F2}");
                Console.WriteLine($"decrypt: ours {mib / d0:F0} MiB/s, openssl cms {mib / dt:F0} MiB/s, ratio {dt / d0:F2}");
                double ratio = Math.Min(et / eo, dt / d0);
                Console.WriteLine($"ratio: {ratio:F2} (goal: >= 0.80)");
                return ratio >= 0.8 ? 0 : 1;
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
