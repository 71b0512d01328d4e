using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using DoltBackup.Storage;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Real object-store servers for the tests, started on first use on a free 127.0.0.1 port with a temp data folder
    /// (as MariaDbServer does for MariaDB) and stopped when the test process exits: Azurite (Azure Blob) and s3rver
    /// (S3), from tests/objectstores/node_modules (npm ci there; .ci/run does it). Missing: the tests that need them are
    /// skipped, unless DOLTBACKUP_REQUIRE_OBJECTSTORES=1 makes that a failure.
    /// </summary>
    public static class ObjectStoreServers
    {
        public const string AzuriteAccount = "devstoreaccount1";

        // Azurite's published development key (public, documented by Microsoft): not a secret.
        public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

        public const string S3Bucket = "doltbackup-test";

        private static readonly Lazy<NodeServer> AzuriteServer = new Lazy<NodeServer>(() => NodeServer.Start("azurite-blob",
            (dir, port) => new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--location", dir, "--silent", "--skipApiVersionCheck" }, interruptFirst: true));

        private static readonly Lazy<NodeServer> S3rverServer = new Lazy<NodeServer>(() => NodeServer.Start("s3rver",
            (dir, port) => new[] { "-d", dir, "-a", "127.0.0.1", "-p", port.ToString(), "-s", "--configure-bucket", S3Bucket }, interruptFirst: false));

        public static bool Required => Environment.GetEnvironmentVariable("DOLTBACKUP_REQUIRE_OBJECTSTORES") == "1";

        public static string BinDirectory => Path.Combine(RepoPaths.Root, "tests", "objectstores", "node_modules", ".bin");

        public static bool AzuriteInstalled => ExternalTools.Find("node") != null && File.Exists(Path.Combine(BinDirectory, "azurite-blob"));

        public static bool S3rverInstalled => ExternalTools.Find("node") != null && File.Exists(Path.Combine(BinDirectory, "s3rver"));

        public static int AzuritePort => AzuriteServer.Value.Port;

        public static int S3rverPort => S3rverServer.Value.Port;

        public static string AzuriteConnectionString(int? port = null) =>
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{port ?? AzuritePort}/{AzuriteAccount};";

        public static string S3rverEndpoint => $"http://127.0.0.1:{S3rverPort}";

        /// <summary>A context for Azurite (connection string) with few retries, so faults fail fast.</summary>
        public static StorageContext AzuriteContext(string connectionString = null)
        {
            var c = new StorageContext { MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };
            c.SetSecrets(null, Secure(connectionString ?? AzuriteConnectionString()), null);
            return c;
        }

        /// <summary>A context for s3rver (its fixed key S3RVER/S3RVER) with few retries.</summary>
        public static StorageContext S3rverContext(string secret = "S3RVER", string endpoint = null, string accessKey = "S3RVER")
        {
            var c = new StorageContext { S3EndpointUrl = endpoint ?? S3rverEndpoint, S3Region = "us-east-1", MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };
            c.SetSecrets(new System.Management.Automation.PSCredential(accessKey, Secure(secret)), null, null);
            return c;
        }

        /// <summary>Makes an Azurite container (the driver never creates one: a missing container is the user's error).</summary>
        public static void CreateContainer(string name)
        {
            var service = new global::Azure.Storage.Blobs.BlobServiceClient(AzuriteConnectionString());
            service.GetBlobContainerClient(name).CreateIfNotExists();
        }

        public static System.Security.SecureString Secure(string text)
        {
            var s = new System.Security.SecureString();
            foreach (char ch in text)
            {
                s.AppendChar(ch);
            }
            s.MakeReadOnly();
            return s;
        }

        public static int FreePort() => MariaDbServer.FreePort();

        private sealed class NodeServer
        {
            private Process _process;
            private string _dir;
            private bool _interruptFirst;

            public int Port { get; private set; }

            public static NodeServer Start(string tool, Func<string, int, string[]> arguments, bool interruptFirst)
            {
                string exe = Path.Combine(BinDirectory, tool);
                if (!File.Exists(exe) || ExternalTools.Find("node") == null)
                {
                    throw new InvalidOperationException($"{tool} is not installed: run 'npm ci' in tests/objectstores (needs Node.js).");
                }
                var server = new NodeServer { _dir = Path.Combine(Path.GetTempPath(), "doltbackup-" + tool + "-" + Guid.NewGuid().ToString("N").Substring(0, 8)), _interruptFirst = interruptFirst };
                Directory.CreateDirectory(server._dir);
                server.Port = FreePort();
                var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                if (tool == "s3rver")
                {
                    // s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) has only in
                    // its legacy provider: without it every listing of more than 1,000 keys fails with 500 InternalError.
                    psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
                }
                foreach (var a in arguments(server._dir, server.Port))
                {
                    psi.ArgumentList.Add(a);
                }
                server._process = Process.Start(psi);
                server._process.OutputDataReceived += (_, _) => { };
                server._process.ErrorDataReceived += (_, _) => { };
                server._process.BeginOutputReadLine();
                server._process.BeginErrorReadLine();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    if (server._process.HasExited)
                    {
                        throw new InvalidOperationException($"{tool} exited at start with code {server._process.ExitCode}.");
                    }
                    try
                    {
                        using var c = new TcpClient();
                        c.Connect(IPAddress.Loopback, server.Port);
                        return server;
                    }
                    catch (SocketException)
                    {
                        Thread.Sleep(200);
                    }
                }
                server.Stop();
                throw new InvalidOperationException($"{tool} did not listen on port {server.Port} within 60 s.");
            }

            [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
            private static extern int SysKill(int pid, int signal);

            public void Stop()
            {
                try
                {
                    if (_process != null && !_process.HasExited)
                    {
                        if (!OperatingSystem.IsWindows())
                        {
                            // Azurite ignores SIGTERM: SIGINT, then SIGKILL after a few seconds. s3rver stops on SIGTERM.
                            SysKill(_process.Id, _interruptFirst ? 2 : 15);
                            if (!_process.WaitForExit(5000))
                            {
                                _process.Kill(entireProcessTree: true);
                            }
                        }
                        else
                        {
                            _process.Kill(entireProcessTree: true);
                        }
                        _process.WaitForExit(5000);
                    }
                }
                catch (InvalidOperationException)
                {
                }
                try
                {
                    Directory.Delete(_dir, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>A fact that needs Azurite: skipped when it is not installed, unless DOLTBACKUP_REQUIRE_OBJECTSTORES=1.</summary>
    public sealed class AzuriteFactAttribute : Xunit.FactAttribute
    {
        public AzuriteFactAttribute()
        {
            if (!ObjectStoreServers.AzuriteInstalled && !ObjectStoreServers.Required)
            {
                Skip = "Azurite is not installed (npm ci in tests/objectstores); set DOLTBACKUP_REQUIRE_OBJECTSTORES=1 to make this a failure.";
            }
        }
    }

    /// <summary>A fact that needs s3rver: skipped when it is not installed, unless DOLTBACKUP_REQUIRE_OBJECTSTORES=1.</summary>
    public sealed class S3rverFactAttribute : Xunit.FactAttribute
    {
        public S3rverFactAttribute()
        {
            if (!ObjectStoreServers.S3rverInstalled && !ObjectStoreServers.Required)
            {
                Skip = "s3rver is not installed (npm ci in tests/objectstores); set DOLTBACKUP_REQUIRE_OBJECTSTORES=1 to make this a failure.";
            }
        }
    }
}
