using System;
using System.Collections.Generic;
using System.Linq;
using DoltBackup.Grants;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;

namespace DoltBackup.Tests.Grants
{
    /// <summary>Accounts with hard names, passwords, roles and grants of every level, created on a real MariaDB.</summary>
    public static class MariaDbAccounts
    {
        public const string Database = "rtdb";

        /// <summary>Accounts that can log in from 127.0.0.1, with their passwords.</summary>
        public static readonly (string User, string Host, string Password)[] LoginAccounts =
        {
            ("rt_o'q`b\"x", "%", "pw'1\"x`y\\z"),
            ("rt_ünï", "127.0.0.1", "pässwörd-ü"),
            ("rt_empty_host", "", "e-pw"),
            ("rt_plain", "%", "plain-pw"),
        };

        /// <summary>Every rt_ account and role the tests compare (user, host as stored).</summary>
        public static readonly (string User, string Host)[] All =
        {
            ("rt_o'q`b\"x", "%"), ("rt_ünï", "127.0.0.1"), ("rt_empty_host", "%"), ("rt_plain", "%"),
            ("rt_net", "10.0.%"), ("rt_locked", "%"), ("rt_role1", ""), ("rt_role2", ""),
        };

        private static string Lit(string s) => DoltBackup.Grants.SqlText.Literal(s);

        public static void CreateSchema(MariaDbServer server)
        {
            server.Execute($"CREATE DATABASE IF NOT EXISTS {Database}; CREATE TABLE IF NOT EXISTS {Database}.t1 (a INT, b INT); CREATE TABLE IF NOT EXISTS {Database}.t2 (a INT); CREATE DATABASE IF NOT EXISTS `rt\\_x`; " +
                           $"CREATE PROCEDURE IF NOT EXISTS {Database}.p1() SELECT 1; CREATE FUNCTION IF NOT EXISTS {Database}.f1() RETURNS INT DETERMINISTIC RETURN 1;");
        }

        public static void Create(MariaDbServer server)
        {
            CreateSchema(server);
            var sql = new List<string>();
            foreach (var a in All)
            {
                sql.Add(a.Host.Length == 0 && a.User.StartsWith("rt_role") ? $"DROP ROLE IF EXISTS {Lit(a.User)}" : $"DROP USER IF EXISTS {Lit(a.User)}@{Lit(a.Host)}");
            }
            foreach (var a in LoginAccounts)
            {
                sql.Add($"CREATE USER {Lit(a.User)}@{Lit(a.Host)} IDENTIFIED BY {Lit(a.Password)}");
            }
            sql.AddRange(new[]
            {
                "CREATE USER 'rt_net'@'10.0.%' IDENTIFIED BY 'net-pw'",
                "CREATE USER 'rt_locked'@'%' IDENTIFIED BY 'locked-pw' ACCOUNT LOCK",
                "CREATE ROLE rt_role1",
                "CREATE ROLE rt_role2",
                $"GRANT rt_role2 TO {Lit("rt_o'q`b\"x")}@'%' WITH ADMIN OPTION",
                $"GRANT SELECT ON {Database}.* TO rt_role1",
                "GRANT rt_role2 TO rt_role1",
                $"GRANT EXECUTE ON FUNCTION {Database}.f1 TO rt_role2",
                $"GRANT SELECT, INSERT ON {Database}.t1 TO {Lit("rt_o'q`b\"x")}@'%' WITH GRANT OPTION",
                $"GRANT UPDATE (b) ON {Database}.t1 TO 'rt_plain'@'%'",
                // Routine grants go to an ASCII name: MariaDB 10.11 double-encodes a non-ASCII user in mysql.procs_priv
                // and drops that grant at the next FLUSH PRIVILEGES (a server bug, seen with the mariadb client too).
                $"GRANT EXECUTE ON PROCEDURE {Database}.p1 TO 'rt_plain'@'%'",
                $"GRANT DELETE ON {Database}.* TO 'rt_ünï'@'127.0.0.1'",
                $"GRANT INSERT ON {Database}.t1 TO 'rt_ünï'@'127.0.0.1'",
                "GRANT rt_role1 TO 'rt_ünï'@'127.0.0.1'",
                "SET DEFAULT ROLE rt_role1 FOR 'rt_ünï'@'127.0.0.1'",
                "GRANT RELOAD, PROCESS ON *.* TO 'rt_empty_host'@'%'",
                $"GRANT ALL PRIVILEGES ON {Database}.* TO 'rt_net'@'10.0.%' WITH GRANT OPTION",
                $"GRANT EXECUTE, ALTER ROUTINE ON FUNCTION {Database}.f1 TO 'rt_net'@'10.0.%'",
                $"GRANT SELECT (b, a), INSERT (b), REFERENCES ON {Database}.t1 TO 'rt_plain'@'%'",
                $"GRANT ALL PRIVILEGES ON {Database}.t2 TO 'rt_plain'@'%' WITH GRANT OPTION",
                "GRANT CREATE, DROP ON `rt\\_x`.* TO 'rt_plain'@'%' WITH GRANT OPTION",
                "GRANT USAGE ON *.* TO 'rt_locked'@'%' WITH GRANT OPTION",
                "GRANT SELECT, SUPER, BINLOG MONITOR, SLAVE MONITOR, READ_ONLY ADMIN ON *.* TO 'rt_locked'@'%'",
            });
            server.Execute(string.Join(";\n", sql) + ";");
        }

        /// <summary>SHOW GRANTS of an account, normalized (privileges sorted, no hash) and sorted, as the round trip compares them.</summary>
        public static List<string> SortedGrants(MariaDbServer server, string user, string host)
        {
            using var c = new MySqlConnection(server.AdminConnectionString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SHOW GRANTS FOR " + (host.Length == 0 ? SqlText.Identifier(user) : SqlText.Identifier(user) + "@" + SqlText.Identifier(host));
            var lines = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                lines.Add(GrantLineNormalizer.Normalize(r.GetString(0)));
            }
            lines.Sort(StringComparer.Ordinal);
            return lines;
        }

        /// <summary>plugin, hash, locked, is_role of an account in mysql.global_priv.</summary>
        public static string Authentication(MariaDbServer server, string user, string host)
        {
            using var c = new MySqlConnection(server.AdminConnectionString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT CONCAT_WS('|', IFNULL(JSON_VALUE(Priv,'$.plugin'),''), IFNULL(JSON_VALUE(Priv,'$.authentication_string'),''), IFNULL(JSON_VALUE(Priv,'$.account_locked'),'false'), IFNULL(JSON_VALUE(Priv,'$.is_role'),'false')) FROM mysql.global_priv WHERE User = @u AND Host = @h";
            cmd.Parameters.AddWithValue("@u", user);
            cmd.Parameters.AddWithValue("@h", host);
            return cmd.ExecuteScalar() as string;
        }

        /// <summary>Logs in over TCP 127.0.0.1 and returns CURRENT_USER().</summary>
        public static string LogIn(MariaDbServer server, string user, string password)
        {
            var b = new MySqlConnectionStringBuilder { Server = "127.0.0.1", Port = (uint)server.Port, UserID = user, Password = password, SslMode = MySqlSslMode.None, Pooling = false, ConnectionTimeout = 5 };
            using var c = new MySqlConnection(b.ConnectionString);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT CURRENT_USER()";
            return (string)cmd.ExecuteScalar();
        }

        public static string Hash(MariaDbServer server, string user, string host) => Authentication(server, user, host)?.Split('|')[1];
    }
}
