using DoltBackup.Manifest;
using DoltBackup.Engine;
using DoltBackup.Backup;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using DoltBackup.Server;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// A real `dolt sql-server` on its own data directory, free port and global config (DOLT_ROOT_PATH), for the
    /// real-Dolt suite. Only used under [DoltFact]: never faked.
    /// </summary>
    public sealed class RealDoltServer : IDisposable
    {
        private Process _process;

        private RealDoltServer(string root)
        {
            Root = root;
            DataDir = Path.Combine(root, "data");
            Home = Path.Combine(root, "home");
            Directory.CreateDirectory(DataDir);
            Directory.CreateDirectory(Home);
        }

        public string Root { get; }
        public string DataDir { get; }
        public string Home { get; }
        public int Port { get; private set; }

        /// <summary>
        /// Starts a server; with <paramref name="seedDataDir"/> (for example the fixture's data/) on a copy of that data
        /// directory, without its config.yaml (its listener and TLS paths belong to the original root).
        /// </summary>
        public static RealDoltServer Start(string root, string seedDataDir = null)
        {
            var server = new RealDoltServer(root);
            try
            {
                if (seedDataDir != null)
                {
                    TempDir.CopyTree(seedDataDir, server.DataDir);
                    File.Delete(Path.Combine(server.DataDir, "config.yaml"));
                }
                server.Dolt(server.Home, "config", "--global", "--add", "user.name", "DoltBackup Test");
                server.Dolt(server.Home, "config", "--global", "--add", "user.email", "test@doltbackup.invalid");
                server.Launch();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        /// <summary>The superuser (root@localhost, no password, as a fresh sql-server creates it) over TCP.</summary>
        public ServerConnectionSettings RootSettings() =>
            new ServerConnectionSettings { Host = "127.0.0.1", Port = Port, UserName = "root", Tls = TlsMode.None, ConnectTimeoutSeconds = 10 }.WithPassword("");

        public string ConnectionString(string database = null) =>
            $"Server=127.0.0.1;Port={Port};User ID=root;Password=;SslMode=None;AllowUserVariables=true" + (database == null ? "" : ";Database=" + database);

        public void Execute(string sql, string database = null)
        {
            using var c = new MySqlConnection(ConnectionString(database));
            c.Open();
            foreach (string statement in sql.Split(new[] { ";\n" }, StringSplitOptions.RemoveEmptyEntries))
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = statement;
                cmd.ExecuteNonQuery();
            }
        }

        public List<string> Query(string sql, string database = null)
        {
            using var c = new MySqlConnection(ConnectionString(database));
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read())
            {
                var cells = new object[r.FieldCount];
                r.GetValues(cells);
                rows.Add(string.Join("|", cells));
            }
            return rows;
        }

        public string Dolt(string workingDir, params string[] args)
        {
            var psi = new ProcessStartInfo(ExternalTools.Dolt) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["DOLT_ROOT_PATH"] = Home;
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            if (!p.WaitForExit(120_000) || p.ExitCode != 0)
            {
                throw new InvalidOperationException($"dolt {string.Join(" ", args)} failed: {output}");
            }
            return output;
        }

        private void Launch()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var psi = new ProcessStartInfo(ExternalTools.Dolt) { WorkingDirectory = DataDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "sql-server", "--host", "127.0.0.1", "--port", Port.ToString(), "--data-dir", DataDir })
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["DOLT_ROOT_PATH"] = Home;
            _process = Process.Start(psi);
            _process.OutputDataReceived += (_, __) => { };
            _process.ErrorDataReceived += (_, __) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    Query("SELECT 1");
                    return;
                }
                catch (Exception) when (!_process.HasExited)
                {
                    Thread.Sleep(250);
                }
            }
            throw new InvalidOperationException("dolt sql-server did not answer within 60 seconds.");
        }

        /// <summary>
        /// Backs <paramref name="database"/> up with dolt_backup('add'/'sync') into a file:// store under
        /// <paramref name="dir"/>, and writes the manifest a backup set would have (heads, tags, working-set hash).
        /// </summary>
        public BackupManifest BackUpToFileStore(string dir, string database = "sales")
        {
            string url = BackupUrls.ToFileUrl(Path.Combine(dir, "stores", database));
            var manifest = new BackupManifest
            {
                Id = "20261123T020000Z-real", Name = "real", Method = BackupMethod.DoltBackup, CreatedUtc = System.DateTime.UtcNow,
                Destination = new BackupDestination { BaseUrl = BackupUrls.ToFileUrl(Path.Combine(dir, "stores")), BackupFolder = Path.Combine(dir, "backup") },
            };
            using (var engine = DoltEngineFactory.Create(new DoltEngineRequest { Server = RootSettings() }))
            {
                var state = engine.GetDatabaseStateAsync(database, default).GetAwaiter().GetResult();
                engine.AddBackupAsync(database, "real", url, default).GetAwaiter().GetResult();
                engine.SyncBackupAsync(database, "real", default).GetAwaiter().GetResult();
                manifest.Databases.Add(new DatabaseBackupItem
                {
                    Name = database, Url = url, BackupName = "real", Status = ItemStatus.Completed,
                    Branches = state.Branches, Tags = state.Tags, WorkingSetHash = state.WorkingSetHash,
                });
            }
            ManifestStore.Write(manifest);
            return manifest;
        }

        public void Dispose()
        {
            try
            {
                if (_process != null && !_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _process?.Dispose();
        }
    }
}
