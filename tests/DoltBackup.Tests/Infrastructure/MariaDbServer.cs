using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using DoltBackup.Server;
using MySqlConnector;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// A private mariadbd for tests: its own data dir (mariadb-install-db), a free port on 127.0.0.1 and its own
    /// socket. An admin account 'dbtest_admin'@'%' with a random password is created; stopped on dispose.
    /// </summary>
    public sealed class MariaDbServer : IDisposable
    {
        private Process _process;

        private MariaDbServer(string root)
        {
            Root = root;
            DataDir = Path.Combine(root, "data");
            SocketPath = Path.Combine(root, "mysqld.sock");
            AdminPassword = "Adm1n-" + Guid.NewGuid().ToString("N").Substring(0, 12);
        }

        public string Root { get; }
        public string DataDir { get; }
        public string SocketPath { get; }
        public int Port { get; private set; }
        public string AdminUser => "dbtest_admin";
        public string AdminPassword { get; }

        public static MariaDbServer Start()
        {
            string mariadbd = ExternalTools.MariaDbd ?? throw new InvalidOperationException("mariadbd is not installed: apt-get install -y mariadb-server.");
            string installDb = ExternalTools.MariaDbInstallDb ?? throw new InvalidOperationException("mariadb-install-db is not installed: apt-get install -y mariadb-server.");
            string root = Path.Combine(Path.GetTempPath(), "doltbackup-mariadb-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(root);
            var server = new MariaDbServer(root);
            try
            {
                server.Install(installDb);
                server.Launch(mariadbd);
                server.CreateAdmin();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

        private void Install(string installDb)
        {
            var args = new[]
            {
                "--no-defaults", "--datadir=" + DataDir, "--auth-root-authentication-method=normal", "--skip-test-db",
                IsRoot ? "--user=root" : null,
            };
            Run(installDb, args, TimeSpan.FromMinutes(3));
        }

        private void Launch(string mariadbd)
        {
            Port = FreePort();
            var psi = new ProcessStartInfo(mariadbd)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
            {
                "--no-defaults", "--datadir=" + DataDir, "--port=" + Port, "--socket=" + SocketPath, "--bind-address=127.0.0.1",
                "--pid-file=" + Path.Combine(Root, "mysqld.pid"), "--log-error=" + Path.Combine(Root, "error.log"),
                "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--max-connections=500", "--skip-name-resolve",
                IsRoot ? "--user=root" : null,
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
                    throw new InvalidOperationException("mariadbd exited at start: " + ReadLog());
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
            throw new InvalidOperationException("mariadbd did not accept connections within 60 s: " + ReadLog());
        }

        private void CreateAdmin()
        {
            using var c = new MySqlConnection($"Server={SocketPath};Protocol=Unix;User ID=root;Pooling=false");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE USER '{AdminUser}'@'%' IDENTIFIED BY '{AdminPassword}'; GRANT ALL PRIVILEGES ON *.* TO '{AdminUser}'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;";
            cmd.ExecuteNonQuery();
        }

        /// <summary>Settings for the admin account over TCP, as a DoltBackup user would connect.</summary>
        public ServerConnectionSettings AdminSettings() =>
            new ServerConnectionSettings { Host = "127.0.0.1", Port = Port, UserName = AdminUser, Tls = TlsMode.None, ConnectTimeoutSeconds = 10 }.WithPassword(AdminPassword);

        /// <summary>A MySqlConnector connection string for the admin account over TCP.</summary>
        public string AdminConnectionString(string database = null) =>
            $"Server=127.0.0.1;Port={Port};User ID={AdminUser};Password={AdminPassword};SslMode=None;AllowUserVariables=true" + (database == null ? "" : ";Database=" + database);

        /// <summary>Runs SQL as the admin (several statements allowed).</summary>
        public void Execute(string sql, string database = null)
        {
            using var c = new MySqlConnection(AdminConnectionString(database));
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        /// <summary>The server's version as MariaDB writes it into version_id, for example 101119 for 10.11.19.</summary>
        public int VersionId()
        {
            using var c = new MySqlConnection(AdminConnectionString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT VERSION()";
            var parts = ((string)cmd.ExecuteScalar()).Split('-')[0].Split('.');
            return int.Parse(parts[0]) * 10000 + int.Parse(parts[1]) * 100 + int.Parse(parts[2]);
        }

        public string ReadLog()
        {
            string log = Path.Combine(Root, "error.log");
            return File.Exists(log) ? File.ReadAllText(log) : "(no error log)";
        }

        internal static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static void Run(string file, string[] args, TimeSpan timeout)
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
            if (!p.WaitForExit((int)timeout.TotalMilliseconds))
            {
                p.Kill(true);
                throw new TimeoutException(file + " did not finish in " + timeout);
            }
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {stderr.Result}\n{stdout.Result}");
            }
        }

        /// <summary>Kills mariadbd at once (SIGKILL), as a crash would; Dispose still removes its files.</summary>
        public void Kill()
        {
            if (_process != null && !_process.HasExited)
            {
                _process.Kill(true);
                _process.WaitForExit(10000);
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
