using System;
using System.Linq;
using DoltBackup.Grants;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    public class GrantsScriptWriterTests
    {
        private static string[] Lines(string script) => script.Split('\n');

        [Fact]
        public void Dolt_recording_gives_roles_then_sorted_accounts_then_flush_then_branch_control()
        {
            string script = GrantsScriptWriter.Write(DoltServerRecording.Snapshot(), new GrantsScriptOptions { NoHeader = true });
            var lines = Lines(script);
            int role = Array.IndexOf(lines, "CREATE ROLE IF NOT EXISTS 'writer'@'%';");
            Assert.True(role >= 0, script);
            var creates = lines.Where(l => l.StartsWith("CREATE USER IF NOT EXISTS", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[]
            {
                "CREATE USER IF NOT EXISTS '__dolt_local_user__'@'localhost' IDENTIFIED WITH mysql_native_password AS '*3C99F0D93FC7BC6F7A541171C3D592A7773391ED';",
                "CREATE USER IF NOT EXISTS 'app'@'10.0.%' IDENTIFIED WITH mysql_native_password AS '*72B37E3F4D899EDC98A9363172669E192CE424D5';",
                "CREATE USER IF NOT EXISTS 'backup_op'@'localhost' IDENTIFIED WITH mysql_native_password AS '*A743878528D14F3372EAD2763C97F1AEF3FA855B';",
                "CREATE USER IF NOT EXISTS 'event_scheduler'@'localhost' ACCOUNT LOCK;",
                "CREATE USER IF NOT EXISTS 'reporter'@'%' IDENTIFIED WITH mysql_native_password AS '*CE6951ABE5C056FD7054125C123E5185F9FCCF26';",
                "CREATE USER IF NOT EXISTS 'root'@'localhost';",
            }, creates);
            Assert.True(role < Array.IndexOf(lines, creates[0]));
            Assert.DoesNotContain("IDENTIFIED BY '", script);

            // Every SHOW GRANTS line, privileges sorted, after its CREATE USER.
            Assert.Contains("GRANT INSERT, UPDATE ON `inventory`.* TO `writer`@`%`;", lines);
            Assert.Contains("GRANT `writer`@`%` TO `app`@`10.0.%`;", lines);
            Assert.Contains("GRANT SELECT ON `sales`.* TO `reporter`@`%`;", lines);
            string rootGrant = lines.Single(l => l.EndsWith("TO `root`@`localhost` WITH GRANT OPTION;", StringComparison.Ordinal));
            Assert.StartsWith("GRANT ALTER, ALTER ROUTINE, CREATE, CREATE ROLE, CREATE ROUTINE, CREATE TABLESPACE, CREATE TEMPORARY TABLES, CREATE USER, CREATE VIEW, DELETE, DROP, DROP ROLE, EVENT, EXECUTE, FILE, INDEX, INSERT,", rootGrant);
            Assert.True(Array.IndexOf(lines, "GRANT `writer`@`%` TO `app`@`10.0.%`;") > Array.IndexOf(lines, creates[1]));

            int flush = Array.IndexOf(lines, "FLUSH PRIVILEGES;");
            int delete = Array.IndexOf(lines, "DELETE FROM dolt_branch_control;");
            Assert.True(flush > Array.IndexOf(lines, creates[^1]) && delete > flush);
            var inserts = lines.Where(l => l.StartsWith("INSERT INTO dolt_branch_control", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, inserts.Count);
            Assert.EndsWith("VALUES ('sales', 'feature%', 'app', '10.0.%', 'write');", inserts[0]);
            Assert.EndsWith("VALUES ('%', '%', '%', '%', 'read');", inserts[3]);
            int nsDelete = Array.IndexOf(lines, "DELETE FROM dolt_branch_namespace_control;");
            Assert.True(nsDelete > Array.IndexOf(lines, inserts[3]));
            Assert.Contains("INSERT INTO dolt_branch_namespace_control (`database`, `branch`, `user`, `host`) VALUES ('sales', 'release%', 'backup_op', 'localhost');", lines);
        }

        [Fact]
        public void The_exporting_user_and_the_dolt_local_user_are_never_locked()
        {
            var snapshot = DoltServerRecording.Snapshot();
            foreach (var a in snapshot.Accounts.Where(a => a.Name.User == "root" || a.Name.User == "__dolt_local_user__"))
            {
                a.Locked = true;
            }
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true });
            Assert.Contains("CREATE USER IF NOT EXISTS 'root'@'localhost';", script);
            Assert.Contains("'__dolt_local_user__'@'localhost' IDENTIFIED WITH mysql_native_password AS '*3C99F0D93FC7BC6F7A541171C3D592A7773391ED';", script);
            Assert.DoesNotContain("DROP USER", script);
            Assert.DoesNotContain("ALTER USER 'root'", script);
            Assert.DoesNotContain("REVOKE", script);
        }

        [Fact]
        public void Header_names_server_version_and_utc_time_and_NoHeader_leaves_it_out()
        {
            var snapshot = DoltServerRecording.Snapshot();
            string with = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions());
            Assert.StartsWith("-- DoltBackup Export-DoltGrants\n-- Server: 127.0.0.1:3391 (Dolt 2.2.2)\n-- Exported (UTC): 2026-11-23T19:10:00Z\n", with);
            string without = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true });
            Assert.DoesNotContain("Exported (UTC)", without);
            Assert.DoesNotContain("127.0.0.1:3391", without);
            Assert.EndsWith(without, with);
        }

        [Fact]
        public void Account_order_does_not_depend_on_the_order_the_server_returned()
        {
            var a = DoltServerRecording.Snapshot();
            var b = DoltServerRecording.Snapshot();
            b.Accounts.Reverse();
            b.BranchControl.Reverse();
            Assert.Equal(GrantsScriptWriter.Write(a, new GrantsScriptOptions { NoHeader = true }), GrantsScriptWriter.Write(b, new GrantsScriptOptions { NoHeader = true }));
        }

        [Fact]
        public void ExcludePassword_leaves_hashes_out_and_creates_accounts_with_passwords_locked()
        {
            var snapshot = DoltServerRecording.Snapshot();
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true, ExcludePassword = true });
            foreach (var a in snapshot.Accounts.Where(a => a.HasPassword))
            {
                Assert.DoesNotContain(a.AuthenticationString, script);
            }
            Assert.Contains("CREATE USER IF NOT EXISTS 'reporter'@'%' ACCOUNT LOCK;", script);
            // The exporting account is protected: never locked, even without its hash.
            Assert.Contains("CREATE USER IF NOT EXISTS 'root'@'localhost';", script);
            Assert.Contains("CREATE USER IF NOT EXISTS '__dolt_local_user__'@'localhost';", script);
        }

        [Fact]
        public void Odd_names_are_escaped_as_sql_string_literals()
        {
            var snapshot = new GrantsSnapshot { Kind = ServerKind.MySql, ServerVersion = "8.0", CurrentUser = new AccountName("admin", "%") };
            var odd = new ServerAccount { Name = new AccountName("o'q`b\\x\n", "") }.WithAuthentication("mysql_native_password", "*AB'C");
            odd.Grants.Add("GRANT USAGE ON *.* TO `o'q``b\\x\n`@``");
            snapshot.Accounts.Add(odd);
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true });
            Assert.Contains("CREATE USER IF NOT EXISTS 'o''q`b\\\\x\\n'@'' IDENTIFIED WITH mysql_native_password AS '*AB''C';", script);
            // The comment line naming the account has no raw line break in it.
            Assert.Contains("-- Account 'o'q`b\\x '@''", script);
            var statements = SqlScriptSplitter.Split(script);
            Assert.Equal(3, statements.Count);
        }

        [Fact]
        public void Failed_accounts_are_named_in_the_script()
        {
            var snapshot = DoltServerRecording.Snapshot();
            snapshot.Failures.Add(new AccountReadFailure { Account = new AccountName("ghost", "%"), Message = "There is no such grant defined" });
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions());
            Assert.Contains("-- NOT EXPORTED: 'ghost'@'%': There is no such grant defined", script);
            Assert.Contains("not exported: 1", script);
        }

        [Fact]
        public void A_grant_line_holding_the_hash_is_left_out()
        {
            var snapshot = new GrantsSnapshot { Kind = ServerKind.MySql, ServerVersion = "5.7" };
            var a = new ServerAccount { Name = new AccountName("u", "%") }.WithAuthentication("mysql_native_password", "*ABCDEF");
            a.Grants.Add("GRANT USAGE ON *.* TO 'u'@'%' IDENTIFIED BY PASSWORD '*ABCDEF'");
            a.Grants.Add("GRANT SELECT ON `d`.* TO 'u'@'%' /* odd *ABCDEF */");
            snapshot.Accounts.Add(a);
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true, ExcludePassword = true });
            Assert.DoesNotContain("*ABCDEF", script);
            Assert.Contains("GRANT USAGE ON *.* TO 'u'@'%';", script);
            Assert.Contains("held its password hash and was left out", script);
        }

        [Fact]
        public void MariaDb_roles_have_no_host_part()
        {
            var snapshot = new GrantsSnapshot { Kind = ServerKind.MariaDb, ServerVersion = "10.11" };
            var role = new ServerAccount { Name = new AccountName("r1", ""), IsRole = true };
            role.Grants.Add("GRANT USAGE ON *.* TO `r1`");
            snapshot.Accounts.Add(role);
            string script = GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true });
            Assert.Contains("CREATE ROLE IF NOT EXISTS 'r1';", script);
            Assert.DoesNotContain("HasBranchControl", script);
            Assert.DoesNotContain("dolt_branch_control", script);
        }
    }
}
