using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Writes a <see cref="GrantsSnapshot"/> as a replayable, deterministic SQL script:
    /// header; roles (CREATE ROLE IF NOT EXISTS, then their grants); accounts sorted by user and host (CREATE USER IF
    /// NOT EXISTS … IDENTIFIED WITH plugin AS 'hash' [ACCOUNT LOCK], then every SHOW GRANTS line with its privileges
    /// sorted); FLUSH PRIVILEGES; then, for Dolt, branch control (DELETE, then rows narrower before broader).
    /// Statements end with ";" at the end of a line; comments start with "-- ".
    /// </summary>
    public static class GrantsScriptWriter
    {
        /// <summary>Dolt's internal account for local CLI access: never locked or changed by a replay.</summary>
        public const string DoltLocalUser = "__dolt_local_user__";

        /// <summary>The script text.</summary>
        public static string Write(GrantsSnapshot snapshot, GrantsScriptOptions options)
        {
            options = options ?? new GrantsScriptOptions();
            var sb = new StringBuilder();
            var accounts = snapshot.Accounts.OrderBy(a => a.Name).ToList();
            var roles = accounts.Where(a => a.IsRole).ToList();
            var users = accounts.Where(a => !a.IsRole).ToList();

            if (!options.NoHeader)
            {
                WriteHeader(sb, snapshot, options, roles.Count, users.Count);
            }

            sb.Append("-- Roles\n");
            if (roles.Count == 0)
            {
                sb.Append("-- (none)\n");
            }
            foreach (var role in roles)
            {
                sb.Append("CREATE ROLE IF NOT EXISTS ").Append(RoleSql(role.Name)).Append(";\n");
            }
            foreach (var role in roles)
            {
                sb.Append('\n').Append("-- Role ").Append(Comment(role.Name.ToString())).Append('\n');
                WriteGrants(sb, role);
            }

            sb.Append("\n-- Accounts\n");
            if (users.Count == 0)
            {
                sb.Append("-- (none)\n");
            }
            foreach (var user in users)
            {
                sb.Append('\n');
                WriteAccount(sb, user, snapshot, options);
            }

            foreach (var failure in snapshot.Failures.OrderBy(f => f.Account))
            {
                sb.Append("\n-- NOT EXPORTED: ").Append(Comment(failure.Account.ToString())).Append(": ").Append(Comment(failure.Message)).Append('\n');
            }

            sb.Append("\nFLUSH PRIVILEGES;\n");

            if (snapshot.HasBranchControl)
            {
                WriteBranchControl(sb, snapshot);
            }
            return sb.ToString();
        }

        /// <summary>True when the script must not lock or change this account (the exporting user, Dolt's local user).</summary>
        public static bool IsProtected(AccountName account, GrantsSnapshot snapshot, GrantsScriptOptions options)
            => account.User == DoltLocalUser || account.Equals(snapshot.CurrentUser) || (options?.ProtectedAccounts?.Contains(account) ?? false);

        private static void WriteHeader(StringBuilder sb, GrantsSnapshot s, GrantsScriptOptions o, int roles, int users)
        {
            string version = s.Kind == ServerKind.Dolt ? "Dolt " + (s.DoltVersion ?? s.ServerVersion) : (s.Kind == ServerKind.MariaDb ? "MariaDB " : "MySQL ") + s.ServerVersion;
            sb.Append("-- DoltBackup Export-DoltGrants\n");
            sb.Append("-- Server: ").Append(Comment(s.Endpoint ?? "")).Append(" (").Append(Comment(version)).Append(")\n");
            sb.Append("-- Exported (UTC): ").Append(s.ReadUtc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("-- Roles: ").Append(roles.ToString(CultureInfo.InvariantCulture)).Append(", accounts: ").Append(users.ToString(CultureInfo.InvariantCulture));
            if (s.Failures.Count > 0)
            {
                sb.Append(", not exported: ").Append(s.Failures.Count.ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
            sb.Append(o.ExcludePassword
                ? "-- Password hashes: left out (-ExcludePassword); accounts that had a password are created locked.\n"
                : "-- Password hashes: included. Keep this file secret.\n");
            sb.Append("-- Replay: Restore-DoltBackup -IncludeGrants, or any MySQL client as an account that may create users.\n\n");
        }

        private static void WriteAccount(StringBuilder sb, ServerAccount a, GrantsSnapshot s, GrantsScriptOptions o)
        {
            bool isProtected = IsProtected(a.Name, s, o);
            sb.Append("-- Account ").Append(Comment(a.Name.ToString()));
            if (isProtected)
            {
                sb.Append(" (protected: created only when missing, never locked)");
            }
            sb.Append('\n');
            var create = new StringBuilder("CREATE USER IF NOT EXISTS ").Append(a.Name.ToSql());
            bool lockIt = a.Locked;
            if (o.ExcludePassword)
            {
                if (a.HasPassword)
                {
                    sb.Append("-- Password left out (-ExcludePassword): set one, e.g. ALTER USER ").Append(Comment(a.Name.ToSql())).Append(" IDENTIFIED BY '...'").Append(isProtected ? "" : ", then unlock it").Append(".\n");
                    lockIt = true;
                }
            }
            else if (a.HasPassword)
            {
                create.Append(" IDENTIFIED WITH ").Append(PluginSql(a.Plugin)).Append(" AS ").Append(SqlText.Literal(a.AuthenticationString));
            }
            else if (!string.IsNullOrEmpty(a.Plugin) && !IsNativePassword(a.Plugin))
            {
                create.Append(" IDENTIFIED WITH ").Append(PluginSql(a.Plugin));
            }
            if (lockIt && !isProtected)
            {
                create.Append(" ACCOUNT LOCK");
            }
            sb.Append(create).Append(";\n");
            WriteGrants(sb, a);
        }

        private static void WriteGrants(StringBuilder sb, ServerAccount a)
        {
            foreach (string raw in a.Grants)
            {
                string line = GrantLineNormalizer.Normalize(raw);
                if (string.IsNullOrEmpty(line))
                {
                    continue;
                }
                if (a.HasPassword && line.IndexOf(a.AuthenticationString, StringComparison.Ordinal) >= 0)
                {
                    sb.Append("-- A SHOW GRANTS line of this account held its password hash and was left out.\n");
                    continue;
                }
                sb.Append(line).Append(";\n");
            }
        }

        private static void WriteBranchControl(StringBuilder sb, GrantsSnapshot s)
        {
            sb.Append("\n-- Branch control (Dolt): the tables are cleared, then rows go in narrower before broader,\n");
            sb.Append("-- because Dolt rejects a row that an existing row already covers with the same permissions.\n");
            sb.Append("-- The rows are server-wide, but Dolt shows these tables only inside a database: replay with a\n");
            sb.Append("-- current database (Restore-DoltBackup -IncludeGrants picks one; a MySQL client: USE <any database>;).\n");
            sb.Append("DELETE FROM dolt_branch_control;\n");
            foreach (var r in BranchControlOrdering.Sort(s.BranchControl))
            {
                sb.Append("INSERT INTO dolt_branch_control (`database`, `branch`, `user`, `host`, `permissions`) VALUES (")
                    .Append(SqlText.Literal(r.Database)).Append(", ").Append(SqlText.Literal(r.Branch)).Append(", ")
                    .Append(SqlText.Literal(r.User)).Append(", ").Append(SqlText.Literal(r.Host)).Append(", ")
                    .Append(SqlText.Literal(r.Permissions)).Append(");\n");
            }
            sb.Append("DELETE FROM dolt_branch_namespace_control;\n");
            foreach (var r in BranchControlOrdering.Sort(s.BranchNamespaceControl))
            {
                sb.Append("INSERT INTO dolt_branch_namespace_control (`database`, `branch`, `user`, `host`) VALUES (")
                    .Append(SqlText.Literal(r.Database)).Append(", ").Append(SqlText.Literal(r.Branch)).Append(", ")
                    .Append(SqlText.Literal(r.User)).Append(", ").Append(SqlText.Literal(r.Host)).Append(");\n");
            }
        }

        /// <summary>CREATE ROLE name: a MariaDB role has no host part.</summary>
        private static string RoleSql(AccountName role) => role.Host.Length == 0 ? SqlText.Literal(role.User) : role.ToSql();

        private static bool IsNativePassword(string plugin) => string.Equals(plugin, "mysql_native_password", StringComparison.OrdinalIgnoreCase);

        private static string PluginSql(string plugin)
        {
            if (string.IsNullOrEmpty(plugin))
            {
                return "mysql_native_password";
            }
            return plugin.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_')) ? plugin : SqlText.Literal(plugin);
        }

        /// <summary>Text safe inside a "-- " comment line (no line breaks).</summary>
        private static string Comment(string text) => (text ?? "").Replace("\r", " ").Replace("\n", " ");
    }
}
