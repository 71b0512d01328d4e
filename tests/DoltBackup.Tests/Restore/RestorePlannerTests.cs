using System;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    public class RestorePlannerTests
    {
        private static BackupManifest Manifest(params string[] dbs) => RestoreFixtures.Manifest(new RestoreFakeDolt(), null, dbs);

        [Fact]
        public void Database_patterns_select_a_subset_with_wildcards_and_report_patterns_that_match_nothing()
        {
            var plan = new RestorePlanner(new string[0]).Plan(Manifest("sales", "sales_eu", "hr"), new RestoreOptions { DatabasePatterns = new[] { "SALES*", "nope", "zz*" } });
            Assert.Equal(new[] { "sales", "sales_eu" }, plan.Databases.Select(d => d.Database));
            // A plain name that is not in the set is a problem (it stops the restore); a wildcard that matches nothing only a warning.
            var p = Assert.Single(plan.Problems);
            Assert.Equal("DatabaseNotInBackup", p.ErrorId);
            Assert.Contains("nope", p.Message);
            Assert.Contains(plan.Warnings, w => w.Contains("'zz*'"));
        }

        [Fact]
        public void NewName_needs_exactly_one_database()
        {
            var e = Assert.Throws<ArgumentException>(() => new RestorePlanner(new string[0]).Plan(Manifest("a", "b"), new RestoreOptions { NewName = "x" }));
            Assert.Contains("-Database", e.Message);
            var plan = new RestorePlanner(new string[0]).Plan(Manifest("a", "b"), new RestoreOptions { NewName = "x", DatabasePatterns = new[] { "b" } });
            Assert.Equal("x", Assert.Single(plan.Databases).TargetName);
        }

        [Theory]
        [InlineData("../../etc")]
        [InlineData("a/b")]
        [InlineData(".hidden")]
        [InlineData("")]
        public void Unsafe_database_names_in_a_manifest_are_refused(string name)
        {
            var m = Manifest("ok");
            m.Databases.Add(new DatabaseBackupItem { Name = name, Url = "file:///x", Status = ItemStatus.Completed });
            var plan = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions());
            var bad = plan.Databases.Single(d => d.Database == name);
            Assert.Equal("InvalidDatabaseName", bad.RefusalErrorId);
            Assert.Null(plan.Databases.Single(d => d.Database == "ok").Refusal);
        }

        [Fact]
        public void Bad_NewName_or_Prefix_is_refused_before_anything_happens()
        {
            Assert.Throws<ArgumentException>(() => new RestorePlanner(new string[0]).Plan(Manifest("a"), new RestoreOptions { NewName = "../x" }));
            Assert.Throws<ArgumentException>(() => new RestorePlanner(new string[0]).Plan(Manifest("a"), new RestoreOptions { Prefix = "a/" }));
            Assert.Throws<ArgumentException>(() => new RestorePlanner(new string[0]).Plan(Manifest("a"), new RestoreOptions { Prefix = "p", NewName = "n" }));
        }

        [Fact]
        public void A_database_whose_backup_did_not_complete_is_refused()
        {
            var m = Manifest("a", "b");
            m.Databases[1].Status = ItemStatus.Failed;
            m.Databases[1].Error = "disk full";
            var plan = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions());
            Assert.Equal("DatabaseNotBackedUp", plan.Databases[1].RefusalErrorId);
            Assert.Contains("disk full", plan.Databases[1].Refusal);
            Assert.Single(plan.RunnableDatabases);
        }

        [Fact]
        public void Existing_names_are_found_case_insensitively_and_offline_plain_directories_too()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(Path.Combine(dir.Path, "hr"));                 // plain directory
            Directory.CreateDirectory(Path.Combine(dir.Path, "ops", ".dolt"));       // a Dolt database
            var plan = new RestorePlanner(new[] { "SALES" }, dir.Path).Plan(Manifest("sales", "hr", "ops", "new"), new RestoreOptions { Force = true });
            Assert.Equal(new[] { ExistingTargetKind.DoltDatabase, ExistingTargetKind.PlainEntry, ExistingTargetKind.DoltDatabase, ExistingTargetKind.None },
                plan.Databases.Select(d => d.Existing));
            Assert.Contains("DELETES it recursively", plan.Databases[1].Describe());
            Assert.All(plan.Databases, d => Assert.Null(d.Refusal));

            var refused = new RestorePlanner(new string[0], dir.Path).Plan(Manifest("hr"), new RestoreOptions());
            Assert.Contains("plain directory", Assert.Single(refused.Databases).Refusal);
        }

        [Fact]
        public void A_pushed_backup_is_not_restored_and_says_how_to_get_it_back()
        {
            var m = Manifest("a");
            m.Method = BackupMethod.Push;
            var plan = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions());
            Assert.Empty(plan.Databases);
            Assert.Contains("dolt clone", Assert.Single(plan.Problems).RecommendedAction);
        }

        [Fact]
        public void Configuration_is_planned_only_when_asked_and_otherwise_announced()
        {
            using var dir = new TempDir();
            var m = RestoreFixtures.Manifest(new RestoreFakeDolt(), dir.Path, "a");
            RestoreFixtures.AddArtifact(m, "ServerConfig", "config/server/config.yaml", "/etc/dolt/config.yaml", "listener: {}\n");
            RestoreFixtures.AddArtifact(m, "GrantsScript", "grants/grants.sql", null, "SELECT 1;\n");
            var without = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions());
            Assert.Empty(without.ConfigArtifacts);
            Assert.Contains(without.Warnings, w => w.Contains("-ConfigRoot"));
            var with = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions { ConfigRoot = dir.Combine("root"), IncludeGrants = true });
            Assert.Equal("ServerConfig", Assert.Single(with.ConfigArtifacts).Kind);
            Assert.Equal("grants/grants.sql", with.GrantsScript.StoredPath);
        }

        [Fact]
        public void IncludeGrants_without_a_grants_script_is_a_problem()
        {
            var plan = new RestorePlanner(new string[0]).Plan(Manifest("a"), new RestoreOptions { IncludeGrants = true });
            Assert.Equal("GrantsScriptNotInBackup", Assert.Single(plan.Problems).ErrorId);
            Assert.Null(plan.GrantsScript);
        }
    }
}
