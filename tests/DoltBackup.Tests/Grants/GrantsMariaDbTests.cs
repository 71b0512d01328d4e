using System;
using System.IO;
using System.Linq;
using DoltBackup.Grants;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    [Collection("MariaDb")]
    public class GrantsMariaDbTests
    {
        private readonly MariaDbFixture _fixture;

        public GrantsMariaDbTests(MariaDbFixture fixture) => _fixture = fixture;

        private static GrantsExport Export(MariaDbServer server, string[] include = null, string[] exclude = null, bool noHeader = true, int batch = 500)
            => GrantsExporter.ForServer(server.AdminSettings()).Export(
                new GrantsReadOptions { Filter = new AccountFilter(include, exclude), BatchSize = batch },
                new GrantsScriptOptions { NoHeader = noHeader });

        [MariaDbFact]
        public void Round_trip_into_a_fresh_server_keeps_every_grant_and_every_password()
        {
            var source = _fixture.Server;
            MariaDbAccounts.Create(source);
            var export = Export(source, include: new[] { "rt_*" }, batch: 3);
            Assert.True(export.Snapshot.Failures.Count == 0, string.Join("\n", export.Snapshot.Failures));
            Assert.Equal(ServerKind.MariaDb, export.Snapshot.Kind);
            string script = GrantsExporter.ScriptText(export);
            Assert.Contains("CREATE ROLE IF NOT EXISTS 'rt_role1';", script);
            Assert.Contains("CREATE USER IF NOT EXISTS 'rt_o''q`b\"x'@'%' IDENTIFIED WITH mysql_native_password AS '*", script);
            Assert.DoesNotContain("IDENTIFIED BY PASSWORD", script);

            using var target = MariaDbServer.Start();
            MariaDbAccounts.CreateSchema(target);
            var replay = GrantsScriptRunner.RunOnServer(target.AdminSettings(), script);
            Assert.True(replay.Success, string.Join("\n", replay.Failures));
            Assert.True(replay.Succeeded > 10);

            foreach (var (user, host) in MariaDbAccounts.All)
            {
                Assert.Equal(MariaDbAccounts.SortedGrants(source, user, host), MariaDbAccounts.SortedGrants(target, user, host));
                Assert.Equal(MariaDbAccounts.Authentication(source, user, host), MariaDbAccounts.Authentication(target, user, host));
            }
            foreach (var (user, host, password) in MariaDbAccounts.LoginAccounts)
            {
                string expectedHost = host.Length == 0 ? "%" : host;
                Assert.Equal(user + "@" + expectedHost, MariaDbAccounts.LogIn(target, user, password));
            }
            var locked = Assert.ThrowsAny<MySqlException>(() => MariaDbAccounts.LogIn(target, "rt_locked", "locked-pw"));
            Assert.Contains("locked", locked.Message, StringComparison.OrdinalIgnoreCase);

            // Replaying twice changes nothing and fails nowhere: every statement is idempotent.
            var again = GrantsScriptRunner.RunOnServer(target.AdminSettings(), script);
            Assert.True(again.Success, string.Join("\n", again.Failures));
        }

        [MariaDbFact]
        public void Two_exports_of_one_server_are_byte_identical_without_the_header()
        {
            MariaDbAccounts.Create(_fixture.Server);
            string a = GrantsExporter.ScriptText(Export(_fixture.Server));
            string b = GrantsExporter.ScriptText(Export(_fixture.Server, batch: 7));
            Assert.Equal(a, b);
            Assert.Contains("'rt_plain'@'%'", a);
            Assert.Contains("dbtest_admin", a);
            string withHeader = GrantsExporter.ScriptText(Export(_fixture.Server, noHeader: false));
            Assert.StartsWith("-- DoltBackup Export-DoltGrants\n-- Server: 127.0.0.1:" + _fixture.Server.Port + " (MariaDB 10.", withHeader);
        }

        [MariaDbFact]
        public void The_exporting_account_is_never_locked_by_the_script()
        {
            MariaDbAccounts.Create(_fixture.Server);
            var export = Export(_fixture.Server);
            Assert.Equal(new AccountName("dbtest_admin", "%"), export.Snapshot.CurrentUser);
            string line = GrantsExporter.ScriptText(export).Split('\n').Single(l => l.StartsWith("CREATE USER IF NOT EXISTS 'dbtest_admin'@'%'", StringComparison.Ordinal));
            Assert.DoesNotContain("ACCOUNT LOCK", line);
        }

        [MariaDbFact]
        public void An_account_without_SELECT_on_the_account_table_gets_an_error_naming_the_privilege()
        {
            var server = _fixture.Server;
            server.Execute("DROP USER IF EXISTS 'np_user'@'%'; CREATE USER 'np_user'@'%' IDENTIFIED BY 'np-pw';");
            var settings = new DoltBackup.Server.ServerConnectionSettings { Host = "127.0.0.1", Port = server.Port, UserName = "np_user", Tls = DoltBackup.Server.TlsMode.None }.WithPassword("np-pw");
            var e = Assert.Throws<GrantsPrivilegeException>(() => GrantsExporter.ForServer(settings).Export(new GrantsReadOptions(), new GrantsScriptOptions()));
            Assert.Equal("SELECT on mysql.global_priv", e.Privilege);
            Assert.Contains("SELECT on mysql.global_priv", e.Message);
            Assert.Contains("'np_user'@'%'", e.Message);
        }

        [MariaDbFact]
        public void One_unreadable_account_is_reported_and_the_others_are_exported()
        {
            var server = _fixture.Server;
            // A row added to mysql.global_priv without FLUSH PRIVILEGES: listed, but SHOW GRANTS FOR it fails (1141).
            server.Execute("DROP USER IF EXISTS 'rta_ok'@'%'; DROP USER IF EXISTS 'rtz_ok'@'%'; DELETE FROM mysql.global_priv WHERE User = 'rtghost';" +
                           "CREATE USER 'rta_ok'@'%' IDENTIFIED BY 'a'; CREATE USER 'rtz_ok'@'%' IDENTIFIED BY 'z';" +
                           "INSERT INTO mysql.global_priv (Host, User, Priv) VALUES ('%', 'rtghost', '{\"access\":0,\"plugin\":\"mysql_native_password\",\"authentication_string\":\"\"}');");
            try
            {
                foreach (int batch in new[] { 1, 2, 500 })
                {
                    var export = Export(server, include: new[] { "rta_ok", "rtghost", "rtz_ok" }, batch: batch);
                    var failure = Assert.Single(export.Snapshot.Failures);
                    Assert.Equal(new AccountName("rtghost", "%"), failure.Account);
                    Assert.Equal(1141, failure.ServerErrorCode);
                    Assert.Equal(new[] { "rta_ok", "rtz_ok" }, export.Snapshot.Accounts.Select(a => a.Name.User));
                    string script = GrantsExporter.ScriptText(export);
                    Assert.Contains("CREATE USER IF NOT EXISTS 'rtz_ok'@'%'", script);
                    Assert.Contains("-- NOT EXPORTED: 'rtghost'@'%'", script);
                    Assert.DoesNotContain("CREATE USER IF NOT EXISTS 'rtghost'", script);
                }
                // The failing account first in a batch: retried alone, reported, and the batch goes on after it.
                var first = Export(server, include: new[] { "rtghost", "rtz_ok" }, batch: 500);
                Assert.Equal(new AccountName("rtghost", "%"), Assert.Single(first.Snapshot.Failures).Account);
                Assert.Equal(new[] { "rtz_ok" }, first.Snapshot.Accounts.Select(a => a.Name.User));
            }
            finally
            {
                server.Execute("DELETE FROM mysql.global_priv WHERE User = 'rtghost';");
            }
        }

        [MariaDbFact]
        public void The_script_file_is_owner_only_and_its_hash_is_recorded()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            string path = dir.Combine("grants.sql");
            var result = GrantsExporter.WriteFile(Export(_fixture.Server, include: new[] { "rt_*" }), path);
            Assert.Equal(Path.GetFullPath(path), result.Path);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal(bytes.Length, result.Size);
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant(), result.Sha256);
            Assert.True(result.PasswordsIncluded);
            Assert.Equal(6, result.Accounts);
            Assert.Equal(2, result.Roles);
        }

        [MariaDbFact]
        public void Grants_built_from_the_grant_tables_equal_SHOW_GRANTS_for_every_account()
        {
            var server = _fixture.Server;
            MariaDbAccounts.Create(server);
            var viaTables = new MySqlGrantsSource(server.AdminSettings()).Read(new GrantsReadOptions { UseGrantTables = true });
            var viaShow = new MySqlGrantsSource(server.AdminSettings()).Read(new GrantsReadOptions { UseGrantTables = false });
            Assert.True(MariaDbGrantTables.Supports(viaTables.ServerVersion), viaTables.ServerVersion);

            using (var c = new MySqlConnection(server.AdminConnectionString()))
            {
                c.Open();
                var built = MariaDbGrantTables.Build(c, viaShow.Accounts);
                // Ordinary accounts take the fast path; roles, proxy holders and odd routine grants do not.
                foreach (var user in new[] { "rt_o'q`b\"x", "rt_ünï", "rt_empty_host", "rt_plain", "rt_locked", "dbtest_admin" })
                {
                    Assert.Contains(built.Keys, k => k.User == user);
                }
                Assert.DoesNotContain(built.Keys, k => k.User == "rt_role1" || k.User == "rt_net" || (k.User == "root" && k.Host == "localhost"));
            }

            static string Key(ServerAccount a) => a.Name.ToString();
            var expected = viaShow.Accounts.ToDictionary(Key, a => a.Grants.Select(GrantLineNormalizer.Normalize).OrderBy(l => l, StringComparer.Ordinal).ToList());
            var actual = viaTables.Accounts.ToDictionary(Key, a => a.Grants.Select(GrantLineNormalizer.Normalize).OrderBy(l => l, StringComparer.Ordinal).ToList());
            Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var k in expected.Keys)
            {
                Assert.Equal(expected[k], actual[k]);
            }
            Assert.Equal(viaShow.Failures.Select(f => f.Account), viaTables.Failures.Select(f => f.Account));
        }
    }
}
