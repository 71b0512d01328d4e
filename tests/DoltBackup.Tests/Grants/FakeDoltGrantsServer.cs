using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using DoltBackup.Grants;

namespace DoltBackup.Tests.Grants
{
    /// <summary>
    /// An in-memory stand-in for the SQL a Dolt sql-server answers to the grants reader and the grants replay. It is
    /// NOT Dolt: it follows dolt-transcripts.md ("Users, grants, branch control"): the branch-control tables exist only
    /// inside a user database, qualified (<c>sales.dolt_branch_control</c>) or under a current one; with no current
    /// database Dolt answers "no database selected" (1105), from mysql or information_schema "table not found:
    /// dolt_branch_control" (1146), an unknown database "database not found: x" (1049); a row covered by an existing
    /// broader one with the same permissions is a "duplicate primary key given" (1062). Account statements are accepted
    /// and recorded. The user databases come from a callback, so a fake restore engine can share them.
    /// </summary>
    public sealed class FakeDoltGrantsServer : IGrantsStatementExecutor
    {
        private static readonly string[] SystemSchemas = { "information_schema", "mysql" };
        private static readonly Regex Use = new Regex(@"^\s*USE\s+(`(?:[^`]|``)+`|\w+)\s*$", RegexOptions.IgnoreCase);
        private static readonly Regex Table = new Regex(@"^\s*(?<verb>SELECT\b.*?\bFROM|DELETE\s+FROM|INSERT\s+INTO)\s+(?:(?<db>`(?:[^`]|``)+`|\w+)\.)?`?(?<table>dolt_branch_control|dolt_branch_namespace_control)`?(?<rest>.*)$",
            RegexOptions.IgnoreCase | RegexOptions.Singleline);

        private readonly Func<IEnumerable<string>> _databases;

        /// <summary>A server whose user databases are <paramref name="databases"/> (read at every statement).</summary>
        public FakeDoltGrantsServer(Func<IEnumerable<string>> databases)
        {
            _databases = databases;
        }

        /// <summary>A fresh Dolt server's branch control: the single default row (%, %, %, %, write).</summary>
        public static FakeDoltGrantsServer Fresh(Func<IEnumerable<string>> databases)
        {
            var s = new FakeDoltGrantsServer(databases);
            s.Access.Add(new BranchControlRow("%", "%", "%", "%", "write"));
            return s;
        }

        /// <summary>The server of fixtures/dolt-server (expected.json): databases sales and inventory and their branch control.</summary>
        public static FakeDoltGrantsServer FromFixture()
        {
            var recorded = DoltServerRecording.Snapshot();
            var s = new FakeDoltGrantsServer(() => new[] { "inventory", "sales" });
            s.Access.AddRange(recorded.BranchControl);
            s.Namespace.AddRange(recorded.BranchNamespaceControl);
            return s;
        }

        public List<BranchControlRow> Access { get; } = new List<BranchControlRow>();
        public List<BranchNamespaceRow> Namespace { get; } = new List<BranchNamespaceRow>();
        /// <summary>The session's current database (null: none, as after connecting without one).</summary>
        public string CurrentDatabase { get; set; }
        /// <summary>Every statement sent, in order.</summary>
        public List<string> Sent { get; } = new List<string>();
        public AccountName CurrentUser { get; set; } = new AccountName("root", "localhost");
        public bool Disposed { get; private set; }

        public void Execute(string sql) => Query(sql);

