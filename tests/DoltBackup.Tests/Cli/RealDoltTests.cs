#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// The whole pipeline against real Dolt: init databases, start dolt sql-server on a free port, run
    /// New-DoltBackup | Sync-DoltBackup, restore each backup with `dolt backup restore`, compare branch heads.
    /// Reported as skipped when dolt is not on PATH.
    /// </summary>
    public class RealDoltTests
    {
        private static string Dolt(string cwd, string home, params string[] args)
        {
            var psi = new ProcessStartInfo(ExternalTools.Dolt) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["DOLT_ROOT_PATH"] = home;
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(120000), "dolt " + string.Join(" ", args) + " did not finish");
            Assert.True(p.ExitCode == 0, $"dolt {string.Join(" ", args)} failed: {stderr.Result}{stdout.Result}");
            return stdout.Result;
        }

        private static Dictionary<string, string> Heads(string cwd, string home)
        {
            var json = Dolt(cwd, home, "sql", "-r", "json", "-q", "SELECT name, hash FROM dolt_branches ORDER BY name");
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString(), r => r.GetProperty("hash").GetString());
        }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        [DoltFact]
        public void New_and_Sync_back_up_a_real_server_and_dolt_backup_restore_brings_back_every_branch()
        {
            using var dir = new TempDir("doltbackup-real");
            string home = dir.Combine("home");
            string data = dir.Combine("data");
            Directory.CreateDirectory(home);
            Dolt(dir.Path, home, "config", "--global", "--add", "user.name", "DoltBackup Test");
            Dolt(dir.Path, home, "config", "--global", "--add", "user.email", "test@example.com");
            foreach (var db in new[] { "alpha", "beta" })
            {
                string dbDir = Path.Combine(data, db);
                Directory.CreateDirectory(dbDir);
                Dolt(dbDir, home, "init");
                Dolt(dbDir, home, "sql", "-q", "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'one');");
                Dolt(dbDir, home, "add", "-A");
                Dolt(dbDir, home, "commit", "-m", "first");
                Dolt(dbDir, home, "branch", "dev");
                Dolt(dbDir, home, "tag", "v1");
            }

            int port = FreePort();
            var psi = new ProcessStartInfo(ExternalTools.Dolt) { WorkingDirectory = data, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["DOLT_ROOT_PATH"] = home;
            foreach (var a in new[] { "sql-server", "--host", "127.0.0.1", "--port", port.ToString(), "--data-dir", data })
            {
                psi.ArgumentList.Add(a);
            }
            using var server = Process.Start(psi);
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (true)
                {
                    using var probe = new TcpClient();
                    try
                    {
                        probe.Connect("127.0.0.1", port);
                        break;
                    }
                    catch (SocketException) when (DateTime.UtcNow < deadline)
                    {
                        Thread.Sleep(250);
                    }
                }

                using var shell = new PowerShellHost();
                string dest = dir.Combine("backups");
                var r = shell.Run("New-DoltBackup -Server $args[0] -Port $args[1] -TlsMode None -Destination $args[2] | Sync-DoltBackup", "127.0.0.1", port, dest);
                Assert.Empty(r.Errors);
                var m = (BackupManifest)r.Output.Single().BaseObject;
                Assert.Equal(BackupStatus.Completed, m.Status);
                Assert.Equal(new[] { "alpha", "beta" }, m.DatabaseNames);

                string restoreDir = dir.Combine("restore");
                Directory.CreateDirectory(restoreDir);
                foreach (var item in m.Databases)
                {
                    Assert.Equal("v1", item.Tags.Single().Name);
                    Dolt(restoreDir, home, "backup", "restore", item.Url, item.Name + "_restored");
                    var restored = Heads(Path.Combine(restoreDir, item.Name + "_restored"), home);
                    Assert.Equal(item.Branches.ToDictionary(b => b.Name, b => b.Hash), restored);
                }

                // Idempotent: a second pipeline run registers nothing new and syncs again.
                var again = shell.Run("New-DoltBackup -Server $args[0] -Port $args[1] -TlsMode None -Destination $args[2] | Sync-DoltBackup", "127.0.0.1", port, dest);
                Assert.Empty(again.Errors);
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill(true);
                    server.WaitForExit(10000);
                }
            }
        }
    }
}
