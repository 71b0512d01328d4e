using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using MySqlConnector;

namespace DoltBackup.Grants
{
    /// <summary>
    /// The fast path for MariaDB 10.11: builds the SHOW GRANTS lines of ordinary accounts from the grant tables
    /// (mysql.global_priv, db, tables_priv, columns_priv, procs_priv, roles_mapping) read in one round trip. SHOW GRANTS
    /// makes the server scan every grant array once per account, so thousands of accounts cost it quadratic time; the
    /// tables cost one pass. Only accounts whose every grant is understood are built here: roles (SHOW GRANTS expands
    /// the roles granted to them), proxy grants, TLS requirements, resource limits, accounts written by another server
    /// version, and anything unknown are left to SHOW GRANTS. The lines equal SHOW GRANTS once normalized (tests check it).
    /// </summary>
    public static class MariaDbGrantTables
    {
        private static readonly string[] GlobalBits =
        {
            "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "RELOAD", "SHUTDOWN", "PROCESS", "FILE", null /* GRANT */,
            "REFERENCES", "INDEX", "ALTER", "SHOW DATABASES", "SUPER", "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE",
            "REPLICATION SLAVE", "BINLOG MONITOR", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "CREATE USER",
            "EVENT", "TRIGGER", "CREATE TABLESPACE", "DELETE HISTORY", "SET USER", "FEDERATED ADMIN", "CONNECTION ADMIN",
            "READ_ONLY ADMIN", "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "BINLOG ADMIN", "BINLOG REPLAY", "SLAVE MONITOR",
        };

        private static readonly (string Column, string Name)[] DbColumns =
        {
            ("Select_priv", "SELECT"), ("Insert_priv", "INSERT"), ("Update_priv", "UPDATE"), ("Delete_priv", "DELETE"), ("Create_priv", "CREATE"),
            ("Drop_priv", "DROP"), ("References_priv", "REFERENCES"), ("Index_priv", "INDEX"), ("Alter_priv", "ALTER"),
            ("Create_tmp_table_priv", "CREATE TEMPORARY TABLES"), ("Lock_tables_priv", "LOCK TABLES"), ("Execute_priv", "EXECUTE"),
            ("Create_view_priv", "CREATE VIEW"), ("Show_view_priv", "SHOW VIEW"), ("Create_routine_priv", "CREATE ROUTINE"),
            ("Alter_routine_priv", "ALTER ROUTINE"), ("Event_priv", "EVENT"), ("Trigger_priv", "TRIGGER"), ("Delete_history_priv", "DELETE HISTORY"),
        };

        private static readonly (string Value, string Name)[] TablePrivs =
        {
            ("Select", "SELECT"), ("Insert", "INSERT"), ("Update", "UPDATE"), ("Delete", "DELETE"), ("Create", "CREATE"), ("Drop", "DROP"),
            ("References", "REFERENCES"), ("Index", "INDEX"), ("Alter", "ALTER"), ("Create View", "CREATE VIEW"), ("Show view", "SHOW VIEW"),
            ("Trigger", "TRIGGER"), ("Delete versioning rows", "DELETE HISTORY"),
        };

        private static readonly HashSet<string> KnownJsonKeys = new HashSet<string>(StringComparer.Ordinal)
        {
            "access", "version_id", "plugin", "authentication_string", "password_last_changed", "account_locked", "default_role", "password_lifetime", "password_expired",
        };

