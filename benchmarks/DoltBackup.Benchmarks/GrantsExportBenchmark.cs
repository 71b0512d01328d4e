using System;
using DoltBackup.Tests.Infrastructure;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Grants;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Export-DoltGrants' service against `mariadb-dump --system=users` on one private MariaDB holding 5,000 accounts
    /// with 3 grants each (global, database and table level), in the same run, both over TCP to 127.0.0.1 and both
    /// writing a file. Runs are interleaved after one warm-up each; medians are compared. Goal: ratio &lt;= 1.0.
    /// </summary>
    public sealed class GrantsExportBenchmark : IBenchmark
    {
        public string Name => "grants";

        public string Description => "Export-DoltGrants vs mariadb-dump --system=users, 5,000 accounts x 3 grants (goal <= 1.0x)";

        public int Run(IReadOnlyList<string> args)
        {
            int accounts = args.Count > 0 && int.TryParse(args[0], out var a) ? a : 5000;
            int samples = args.Count > 1 && int.TryParse(args[1], out var s) ? s : 5;
            string dump = ExternalTools.Find("mariadb-dump", "/usr/bin") ?? ExternalTools.Find("mysqldump", "/usr/bin")
                          ?? throw new InvalidOperationException("mariadb-dump is not installed: apt-get install -y mariadb-client.");
            using var server = MariaDbServer.Start();
            var setup = Stopwatch.StartNew();
            Populate(server, accounts);
            Console.WriteLine($"setup: {accounts} accounts x 3 grants created in {setup.Elapsed.TotalSeconds:F1} s (MariaDB on 127.0.0.1:{server.Port})");

            string dir = Path.Combine(server.Root, "out");
            Directory.CreateDirectory(dir);
            var ours = new List<double>();
            var theirs = new List<double>();
            long ourBytes = 0, theirBytes = 0;
            for (int i = 0; i <= samples; i++)
            {
                // i == 0 is the warm-up of both (JIT, connection pool, server caches); it is not counted.
                var sw = Stopwatch.StartNew();
                var export = GrantsExporter.ForServer(server.AdminSettings()).Export(new GrantsReadOptions(), new GrantsScriptOptions());
                var result = GrantsExporter.WriteFile(export, Path.Combine(dir, "grants.sql"));
                sw.Stop();
                if (export.Snapshot.Failures.Count > 0 || export.Snapshot.Accounts.Count < accounts)
                {
                    throw new InvalidOperationException($"export incomplete: {export.Snapshot.Accounts.Count} accounts, {export.Snapshot.Failures.Count} failures: {export.Snapshot.Failures.FirstOrDefault()}");
                }
                ourBytes = result.Size;
                double dumpMs = RunDump(dump, server, Path.Combine(dir, "dump.sql"), out theirBytes);
                if (i > 0)
                {
                    ours.Add(sw.Elapsed.TotalMilliseconds);
                    theirs.Add(dumpMs);
                }
            }
            var phase = Stopwatch.StartNew();
            var snapshot = new MySqlGrantsSource(server.AdminSettings()).Read(new GrantsReadOptions());
            double readMs = phase.Elapsed.TotalMilliseconds;
            phase.Restart();
            int built;
            using (var c = new MySqlConnector.MySqlConnection($"Server=127.0.0.1;Port={server.Port};User ID={server.AdminUser};Password={server.AdminPassword};SslMode=None"))
            {
                c.Open();
                built = MariaDbGrantTables.Build(c, snapshot.Accounts).Count;
            }
            Console.WriteLine($"grant tables: {built} of {snapshot.Accounts.Count} accounts built from the tables in {phase.Elapsed.TotalMilliseconds:F0} ms");
            phase.Restart();
            string text = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions());
            Console.WriteLine($"phases of one more export: read {readMs:F0} ms, write script {phase.Elapsed.TotalMilliseconds:F0} ms ({text.Length:N0} chars)");
            var showOnly = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                var export = GrantsExporter.ForServer(server.AdminSettings()).Export(new GrantsReadOptions { UseGrantTables = false }, new GrantsScriptOptions());
                GrantsExporter.WriteFile(export, Path.Combine(dir, "grants-show.sql"));
                showOnly.Add(sw.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"for reference, SHOW GRANTS only (batched, 2 connections): median {Median(showOnly):F0} ms of 3");
            double o = Median(ours), t = Median(theirs);
            Console.WriteLine($"samples: {samples} (interleaved, after one warm-up)");
            Console.WriteLine($"Export-DoltGrants service: median {o:F0} ms  [{string.Join(", ", ours.Select(x => x.ToString("F0")))}]  {ourBytes:N0} bytes");
            Console.WriteLine($"mariadb-dump --system=users: median {t:F0} ms  [{string.Join(", ", theirs.Select(x => x.ToString("F0")))}]  {theirBytes:N0} bytes");
            double ratio = o / t;
            Console.WriteLine($"ratio: {ratio:F2} (goal: <= 1.00)");
            return ratio <= 1.0 ? 0 : 1;
        }

        private static void Populate(MariaDbServer server, int accounts)
        {
            // mariadb-dump aborts on accounts --skip-name-resolve ignores (root@<hostname>); drop them so it can run.
            server.Execute("CREATE DATABASE bench; CREATE TABLE bench.t1 (a INT);" +
                           "DELETE FROM mysql.global_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1', '%', ''); FLUSH PRIVILEGES;");
            // One CREATE USER / GRANT at a time costs the server O(accounts) each; the grant tables are filled directly
            // instead and loaded with one FLUSH PRIVILEGES. Same result: each account has a password, PROCESS on *.*,
            // SELECT on bench.* and INSERT, UPDATE on bench.t1.
            // The Priv JSON is what CREATE USER on this server writes (version_id = the server's version).
            int versionId = server.VersionId();
            const int chunk = 1000;
            for (int start = 0; start < accounts; start += chunk)
            {
                var users = new StringBuilder("INSERT INTO mysql.global_priv (Host, User, Priv) VALUES ");
                var dbs = new StringBuilder("INSERT INTO mysql.db (Host, Db, User, Select_priv) VALUES ");
                var tables = new StringBuilder("INSERT INTO mysql.tables_priv (Host, Db, User, Table_name, Grantor, Table_priv) VALUES ");
                for (int i = start; i < Math.Min(accounts, start + chunk); i++)
                {
                    string sep = i == start ? "" : ",";
                    string user = $"bench_{i:D5}";
                    users.Append(sep).Append($"('%', '{user}', '{{\"access\":256,\"version_id\":{versionId},\"plugin\":\"mysql_native_password\",\"authentication_string\":\"{NativeHash("pw-" + i)}\",\"password_last_changed\":1795461953}}')");
                    dbs.Append(sep).Append($"('%', 'bench', '{user}', 'Y')");
                    tables.Append(sep).Append($"('%', 'bench', '{user}', 't1', 'bench_admin@%', 'Insert,Update')");
                }
                server.Execute(users + ";" + dbs + ";" + tables + ";");
            }
            server.Execute("FLUSH PRIVILEGES;");
        }

        /// <summary>mysql_native_password: '*' + upper-case hex of SHA1(SHA1(password)).</summary>
        private static string NativeHash(string password)
        {
            byte[] once = System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(password));
            return "*" + Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(once));
        }

        private static double RunDump(string dump, MariaDbServer server, string outFile, out long bytes)
        {
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$0\" --no-defaults -h 127.0.0.1 -P \"$1\" -u \"$2\" --system=users > \"$3\"");
            psi.ArgumentList.Add(dump);
            psi.ArgumentList.Add(server.Port.ToString());
            psi.ArgumentList.Add(server.AdminUser);
            psi.ArgumentList.Add(outFile);
            psi.Environment["MYSQL_PWD"] = server.AdminPassword;
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi);
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            sw.Stop();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("mariadb-dump failed: " + err);
            }
            bytes = new FileInfo(outFile).Length;
            return sw.Elapsed.TotalMilliseconds;
        }

        private static double Median(List<double> xs)
        {
            var s = xs.OrderBy(x => x).ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }
    }
}
