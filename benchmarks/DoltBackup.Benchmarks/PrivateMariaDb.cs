using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using DoltBackup.Server;
using MySqlConnector;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// A private mariadbd for benchmarks (the startup of tests/…/Infrastructure/MariaDbServer.cs, copied so the
    /// benchmarks do not depend on the test project): own data dir, free port on 127.0.0.1, admin 'bench_admin'@'%'.
    /// </summary>
    public sealed class PrivateMariaDb : IDisposable
    {
        private Process _process;

        private PrivateMariaDb(string root)
        {
            Root = root;
            DataDir = Path.Combine(root, "data");
            SocketPath = Path.Combine(root, "mysqld.sock");
            AdminPassword = "Bench-" + Guid.NewGuid().ToString("N").Substring(0, 12);
        }

        public string Root { get; }
        public string DataDir { get; }
        public string SocketPath { get; }
        public int Port { get; private set; }
        public string AdminUser => "bench_admin";
        public string AdminPassword { get; }

        public static string Find(string name, params string[] dirs)
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(dirs))
            {
                if (!string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, name)))
                {
                    return Path.Combine(dir, name);
                }
            }
            return null;
        }

        public static PrivateMariaDb Start()
        {
            string mariadbd = Find("mariadbd", "/usr/sbin") ?? Find("mysqld", "/usr/sbin") ?? throw new InvalidOperationException("mariadbd is not installed: apt-get install -y mariadb-server.");
            string installDb = Find("mariadb-install-db", "/usr/bin") ?? Find("mysql_install_db", "/usr/bin") ?? throw new InvalidOperationException("mariadb-install-db is not installed.");
            string root = Path.Combine(Path.GetTempPath(), "doltbackup-bench-mariadb-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(root);
            var server = new PrivateMariaDb(root);
            try
            {
                bool isRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
                Run(installDb, new[] { "--no-defaults", "--datadir=" + server.DataDir, "--auth-root-authentication-method=normal", "--skip-test-db", isRoot ? "--user=root" : null });
                server.Launch(mariadbd, isRoot);
                using var c = new MySqlConnection($"Server={server.SocketPath};Protocol=Unix;User ID=root;Pooling=false");
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"CREATE USER '{server.AdminUser}'@'%' IDENTIFIED BY '{server.AdminPassword}'; GRANT ALL PRIVILEGES ON *.* TO '{server.AdminUser}'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;";
                cmd.ExecuteNonQuery();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        private void Launch(string mariadbd, bool isRoot)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var psi = new ProcessStartInfo(mariadbd) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[]
            {
                "--no-defaults", "--datadir=" + DataDir, "--port=" + Port, "--socket=" + SocketPath, "--bind-address=127.0.0.1",
                "--pid-file=" + Path.Combine(Root, "mysqld.pid"), "--log-error=" + Path.Combine(Root, "error.log"),
                "--skip-log-bin", "--innodb-buffer-pool-size=64M", "--max-connections=200", "--skip-name-resolve", isRoot ? "--user=root" : null,
            })
            {
                if (a != null)
                {
                    psi.ArgumentList.Add(a);
                }
            }
            _process = Process.Start(psi);
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException("mariadbd exited at start.");
                }
                try
                {
                    using var c = new MySqlConnection($"Server={SocketPath};Protocol=Unix;User ID=root;Pooling=false;Connection Timeout=2");
                    c.Open();
                    return;
                }
                catch (MySqlException)
                {
                    Thread.Sleep(200);
                }
            }
            throw new InvalidOperationException("mariadbd did not accept connections within 60 s.");
        }

        public ServerConnectionSettings AdminSettings() =>
            new ServerConnectionSettings { Host = "127.0.0.1", Port = Port, UserName = AdminUser, Tls = TlsMode.None, ConnectTimeoutSeconds = 10 }.WithPassword(AdminPassword);

        public void Execute(string sql)
        {
            using var c = new MySqlConnection($"Server=127.0.0.1;Port={Port};User ID={AdminUser};Password={AdminPassword};SslMode=None;DefaultCommandTimeout=600");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        /// <summary>The server's version as MariaDB writes it into version_id, for example 101119 for 10.11.19.</summary>
        public int VersionId()
        {
            using var c = new MySqlConnection($"Server=127.0.0.1;Port={Port};User ID={AdminUser};Password={AdminPassword};SslMode=None");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT VERSION()";
            var parts = ((string)cmd.ExecuteScalar()).Split('-')[0].Split('.');
            return int.Parse(parts[0]) * 10000 + int.Parse(parts[1]) * 100 + int.Parse(parts[2]);
        }

        private static void Run(string file, string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                if (a != null)
                {
                    psi.ArgumentList.Add(a);
                }
            }
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {stderr.Result}\n{stdout.Result}");
            }
        }

        public void Dispose()
        {
            try
            {
                if (_process != null && !_process.HasExited)
                {
                    _process.Kill(true);
                    _process.WaitForExit(10000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _process?.Dispose();
            try
            {
                Directory.Delete(Root, true);
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