        /// <summary>True for the MariaDB versions whose grant-table layout these rules were checked against (10.11).</summary>
        public static bool Supports(string serverVersion) => serverVersion != null && serverVersion.StartsWith("10.11.", StringComparison.Ordinal) && serverVersion.IndexOf("MariaDB", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>
        /// SHOW GRANTS lines for the accounts the tables fully describe; accounts missing from the result need SHOW
        /// GRANTS. Returns an empty map when the tables cannot be read.
        /// </summary>
        public static Dictionary<AccountName, List<string>> Build(MySqlConnection c, IEnumerable<ServerAccount> accounts)
        {
            var wanted = new HashSet<AccountName>(accounts.Where(a => !a.IsRole).Select(a => a.Name));
            var result = new Dictionary<AccountName, List<string>>();
            var state = new Dictionary<AccountName, AccountGrants>();
            var rejected = new HashSet<AccountName>();
            try
            {
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = "SELECT User, Host, Priv FROM mysql.global_priv;" +
                                      "SELECT * FROM mysql.db;" +
                                      "SELECT User, Host, Db, Table_name, CAST(Table_priv AS CHAR), CAST(Column_priv AS CHAR) FROM mysql.tables_priv;" +
                                      "SELECT User, Host, Db, Table_name, Column_name, CAST(Column_priv AS CHAR) FROM mysql.columns_priv;" +
                                      "SELECT User, Host, Db, Routine_name, CAST(Routine_type AS CHAR), CAST(Proc_priv AS CHAR) FROM mysql.procs_priv;" +
                                      "SELECT User, Host, Role, Admin_option FROM mysql.roles_mapping;" +
                                      "SELECT User, Host FROM mysql.proxies_priv";
                    using (var r = cmd.ExecuteReader())
                    {
                        while (r.Read())
                        {
                            var name = new AccountName(Text(r, 0), Text(r, 1));
                            if (wanted.Contains(name))
                            {
                                var g = ParseGlobal(Text(r, 2));
                                if (g == null)
                                {
                                    rejected.Add(name);
                                }
                                else
                                {
                                    state[name] = g;
                                }
                            }
                        }
                        r.NextResult();
                        ReadDb(r, state, rejected);
                        r.NextResult();
                        while (r.Read())
                        {
                            if (state.TryGetValue(new AccountName(Text(r, 0), Text(r, 1)), out var g))
                            {
                                g.Tables.Add((Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5)));
                            }
                        }
                        r.NextResult();
                        while (r.Read())
                        {
                            if (state.TryGetValue(new AccountName(Text(r, 0), Text(r, 1)), out var g))
                            {
                                g.Columns.Add((Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5)));
                            }
                        }
                        r.NextResult();
                        while (r.Read())
                        {
                            if (state.TryGetValue(new AccountName(Text(r, 0), Text(r, 1)), out var g))
                            {
                                g.Routines.Add((Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5)));
                            }
                        }
                        r.NextResult();
                        while (r.Read())
                        {
                            if (state.TryGetValue(new AccountName(Text(r, 0), Text(r, 1)), out var g))
                            {
                                g.Roles.Add((Text(r, 2), Text(r, 3) == "Y"));
                            }
                        }
                        r.NextResult();
                        while (r.Read())
                        {
                            rejected.Add(new AccountName(Text(r, 0), Text(r, 1)));
                        }
                    }
                }
            }
            catch (MySqlException)
            {
                return result;
            }
            foreach (var pair in state)
            {
                if (rejected.Contains(pair.Key))
                {
                    continue;
                }
                var lines = Lines(pair.Key, pair.Value);
                if (lines != null)
                {
                    result[pair.Key] = lines;
                }
            }
            return result;
        }

        private sealed class AccountGrants
        {
            public ulong Access;
            public string DefaultRole;
            public readonly List<(string Db, string[] Privileges, bool Grant)> Dbs = new List<(string, string[], bool)>();
            public readonly List<(string Db, string Table, string TablePriv, string ColumnPriv)> Tables = new List<(string, string, string, string)>();
            public readonly List<(string Db, string Table, string Column, string Priv)> Columns = new List<(string, string, string, string)>();
            public readonly List<(string Db, string Name, string Type, string Priv)> Routines = new List<(string, string, string, string)>();
            public readonly List<(string Role, bool Admin)> Roles = new List<(string, bool)>();
        }

        private static AccountGrants ParseGlobal(string json)
        {
            try
            {
                using (var doc = JsonDocument.Parse(json))
                {
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }
                    var g = new AccountGrants();
                    bool versioned = false;
                    foreach (var p in root.EnumerateObject())
                    {
                        if (!KnownJsonKeys.Contains(p.Name))
                        {
                            return null;
                        }
                        switch (p.Name)
                        {
                            case "access":
                                if (!p.Value.TryGetUInt64(out g.Access))
                                {
                                    return null;
                                }
                                break;
                            case "version_id":
                                // Bits were renamed and split up to 10.11 (SUPER, REPLICATION CLIENT, READ_ONLY ADMIN):
                                // only accounts written by 10.11 use the layout below.
                                versioned = p.Value.TryGetInt64(out long v) && v >= 101100 && v < 101200;
                                break;
                            case "default_role":
                                g.DefaultRole = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                                break;
                        }
                    }
                    if (!versioned || (g.Access >> GlobalBits.Length) != 0)
                    {
                        return null;
                    }
                    return g;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static void ReadDb(MySqlDataReader r, Dictionary<AccountName, AccountGrants> state, HashSet<AccountName> rejected)
        {
            var ordinals = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < r.FieldCount; i++)
            {
                ordinals[r.GetName(i)] = i;
            }
            var known = new HashSet<string>(DbColumns.Select(d => d.Column).Concat(new[] { "Grant_priv" }), StringComparer.OrdinalIgnoreCase);
            var unknownPrivColumns = ordinals.Keys.Where(k => k.EndsWith("_priv", StringComparison.OrdinalIgnoreCase) && !known.Contains(k)).ToList();
            while (r.Read())
            {
                var name = new AccountName(Text(r, ordinals["User"]), Text(r, ordinals["Host"]));
                if (!state.TryGetValue(name, out var g))
                {
                    continue;
                }
                if (unknownPrivColumns.Any(k => Text(r, ordinals[k]) == "Y") || DbColumns.Any(d => !ordinals.ContainsKey(d.Column)))
                {
                    rejected.Add(name);
                    continue;
                }
                var privileges = DbColumns.Where(d => Text(r, ordinals[d.Column]) == "Y").Select(d => d.Name).ToArray();
                g.Dbs.Add((Text(r, ordinals["Db"]), privileges, Text(r, ordinals["Grant_priv"]) == "Y"));
            }
        }

        private static List<string> Lines(AccountName account, AccountGrants g)
        {
            string grantee = Quote(account.User) + "@" + Quote(account.Host);
            var lines = new List<string>();
            foreach (var role in g.Roles.OrderBy(x => x.Role, StringComparer.Ordinal))
            {
                lines.Add("GRANT " + Quote(role.Role) + " TO " + grantee + (role.Admin ? " WITH ADMIN OPTION" : ""));
            }

            const ulong grantBit = 1UL << 10;
            ulong all = ((1UL << GlobalBits.Length) - 1) & ~grantBit;
            var global = (g.Access & all) == all ? new List<string> { "ALL PRIVILEGES" }
                : GlobalBits.Select((n, i) => (n, i)).Where(x => x.n != null && (g.Access & (1UL << x.i)) != 0).Select(x => x.n).ToList();
            lines.Add(Grant(global, "*.*", grantee, (g.Access & grantBit) != 0));

            foreach (var db in g.Dbs.OrderBy(d => d.Db, StringComparer.Ordinal))
            {
                var privileges = db.Privileges.Length == DbColumns.Length ? new List<string> { "ALL PRIVILEGES" } : db.Privileges.ToList();
                lines.Add(Grant(privileges, Quote(db.Db) + ".*", grantee, db.Grant));
            }

            foreach (var t in g.Tables.OrderBy(t => t.Db, StringComparer.Ordinal).ThenBy(t => t.Table, StringComparer.Ordinal))
            {
                var tableSet = Split(t.TablePriv);
                var columnSet = Split(t.ColumnPriv);
                if (tableSet.Any(v => v != "Grant" && TablePrivs.All(p => p.Value != v)) || columnSet.Any(v => tableSet.Contains(v)))
                {
                    return null;
                }
                var privileges = new List<string>();
                var tableNames = TablePrivs.Where(p => tableSet.Contains(p.Value)).Select(p => p.Name).ToList();
                if (tableNames.Count == TablePrivs.Length && columnSet.Count == 0)
                {
                    privileges.Add("ALL PRIVILEGES");
                }
                else
                {
                    privileges.AddRange(tableNames);
                }
                foreach (var cp in columnSet)
                {
                    var columns = g.Columns.Where(c => c.Db == t.Db && c.Table == t.Table && Split(c.Priv).Contains(cp)).Select(c => Quote(c.Column)).OrderBy(x => x, StringComparer.Ordinal).ToList();
                    if (columns.Count == 0)
                    {
                        return null;
                    }
                    privileges.Add(cp.ToUpperInvariant() + " (" + string.Join(", ", columns) + ")");
                }
                lines.Add(Grant(privileges, Quote(t.Db) + "." + Quote(t.Table), grantee, tableSet.Contains("Grant")));
            }

            foreach (var p in g.Routines.OrderBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.Db, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
            {
                var set = Split(p.Priv);
                bool execute = set.Contains("Execute"), alter = set.Contains("Alter Routine");
                if (set.Any(v => v != "Execute" && v != "Alter Routine" && v != "Grant") || (execute && alter))
                {
                    return null; // ALL PRIVILEGES on a routine, or something new: SHOW GRANTS knows how it prints.
                }
                var privileges = new List<string>();
                if (execute)
                {
                    privileges.Add("EXECUTE");
                }
                if (alter)
                {
                    privileges.Add("ALTER ROUTINE");
                }
                lines.Add(Grant(privileges, p.Type.ToUpperInvariant() + " " + Quote(p.Db) + "." + Quote(p.Name), grantee, set.Contains("Grant")));
            }

            if (!string.IsNullOrEmpty(g.DefaultRole))
            {
                lines.Add("SET DEFAULT ROLE " + Quote(g.DefaultRole) + " FOR " + grantee);
            }
            return lines;
        }

        private static string Grant(List<string> privileges, string on, string grantee, bool grantOption)
            => "GRANT " + (privileges.Count == 0 ? "USAGE" : string.Join(", ", privileges)) + " ON " + on + " TO " + grantee + (grantOption ? " WITH GRANT OPTION" : "");

        private static HashSet<string> Split(string set) => new HashSet<string>((set ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

        private static string Quote(string identifier) => "`" + identifier.Replace("`", "``") + "`";

        private static string Text(MySqlDataReader r, int i)
        {
            if (r.IsDBNull(i))
            {
                return "";
            }
            object v = r.GetValue(i);
            return v is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(v, CultureInfo.InvariantCulture);
        }
    }
}
