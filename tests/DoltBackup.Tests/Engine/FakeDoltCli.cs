using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Tests.Engine
{
    /// <summary>
    /// A stand-in for the dolt CLI behind <see cref="IProcessRunner"/>. It is NOT Dolt: it answers the commands the CLI
    /// engine runs as Dolt 2.2.2 does (dolt-transcripts.md, "CLI"; Dolt's source for `dolt config --get`, which prints
    /// the value or exits 1 silently): `backup restore` without user.name/user.email in the config fails with
    /// "error reading from or writing to noms: Aborting commit due to empty author name. Is your config set?";
    /// `dolt sql` fills in Dolt's default identity (env.DefaultFailsafeConfig), so the same CALL dolt_backup('restore')
    /// works there, unless <see cref="SqlHasDefaultIdentity"/> is turned off. A restore creates &lt;name&gt;/.dolt/noms
    /// in the data directory; state queries answer from the restored store.
    /// </summary>
    public sealed class FakeDoltCli : IProcessRunner
    {
        private static readonly Regex Call = new Regex(@"^CALL dolt_backup\('restore', (?<force>'--force', )?(?<url>'(?:[^'\\]|''|\\.)*'), (?<name>'(?:[^'\\]|''|\\.)*')\)$");

        public string UserName { get; set; }
        public string UserEmail { get; set; }
        /// <summary>True (Dolt's behaviour): `dolt sql` uses Dolt System Account when the config has no identity.</summary>
        public bool SqlHasDefaultIdentity { get; set; } = true;
        /// <summary>Backup stores by URL: heads as a manifest records them.</summary>
        public Dictionary<string, DatabaseBackupItem> Stores { get; } = new Dictionary<string, DatabaseBackupItem>(StringComparer.Ordinal);
        /// <summary>Restored databases (name → store).</summary>
        public Dictionary<string, DatabaseBackupItem> Databases { get; } = new Dictionary<string, DatabaseBackupItem>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Every command line, in order.</summary>
        public List<string[]> Runs { get; } = new List<string[]>();

        public IEnumerable<string> Commands => Runs.Select(a => string.Join(" ", a));

        public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var a = arguments.ToArray();
            lock (Runs)
            {
                Runs.Add(a);
            }
            return Task.FromResult(Answer(a, workingDirectory));
        }

        private ProcessResult Answer(string[] a, string dataDir)
        {
            if (a.SequenceEqual(new[] { "version" }))
            {
                return Ok("dolt version 2.2.2\n");
            }
            if (a.Length == 3 && a[0] == "config" && a[1] == "--get")
            {
                string v = a[2] == "user.name" ? UserName : a[2] == "user.email" ? UserEmail : null;
                return v == null ? new ProcessResult { ExitCode = 1 } : Ok(v + "\n");
            }
            if (a.Length >= 4 && a[0] == "backup" && a[1] == "restore")
            {
                bool force = a[2] == "--force";
                return Restore(dataDir, a[force ? 3 : 2], a[force ? 4 : 3], force, UserName, UserEmail);
            }
            if (a.Length == 3 && a[0] == "sql" && a[1] == "-q" && Call.Match(a[2]) is var m && m.Success)
            {
                string name = SqlHasDefaultIdentity ? UserName ?? "Dolt System Account" : UserName;
                string email = SqlHasDefaultIdentity ? UserEmail ?? "doltuser@dolthub.com" : UserEmail;
                return Restore(dataDir, Unquote(m.Groups["url"].Value), Unquote(m.Groups["name"].Value), m.Groups["force"].Success, name, email);
            }
            if (a.Length == 7 && a[0] == "--use-db" && a[2] == "sql" && a[3] == "-r" && a[4] == "json" && a[5] == "-q")
            {
                if (!Databases.TryGetValue(a[1], out var db))
                {
                    return Fail($"database not found: {a[1]}\n");
                }
                if (a[6].Contains("dolt_branches"))
                {
                    return Json(db.Branches.Select(h => $"{{\"name\":\"{h.Name}\",\"hash\":\"{h.Hash}\"}}"));
                }
                if (a[6].Contains("dolt_tags"))
                {
                    return Json(db.Tags.Select(h => $"{{\"tag_name\":\"{h.Name}\",\"tag_hash\":\"{h.Hash}\"}}"));
                }
                if (a[6].Contains("dolt_hashof_db()"))
                {
                    return Json(new[] { $"{{\"h\":\"{db.WorkingSetHash}\"}}" });
                }
            }
            return Fail("fake dolt: unexpected command: " + string.Join(" ", a) + "\n");
        }

        private ProcessResult Restore(string dataDir, string url, string name, bool force, string userName, string userEmail)
        {
            if (Databases.ContainsKey(name) && !force)
            {
                return Fail($"database '{name}' already exists, use '--force' to overwrite\n");
            }
            if (!Stores.TryGetValue(url, out var store))
            {
                return Fail("not found\n");
            }
            if (string.IsNullOrEmpty(userName) || string.IsNullOrEmpty(userEmail))
            {
                string field = string.IsNullOrEmpty(userName) ? "name" : "email";
                return Fail($"error reading from or writing to noms: Aborting commit due to empty author {field}. Is your config set?\n");
            }
            Databases[name] = store;
            string noms = Path.Combine(dataDir, name, ".dolt", "noms");
            Directory.CreateDirectory(noms);
            File.WriteAllBytes(Path.Combine(noms, "LOCK"), Array.Empty<byte>());
            return Ok("\n");
        }

        private static string Unquote(string literal)
        {
            var sb = new StringBuilder();
            for (int i = 1; i < literal.Length - 1; i++)
            {
                char c = literal[i];
                if (c == '\\')
                {
                    sb.Append(literal[++i]);
                }
                else if (c == '\'')
                {
                    sb.Append('\'');
                    i++;
                }
                else
                {
                    sb.Append(c);
                }
            }
            return sb.ToString();
        }

        private static ProcessResult Ok(string stdout) => new ProcessResult { StandardOutput = stdout };
        private static ProcessResult Fail(string stderr) => new ProcessResult { ExitCode = 1, StandardError = stderr };
        private static ProcessResult Json(IEnumerable<string> rows) => Ok("{\"rows\": [" + string.Join(",", rows) + "]}\n");
    }
}