        public IReadOnlyList<string[]> Query(string sql)
        {
            Sent.Add(sql);
            string text = sql.Trim().TrimEnd(';');
            if (text.Equals("SELECT DATABASE()", StringComparison.OrdinalIgnoreCase))
            {
                return new[] { new[] { CurrentDatabase } };
            }
            if (text.Equals("SHOW DATABASES", StringComparison.OrdinalIgnoreCase))
            {
                return _databases().Concat(SystemSchemas).OrderBy(n => n, StringComparer.Ordinal).Select(n => new[] { n }).ToArray();
            }
            var use = Use.Match(text);
            if (use.Success)
            {
                string name = Unquote(use.Groups[1].Value);
                CurrentDatabase = Resolve(name) ?? throw Error(1049, "database not found: " + name);
                return Array.Empty<string[]>();
            }
            var m = Table.Match(text);
            if (m.Success)
            {
                string table = m.Groups["table"].Value.ToLowerInvariant();
                if (m.Groups["db"].Success)
                {
                    string db = Unquote(m.Groups["db"].Value);
                    string resolved = Resolve(db) ?? throw Error(1049, "database not found: " + db);
                    if (IsSystem(resolved))
                    {
                        throw Error(1146, "table not found: " + table);
                    }
                }
                else if (CurrentDatabase == null)
                {
                    throw Error(1105, "no database selected");
                }
                else if (IsSystem(CurrentDatabase))
                {
                    throw Error(1146, "table not found: " + table);
                }
                return BranchControl(m.Groups["verb"].Value, table, m.Groups["rest"].Value);
            }
            // Account statements (CREATE USER/ROLE, GRANT, FLUSH PRIVILEGES): accepted, recorded in Sent.
            return Array.Empty<string[]>();
        }

        private IReadOnlyList<string[]> BranchControl(string verb, string table, string rest)
        {
            bool access = table == "dolt_branch_control";
            if (verb.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
            {
                return access
                    ? Access.Select(r => new[] { r.Database, r.Branch, r.User, r.Host, r.Permissions }).ToArray()
                    : Namespace.Select(r => new[] { r.Database, r.Branch, r.User, r.Host }).ToArray();
            }
            if (verb.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase))
            {
                if (access)
                {
                    Access.Clear();
                }
                else
                {
                    Namespace.Clear();
                }
                return Array.Empty<string[]>();
            }
            var v = Literals(rest.Substring(rest.IndexOf("VALUES", StringComparison.OrdinalIgnoreCase)));
            if (access)
            {
                var row = new BranchControlRow(v[0], v[1], v[2], v[3], v[4]);
                if (Access.Any(r => r.Permissions == row.Permissions && BranchControlOrdering.RowMatches(r, row.Database, row.Branch, row.User, row.Host)))
                {
                    throw Error(1062, $"duplicate primary key given: [\"{v[0]}\", \"{v[1]}\", \"{v[2]}\", \"{v[3]}\", \"{v[4]}\"]");
                }
                Access.Add(row);
            }
            else
            {
                Namespace.Add(new BranchNamespaceRow(v[0], v[1], v[2], v[3]));
            }
            return Array.Empty<string[]>();
        }

        private string Resolve(string name)
            => _databases().Concat(SystemSchemas).FirstOrDefault(d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase));

        private static bool IsSystem(string name) => SystemSchemas.Contains(name, StringComparer.OrdinalIgnoreCase);

        private static string Unquote(string id) => id.StartsWith("`", StringComparison.Ordinal) ? id.Substring(1, id.Length - 2).Replace("``", "`") : id;

        /// <summary>The single-quoted literals of a VALUES list, unescaped as SqlText.Literal escapes them.</summary>
        private static List<string> Literals(string values)
        {
            var list = new List<string>();
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] != '\'')
                {
                    continue;
                }
                var sb = new StringBuilder();
                for (i++; i < values.Length; i++)
                {
                    char c = values[i];
                    if (c == '\\' && i + 1 < values.Length)
                    {
                        char n = values[++i];
                        sb.Append(n == 'n' ? '\n' : n == 'r' ? '\r' : n == '0' ? '\0' : n == 'Z' ? '\u001a' : n);
                    }
                    else if (c == '\'' && i + 1 < values.Length && values[i + 1] == '\'')
                    {
                        sb.Append('\'');
                        i++;
                    }
                    else if (c == '\'')
                    {
                        break;
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }
                list.Add(sb.ToString());
            }
            return list;
        }

        private static GrantsStatementException Error(int code, string message) => new GrantsStatementException(message, code, false);

        public void Dispose() => Disposed = true;
    }
}
