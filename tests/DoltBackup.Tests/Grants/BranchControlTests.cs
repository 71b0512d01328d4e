using System;
using System.Linq;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    /// <summary>
    /// Branch control lives inside Dolt databases (dolt-transcripts, "Users, grants, branch control"): read qualified
    /// with a user database, replayed inside one, and a server without one says so. Against the transcript fake.
    /// </summary>
    public class BranchControlTests
    {
        private static string Rows(FakeDoltGrantsServer s)
            => string.Join("\n", s.Access.Select(r => r.ToString()).OrderBy(x => x, StringComparer.Ordinal)) + "\n--\n"
               + string.Join("\n", s.Namespace.Select(r => r.ToString()).OrderBy(x => x, StringComparer.Ordinal));

        private static string Script(GrantsSnapshot snapshot) => GrantsScriptWriter.Write(snapshot, new GrantsScriptOptions { NoHeader = true });

        /// <summary>The recorded accounts of the fixture server, with branch control read through the reader from <paramref name="server"/>.</summary>
        private static GrantsSnapshot ExportOf(FakeDoltGrantsServer server)
        {
            var snapshot = DoltServerRecording.Snapshot();
            snapshot.HasBranchControl = false;
            snapshot.BranchControl.Clear();
            snapshot.BranchNamespaceControl.Clear();
            BranchControlReader.Read(server, snapshot);
            return snapshot;
        }

        [Fact]
        public void The_fake_refuses_branch_control_outside_a_user_database_with_Dolts_errors()
        {
            var s = FakeDoltGrantsServer.FromFixture();
            var none = Assert.Throws<GrantsStatementException>(() => s.Query("SELECT * FROM dolt_branch_control"));
            Assert.Equal(("no database selected", 1105), (none.Message, none.ServerErrorCode.Value));
            s.Execute("USE mysql");
            var fromMysql = Assert.Throws<GrantsStatementException>(() => s.Query("SELECT * FROM dolt_branch_control"));
            Assert.Equal(("table not found: dolt_branch_control", 1146), (fromMysql.Message, fromMysql.ServerErrorCode.Value));
            var unknown = Assert.Throws<GrantsStatementException>(() => s.Execute("USE nosuch"));
            Assert.Equal(("database not found: nosuch", 1049), (unknown.Message, unknown.ServerErrorCode.Value));
            Assert.Equal(4, s.Query("SELECT * FROM sales.dolt_branch_control").Count);
            Assert.Single(s.Query("SELECT * FROM `inventory`.dolt_branch_namespace_control"));
            s.Execute("USE sales");
            var covered = Assert.Throws<GrantsStatementException>(() => s.Execute("INSERT INTO dolt_branch_control VALUES ('sales', 'main', 'reporter', '%', 'read')"));
            Assert.Equal(("duplicate primary key given: [\"sales\", \"main\", \"reporter\", \"%\", \"read\"]", 1062), (covered.Message, covered.ServerErrorCode.Value));
        }

        [Fact]
        public void The_reader_qualifies_the_tables_with_a_user_database_when_the_session_has_none()
        {
            var source = FakeDoltGrantsServer.FromFixture();
            var snapshot = ExportOf(source);

            Assert.Empty(snapshot.Warnings);
            Assert.True(snapshot.HasBranchControl);
            var recorded = DoltServerRecording.Snapshot();
            Assert.Equal(recorded.BranchControl.Select(r => r.ToString()), snapshot.BranchControl.Select(r => r.ToString()));
            Assert.Equal(recorded.BranchNamespaceControl.Select(r => r.ToString()), snapshot.BranchNamespaceControl.Select(r => r.ToString()));
            Assert.Null(source.CurrentDatabase);
            Assert.Contains(source.Sent, q => q.Contains("FROM `inventory`.dolt_branch_control", StringComparison.Ordinal));
            Assert.DoesNotContain(source.Sent, q => q.Contains("FROM dolt_branch", StringComparison.Ordinal));
        }

        [Fact]
        public void A_server_without_a_user_database_gives_one_warning_naming_branch_control_db_and_no_branch_control_in_the_script()
        {
            var empty = FakeDoltGrantsServer.Fresh(() => Array.Empty<string>());
            var snapshot = ExportOf(empty);

            Assert.False(snapshot.HasBranchControl);
            string warning = Assert.Single(snapshot.Warnings);
            Assert.Contains("branch_control.db", warning);
            Assert.Contains("no user database", warning);
            Assert.DoesNotContain("dolt_branch_control;", Script(snapshot));
        }

        [Fact]
        public void The_replay_switches_to_a_user_database_before_the_branch_control_statements()
        {
            string script = Script(ExportOf(FakeDoltGrantsServer.FromFixture()));
            var target = FakeDoltGrantsServer.Fresh(() => new[] { "sales" });

            var result = new GrantsScriptRunner(target).Run(script);

            Assert.True(result.Success, string.Join("\n", result.Failures.Select(f => f.Statement + ": " + f.Error)));
            Assert.Equal("sales", result.BranchControlDatabase);
            Assert.Equal(Rows(FakeDoltGrantsServer.FromFixture()), Rows(target));
            int use = target.Sent.IndexOf("USE `sales`");
            int delete = target.Sent.IndexOf("DELETE FROM dolt_branch_control");
            Assert.True(use >= 0 && use < delete, string.Join("\n", target.Sent));
            Assert.Contains("USE <any database>", script);
        }

        [Fact]
        public void A_replay_onto_a_server_without_databases_fails_only_the_branch_control_statements_and_says_why()
        {
            string script = Script(ExportOf(FakeDoltGrantsServer.FromFixture()));
            var target = FakeDoltGrantsServer.Fresh(() => Array.Empty<string>());

            var result = new GrantsScriptRunner(target).Run(script);

            var failures = result.Failures.ToList();
            Assert.Equal(2 + 4 + 1, failures.Count); // two DELETEs, four access rows, one namespace row
            Assert.All(failures, f => Assert.Contains("no user database", f.Error));
            Assert.All(failures, f => Assert.Contains("dolt_branch", f.Statement));
            Assert.True(result.Succeeded > 5);
            Assert.Equal("(%, %, %, %, write)", Assert.Single(target.Access).ToString());
        }

        [Fact]
        public void The_fixture_backup_restored_onto_an_empty_server_with_IncludeGrants_has_exactly_its_branch_control_rows()
        {
            using var dir = new TempDir();
            var dolt = new RestoreFakeDolt();
            var manifest = RestoreFixtures.Manifest(dolt, dir.Path, "inventory", "sales");
            var export = new GrantsExport { Snapshot = ExportOf(FakeDoltGrantsServer.FromFixture()), PasswordsIncluded = true };
            export.Script = GrantsScriptWriter.Write(export.Snapshot, new GrantsScriptOptions());
            GrantsExporter.WriteToBackup(export, manifest);

            // An empty server: no database yet, Dolt's default branch-control row.
            var target = FakeDoltGrantsServer.Fresh(() => dolt.Databases.Keys.ToList());
            var options = new RestoreOptions { IncludeGrants = true };
            var plan = new RestorePlanner(new string[0]).Plan(ManifestStore.Read(dir.Path), options);
            var observer = new RecordingObserver();
            var results = new RestoreOrchestrator(new DoltEngineRestoreEngine(dolt), null, new GrantsRunnerReplayer(() => target, "fake server"), observer).Execute(plan, options);

            Assert.All(results.Databases, d => Assert.Equal(RestoreStatus.Restored, d.Status));
            var grants = Assert.Single(results.Artifacts);
            Assert.True(grants.Status == RestoreStatus.Restored, grants.Error);
            Assert.Equal(Rows(FakeDoltGrantsServer.FromFixture()), Rows(target));
            Assert.Equal(4, target.Access.Count);
            Assert.Single(target.Namespace);
            Assert.Contains(observer.VerboseLines, l => l.Contains("inside database 'inventory'"));
            Assert.True(target.Disposed);
        }
    }
}
