using System.Collections.Generic;
using System.Linq;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>The grants of a backup set replayed by a restore against a real MySQL-protocol server (MariaDB).</summary>
    [Collection("MariaDb")]
    public class GrantsReplayMariaDbTests
    {
        private readonly MariaDbFixture _fixture;

        public GrantsReplayMariaDbTests(MariaDbFixture fixture) => _fixture = fixture;

        private static List<string> Grants(MariaDbServer server, string user)
        {
            using var c = new MySqlConnection(server.AdminConnectionString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"SHOW GRANTS FOR '{user}'@'%'";
            var lines = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                lines.Add(r.GetString(0));
            }
            lines.Sort(System.StringComparer.Ordinal);
            return lines;
        }

        [MariaDbFact]
        public void A_restore_with_IncludeGrants_brings_back_dropped_accounts_with_their_grants_and_passwords()
        {
            var server = _fixture.Server;
            server.Execute("CREATE DATABASE IF NOT EXISTS rs_db");
            server.Execute("DROP USER IF EXISTS 'rs_app'@'%'");
            server.Execute("CREATE USER 'rs_app'@'%' IDENTIFIED BY 'Rs-app-pw-1'");
            server.Execute("GRANT SELECT, INSERT ON rs_db.* TO 'rs_app'@'%'");
            var before = Grants(server, "rs_app");
            Assert.Contains(before, g => g.Contains("`rs_db`"));

            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var manifest = RestoreFixtures.Manifest(dolt, dir.Path);
            var export = GrantsExporter.ForServer(server.AdminSettings()).Export(
                new GrantsReadOptions { Filter = new AccountFilter(new[] { "rs_app" }, null) }, new GrantsScriptOptions());
            GrantsExporter.WriteToBackup(export, manifest);

            server.Execute("DROP USER 'rs_app'@'%'");
            try
            {
                var fromDisk = ManifestStore.Read(dir.Path);
                var options = new RestoreOptions { IncludeGrants = true };
                var engine = new DoltEngineRestoreEngine(dolt);
                var plan = new RestorePlanner(new string[0]).Plan(fromDisk, options);
                var results = new RestoreOrchestrator(engine, null, new GrantsRunnerReplayer(server.AdminSettings()), new RecordingObserver()).Execute(plan, options);

                var group = Assert.Single(results.Artifacts);
                Assert.True(group.Status == RestoreStatus.Restored, group.Error);
                Assert.True(group.StatementCount >= 2);
                Assert.Equal(before, Grants(server, "rs_app"));
                var login = server.AdminSettings();
                login.UserName = "rs_app";
                using var c = DoltBackup.Server.MySqlConnectionFactory.Open(login.WithPassword("Rs-app-pw-1"));
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT CURRENT_USER()";
                Assert.Equal("rs_app@%", (string)cmd.ExecuteScalar());
            }
            finally
            {
                server.Execute("DROP USER IF EXISTS 'rs_app'@'%'");
            }
        }
    }
}
