using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Uploads one FileCopy-like backup set (one archive of N MiB plus manifest.json) to Azurite and to s3rver, started
    /// here from tests/objectstores (npm ci there first), with BackupSetTransfer.Publish (what Sync-DoltBackup -CopyTo
    /// does), and compares it in the same run with the SDK's own best parallel upload of the same file (Azure:
    /// BlobClient.Upload with 8 concurrent blocks; S3: TransferUtility, unchunked like ours; best of two part settings). Also: a second publish
    /// of the unchanged set, and listing a root of M sets with RemoteSetCatalog vs one bare listing plus the manifest
    /// reads; and a FileCopy (Tar) of a data dir holding the same bytes streamed straight into the object store
    /// (FileCopyOptions.UploadTo: no local archive) against the same SDK upload. Goals (issue 12): upload ratios >= 0.9x the SDK's; second publish <= 5% of the first; listing <= 2x.
    /// Quick mode (the default, args: MiB sets [all|s3|azure] [rounds]) is 64 MiB and 50 sets; "1024 1000" is the full
    /// measurement. Each round uploads twice with the SDK (8 MiB x 8, 16 MiB x 4) and twice with ours, alternately;
    /// the best of each is compared, and every run is printed with the load average (the machine is shared).
    /// </summary>
    public sealed class OffHostUploadBenchmark : IBenchmark
    {
        public string Name => "offhost-upload";

        public string Description => "Upload a FileCopy set to Azurite and s3rver and stream a FileCopy archive there, each vs the SDK's parallel upload (goal >= 0.9x), re-publish unchanged (<= 5%), list sets (<= 2x)";

        public int Run(IReadOnlyList<string> args)
        {
            int mib = args.Count > 0 && int.TryParse(args[0], out var m) ? m : 64;
            int sets = args.Count > 1 && int.TryParse(args[1], out var s) ? s : 50;
            string only = args.Count > 2 ? args[2] : "all";
            int rounds = args.Count > 3 && int.TryParse(args[3], out var r) ? Math.Max(1, r) : 1;
            string bin = Path.Combine(ImportBenchmark.FindRoot(), "tests", "objectstores", "node_modules", ".bin");
            if (!File.Exists(Path.Combine(bin, "azurite-blob")) || !File.Exists(Path.Combine(bin, "s3rver")))
            {
                Console.WriteLine("Azurite/s3rver are not installed: run 'npm ci' in tests/objectstores.");
                return 2;
            }
            string work = Path.Combine(Path.GetTempPath(), "doltbackup-offhost-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(work);
            try
            {
                string set = MakeSet(Path.Combine(work, "set"), mib);
                using (var azurite = Server.Start(Path.Combine(bin, "azurite-blob"), Path.Combine(work, "azurite"), (d, p) => new[] { "--blobHost", "127.0.0.1", "--blobPort", p.ToString(), "--location", d, "--silent", "--skipApiVersionCheck" }, 2))
                using (var s3 = Server.Start(Path.Combine(bin, "s3rver"), Path.Combine(work, "s3rver"), (d, p) => new[] { "-d", d, "-a", "127.0.0.1", "-p", p.ToString(), "-s", "--configure-bucket", "bench" }, 15))
                {
                    string cs = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{azurite.Port}/devstoreaccount1;";
                    new global::Azure.Storage.Blobs.BlobServiceClient(cs).GetBlobContainerClient("bench").CreateIfNotExists();
                    var azureContext = new StorageContext();
                    azureContext.SetSecrets(null, Secure(cs), null);
                    var s3Context = new StorageContext { S3EndpointUrl = $"http://127.0.0.1:{s3.Port}", S3Region = "us-east-1" };
                    s3Context.SetSecrets(new System.Management.Automation.PSCredential("S3RVER", Secure("S3RVER")), null, null);

                    if (only != "s3")
                    {
                        Measure("Azure Blob (Azurite)", "az://devstoreaccount1/bench", azureContext, set, mib, sets, rounds,
                            (file, parts, concurrency) => SdkAzureUpload(cs, file, parts, concurrency));
                    }
                    if (only != "azure")
                    {
                        Measure("S3 (s3rver)", "s3://bench", s3Context, set, mib, sets, rounds, (file, parts, concurrency) => SdkS3Upload(s3.Port, file, parts, concurrency));
                    }
                }
                return 0;
            }
            finally
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        /// <summary>
        /// The SDK's TransferUtility with the same client flags as the driver (unchunked bodies, checksums only where
        /// required: what s3rver stores exactly); TransferUtility has no UseChunkEncoding setting, so a pipeline
        /// handler (<see cref="Unchunked"/>) sets it on each request before it is marshalled. The stored size is checked, so the baseline is not timing a corrupt upload.
        /// </summary>
        private static void SdkS3Upload(int port, string file, int partMiB, int concurrency)
        {
            var config = new Amazon.S3.AmazonS3Config
            {
                ServiceURL = $"http://127.0.0.1:{port}",
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
            };
            string key = "sdk/" + Guid.NewGuid().ToString("N");
            Unchunked.Register();
            using (var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"), config))
            using (var transfer = new Amazon.S3.Transfer.TransferUtility(client, new Amazon.S3.Transfer.TransferUtilityConfig { ConcurrentServiceRequests = concurrency }))
            {
                transfer.UploadAsync(new Amazon.S3.Transfer.TransferUtilityUploadRequest { BucketName = "bench", Key = key, FilePath = file, PartSize = partMiB * 1024L * 1024 })
                    .GetAwaiter().GetResult();
                long stored = client.GetObjectMetadataAsync("bench", key).GetAwaiter().GetResult().ContentLength;
                if (stored != new FileInfo(file).Length)
                {
                    throw new InvalidOperationException($"The SDK baseline stored {stored} bytes of {new FileInfo(file).Length}: its requests were not sent unchunked.");
                }
            }
        }

        private static void SdkAzureUpload(string connectionString, string file, int blockMiB, int concurrency)
        {
            new global::Azure.Storage.Blobs.BlobServiceClient(connectionString).GetBlobContainerClient("bench").GetBlobClient("sdk/" + Guid.NewGuid().ToString("N"))
                .Upload(file, new global::Azure.Storage.Blobs.Models.BlobUploadOptions
                {
                    TransferOptions = new global::Azure.Storage.StorageTransferOptions { MaximumConcurrency = concurrency, MaximumTransferSize = blockMiB * 1024L * 1024, InitialTransferSize = blockMiB * 1024L * 1024 },
                });
        }

        /// <summary>
        /// Both sides warmed up first (a 1 MiB upload each: code loaded, connections open), then measured alternately,
        /// twice each, best time kept: the SDK with two settings (8 MiB x 8 parts in flight, 16 MiB x 4), ours twice
        /// (each a first publish of a new set, so the published-files record does not help it).
        /// </summary>
        private static void Measure(string label, string root, StorageContext context, string set, int mib, int sets, int rounds, Action<string, int, int> sdkUpload)
        {
            string archive = Path.Combine(set, "data", "archive.tar");
            // Warm-up with several parts on both sides (the SDK's TransferUtility goes multipart from 16 MiB, the driver
            // beyond one 16 MiB part), so that neither measured run pays for compiling the multipart path.
            string warm = MakeSet(Path.Combine(Path.GetDirectoryName(set), "warm-" + Guid.NewGuid().ToString("N").Substring(0, 8)), Math.Min(mib, 40));
            using (var location = BackupLocations.Open(root, context))
            {
                // DOLTBACKUP_BENCH_S3_PARTS=<MiB>x<in flight> tries another S3 part setting (for tuning the driver's defaults).
                string tuning = Environment.GetEnvironmentVariable("DOLTBACKUP_BENCH_S3_PARTS");
                if (location is DoltBackup.Storage.S3.S3BackupLocation s3 && !string.IsNullOrEmpty(tuning))
                {
                    var pair = tuning.Split('x');
                    s3.PartBytes = int.Parse(pair[0]) * 1024 * 1024;
                    s3.PartsInFlight = int.Parse(pair[1]);
                    Console.WriteLine($"{label}: driver parts {pair[0]} MiB x {pair[1]} in flight");
                }
                sdkUpload(Path.Combine(warm, "data", "archive.tar"), 8, 8);
                BackupSetTransfer.Publish(warm, location, "warm-" + Guid.NewGuid().ToString("N").Substring(0, 8), null, CancellationToken.None);
                TimeSpan sdkTime = TimeSpan.MaxValue, firstTime = TimeSpan.MaxValue, sdkCpu = TimeSpan.MaxValue, ourCpu = TimeSpan.MaxValue;
                string id = null;
                var runs = new List<TimeSpan>();
                var sdkRuns = new List<TimeSpan>();
                foreach (var (parts, concurrency) in Enumerable.Repeat(new[] { (8, 8), (16, 4) }, rounds).SelectMany(x => x))
                {
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var sdk = Stopwatch.StartNew();
                    sdkUpload(archive, parts, concurrency);
                    sdk.Stop();
                    sdkCpu = Min(sdkCpu, Process.GetCurrentProcess().TotalProcessorTime - cpu0);
                    sdkTime = Min(sdkTime, sdk.Elapsed);
                    sdkRuns.Add(sdk.Elapsed);
                    id = "bench-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                    File.Delete(Path.Combine(set, PublishRecord.FileName));
                    var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
                    var publish = Stopwatch.StartNew();
                    BackupSetTransfer.Publish(set, location, id, null, CancellationToken.None);
                    publish.Stop();
                    ourCpu = Min(ourCpu, Process.GetCurrentProcess().TotalProcessorTime - cpu1);
                    firstTime = Min(firstTime, publish.Elapsed);
                    runs.Add(publish.Elapsed);
                }
                double sdkRate = mib / sdkTime.TotalSeconds, ourRate = mib / firstTime.TotalSeconds;
                // FileCopy straight to the object store: the tar writer streams into the upload (nothing staged on disk).
                string dataDir = MakeDataDir(Path.Combine(Path.GetDirectoryName(set), "datadir-" + Guid.NewGuid().ToString("N").Substring(0, 8)), archive);
                TimeSpan streamTime = TimeSpan.MaxValue, streamCpu = TimeSpan.MaxValue;
                long streamedBytes = 0;
                for (int run = 0; run < 2; run++)
                {
                    var streamManifest = new BackupManifest { Id = "stream", Name = "stream", Method = BackupMethod.FileCopy, CreatedUtc = DateTime.UtcNow, Destination = { BackupFolder = Path.Combine(dataDir + "-staging", "s" + run) } };
                    var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
                    var streamed = Stopwatch.StartNew();
                    FileCopyBackup.Run(streamManifest, new FileCopyOptions
                    {
                        DataDir = dataDir,
                        Format = FileCopyFormat.Tar,
                        UploadTo = location,
                        UploadSetKey = "stream-" + Guid.NewGuid().ToString("N").Substring(0, 8),
                    });
                    streamed.Stop();
                    streamCpu = Min(streamCpu, Process.GetCurrentProcess().TotalProcessorTime - cpu2);
                    streamTime = Min(streamTime, streamed.Elapsed);
                    streamedBytes = streamManifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Size;
                    if (Directory.GetFiles(streamManifest.BackupFolder, "*", SearchOption.AllDirectories).Length > 0)
                    {
                        throw new InvalidOperationException("The streamed FileCopy wrote a file into its staging folder.");
                    }
                }
                double streamRate = streamedBytes / 1048576.0 / streamTime.TotalSeconds;
                Console.WriteLine($"{label}: streamed FileCopy (Tar, {streamedBytes / 1048576.0:F0} MiB archive, no local file) {streamTime.TotalSeconds:F2} s ({streamRate:F1} MiB/s) vs SDK parallel upload of the same bytes: ratio {streamRate / sdkRate:F2}x (goal >= 0.9x); vs Publish of a local archive file {streamRate / ourRate:F2}x; client CPU {streamCpu.TotalSeconds:F2} s");

                var second = Stopwatch.StartNew();
                var again = BackupSetTransfer.Publish(set, location, id, null, CancellationToken.None);
                second.Stop();
                Console.WriteLine($"{label}: {mib} MiB set: Publish {firstTime.TotalSeconds:F2} s ({ourRate:F1} MiB/s), SDK parallel upload {sdkTime.TotalSeconds:F2} s ({sdkRate:F1} MiB/s): ratio {ourRate / sdkRate:F2}x (goal >= 0.9x); client CPU {ourCpu.TotalSeconds:F2} s vs {sdkCpu.TotalSeconds:F2} s");
                Console.WriteLine($"{label}: every run (s): ours {string.Join(" ", runs.Select(t => t.TotalSeconds.ToString("F2")))}; SDK {string.Join(" ", sdkRuns.Select(t => t.TotalSeconds.ToString("F2")))} (8 MiB x 8, 16 MiB x 4 alternately); load average {LoadAverage()}");
                Console.WriteLine($"{label}: second publish of the unchanged set {second.Elapsed.TotalMilliseconds:F0} ms = {100 * second.Elapsed.TotalSeconds / firstTime.TotalSeconds:F1}% of the first (goal <= 5%); {again.Transferred} object(s) sent, {again.Unchanged} unchanged, {again.FilesRead} file(s) read to decide");

                string listRoot = "list-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                string small = MakeSet(Path.Combine(Path.GetDirectoryName(set), "small-" + listRoot), 0);
                using (var listLocation = BackupLocations.Open(root + "/" + listRoot, context))
                {
                    for (int i = 0; i < sets; i++)
                    {
                        BackupSetTransfer.Publish(small, listLocation, $"2026{i:D4}T000000Z-bench", null, CancellationToken.None);
                    }
                    var bare = Stopwatch.StartNew();
                    var objects = listLocation.List("", CancellationToken.None);
                    foreach (var o in objects.Where(o => o.Key.EndsWith("/" + BackupManifest.FileName, StringComparison.Ordinal)))
                    {
                        using (var stream = listLocation.OpenRead(o.Key, CancellationToken.None))
                        {
                            stream.CopyTo(Stream.Null);
                        }
                    }
                    bare.Stop();
                    var catalog = Stopwatch.StartNew();
                    var listing = RemoteSetCatalog.List(listLocation, CancellationToken.None);
                    catalog.Stop();
                    Console.WriteLine($"{label}: listing {listing.Sets.Count} sets {catalog.Elapsed.TotalMilliseconds:F0} ms vs one listing + manifest reads {bare.Elapsed.TotalMilliseconds:F0} ms: ratio {catalog.Elapsed.TotalSeconds / bare.Elapsed.TotalSeconds:F2}x (goal <= 2x)");
                }
            }
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

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

        /// <summary>A data dir of one database whose store holds one table file: the benchmark's archive bytes (random, incompressible).</summary>
        private static string MakeDataDir(string folder, string tableFile)
        {
            string noms = Path.Combine(folder, "bench", ".dolt", "noms");
            Directory.CreateDirectory(noms);
            File.WriteAllText(Path.Combine(noms, "LOCK"), "");
            File.WriteAllText(Path.Combine(noms, "manifest"), "5:__DOLT__:bench");
            File.Copy(tableFile, Path.Combine(noms, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"));
            return folder;
        }

        private static string MakeSet(string folder, int mib)
        {
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            string archive = Path.Combine(folder, "data", "archive.tar");
            var rng = new Random(12);
            var buffer = new byte[1024 * 1024];
            using (var f = File.Create(archive))
            {
                for (int i = 0; i < mib; i++)
                {
                    rng.NextBytes(buffer);
                    f.Write(buffer, 0, buffer.Length);
                }
            }
            var manifest = new BackupManifest { Id = "bench", Name = "bench", Method = BackupMethod.FileCopy, CreatedUtc = DateTime.UtcNow, Destination = { BackupFolder = folder } };
            manifest.Artifacts.Add(new BackupArtifact { Kind = "DataArchive", StoredPath = "data/archive.tar", Size = new FileInfo(archive).Length });
            ManifestStore.Write(manifest);
            return folder;
        }

        private static System.Security.SecureString Secure(string text)
        {
            var s = new System.Security.SecureString();
            foreach (char c in text)
            {
                s.AppendChar(c);
            }
            return s;
        }

        /// <summary>Sets UseChunkEncoding = false on every S3 upload request of this process before it is marshalled.</summary>
        private sealed class Unchunked : Amazon.Runtime.Internal.PipelineHandler, Amazon.Runtime.Internal.IRuntimePipelineCustomizer
        {
            private static int _registered;

            public string UniqueName => "DoltBackup.Benchmarks.Unchunked";

            public static void Register()
            {
                if (Interlocked.Exchange(ref _registered, 1) == 0)
                {
                    Amazon.Runtime.Internal.RuntimePipelineCustomizerRegistry.Instance.Register(new Unchunked());
                }
            }

            public void Customize(Type type, Amazon.Runtime.Internal.RuntimePipeline pipeline) => pipeline.AddHandlerBefore<Amazon.Runtime.Internal.Marshaller>(new Unchunked());

            public override void InvokeSync(Amazon.Runtime.IExecutionContext executionContext)
            {
                Set(executionContext);
                base.InvokeSync(executionContext);
            }

            public override System.Threading.Tasks.Task<T> InvokeAsync<T>(Amazon.Runtime.IExecutionContext executionContext)
            {
                Set(executionContext);
                return base.InvokeAsync<T>(executionContext);
            }

            private static void Set(Amazon.Runtime.IExecutionContext context)
            {
                switch (context.RequestContext.OriginalRequest)
                {
                    case Amazon.S3.Model.UploadPartRequest part:
                        part.UseChunkEncoding = false;
                        break;
                    case Amazon.S3.Model.PutObjectRequest put:
                        put.UseChunkEncoding = false;
                        break;
                }
            }
        }

        /// <summary>A node test server on a free 127.0.0.1 port, stopped with <c>signal</c> then SIGKILL.</summary>
        private sealed class Server : IDisposable
        {
            private Process _process;
            private int _signal;

            public int Port { get; private set; }

            [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
            private static extern int SysKill(int pid, int signal);

            public static Server Start(string exe, string dir, Func<string, int, string[]> arguments, int stopSignal)
            {
                Directory.CreateDirectory(dir);
                var l = new TcpListener(IPAddress.Loopback, 0);
                l.Start();
                var server = new Server { Port = ((IPEndPoint)l.LocalEndpoint).Port, _signal = stopSignal };
                l.Stop();
                var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                // s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) only has in
                // its legacy provider: without it, every listing of more than 1,000 keys fails with 500 InternalError.
                psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
                foreach (var a in arguments(dir, server.Port))
                {
                    psi.ArgumentList.Add(a);
                }
                server._process = Process.Start(psi);
                server._process.OutputDataReceived += (_, _) => { };
                server._process.ErrorDataReceived += (_, _) => { };
                server._process.BeginOutputReadLine();
                server._process.BeginErrorReadLine();
                for (int i = 0; i < 300; i++)
                {
                    try
                    {
                        using (var c = new TcpClient())
                        {
                            c.Connect(IPAddress.Loopback, server.Port);
                            return server;
                        }
                    }
                    catch (SocketException)
                    {
                        Thread.Sleep(200);
                    }
                }
                server.Dispose();
                throw new InvalidOperationException(exe + " did not start.");
            }

            public void Dispose()
            {
                if (_process == null || _process.HasExited)
                {
                    return;
                }
                SysKill(_process.Id, _signal);
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
    }
}
