using System;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    public class RestoreOrchestratorTests
    {
        internal static RestoreRunResults Run(RestoreFakeDolt dolt, BackupManifest m, RestoreOptions options, RecordingObserver observer,
            IConfigArtifactRestorer config = null, IGrantsReplayer grants = null)
        {
            var engine = new DoltEngineRestoreEngine(dolt);
            var plan = new RestorePlanner(engine.ListDatabasesAsync(default).GetAwaiter().GetResult(), options.DataDir).Plan(m, options);
            return new RestoreOrchestrator(engine, config, grants, observer).Execute(plan, options);
        }

        [Fact]
        public void Restores_every_database_and_proves_it_against_the_manifest()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales", "hr");
            var obs = new RecordingObserver();
            var r = Run(dolt, m, new RestoreOptions(), obs);

            Assert.Equal(new[] { "sales", "hr" }, r.Databases.Select(d => d.TargetName));
            Assert.All(r.Databases, d =>
            {
                Assert.Equal(RestoreStatus.Restored, d.Status);
                Assert.Equal(VerificationOutcome.Verified, d.Verification);
                Assert.Empty(d.Differences);
                Assert.Null(d.Error);
                Assert.Equal("20261123T020000Z-prod", d.BackupId);
            });
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales", "restore file:///backups/prod/hr hr" }, dolt.Restores);
            Assert.Equal(dolt.Stores["file:///backups/prod/sales"].Branches, dolt.Databases["sales"].Branches);
            Assert.Equal(2, obs.Databases.Count);
            // Progress ends with a completion record.
            Assert.Null(obs.ProgressRecords.Last().Status);
        }

        [Fact]
        public void An_existing_database_is_refused_without_Force_and_left_untouched()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales", "hr");
            var live = dolt.AddDatabase("sales", "live-sales");
            string liveMain = live.Branches["main"];
            var obs = new RecordingObserver();
            var r = Run(dolt, m, new RestoreOptions(), obs);

            var sales = r.Databases.Single(d => d.Database == "sales");
            Assert.Equal(RestoreStatus.Skipped, sales.Status);
            Assert.Equal("DatabaseExists", sales.ErrorId);
            Assert.Contains("already exists", sales.Error);
            Assert.Contains(".dolt_dropped_databases", sales.Error);
            Assert.Equal(VerificationOutcome.NotChecked, sales.Verification);
            // The engine never saw a restore of sales; the live database is the same object with the same head.
            Assert.DoesNotContain(dolt.Restores, c => c.Contains(" sales"));
            Assert.Same(live, dolt.Databases["sales"]);
            Assert.Equal(liveMain, dolt.Databases["sales"].Branches["main"]);
            Assert.Empty(dolt.Dropped);
            // The other database still went ahead.
            Assert.Equal(RestoreStatus.Restored, r.Databases.Single(d => d.Database == "hr").Status);
        }

        [Fact]
        public void Force_replaces_an_existing_database_and_says_Dolt_moves_it_to_dolt_dropped_databases()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales");
            var live = dolt.AddDatabase("sales", "live-sales");
            var obs = new RecordingObserver();
            var r = Run(dolt, m, new RestoreOptions { Force = true }, obs);

            var sales = Assert.Single(r.Databases);
            Assert.Equal(RestoreStatus.Restored, sales.Status);
            Assert.Equal(VerificationOutcome.Verified, sales.Verification);
            Assert.Equal(ExistingTargetKind.DoltDatabase, sales.ReplacedExisting);
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales --force" }, dolt.Restores);
            Assert.Same(live, Assert.Single(dolt.Dropped).Db);
            string asked = Assert.Single(obs.Asked);
            Assert.Contains("REPLACES", asked);
            Assert.Contains(".dolt_dropped_databases", asked);
            Assert.Contains("dolt_undrop", asked);
        }

        [Fact]
        public void Force_on_a_new_database_does_not_pass_force_to_Dolt()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales");
            Run(dolt, m, new RestoreOptions { Force = true }, new RecordingObserver());
            Assert.Equal(new[] { "restore file:///backups/prod/sales sales" }, dolt.Restores);
        }

        [Fact]
        public void One_failing_database_does_not_stop_the_others()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "a", "b", "c");
            dolt.RestoreFailures["b"] = "could not set destination root to the same value as this database's root";
            var r = Run(dolt, m, new RestoreOptions(), new RecordingObserver());

            Assert.Equal(new[] { RestoreStatus.Restored, RestoreStatus.Failed, RestoreStatus.Restored }, r.Databases.Select(d => d.Status));
            var b = r.Databases[1];
            Assert.Contains("could not set destination root", b.Error);
            Assert.NotNull(b.ErrorId);
            Assert.Equal(VerificationOutcome.NotChecked, b.Verification);
            Assert.False(dolt.Databases.ContainsKey("b"));
            Assert.Equal(3, dolt.Restores.Count());
        }

        [Fact]
        public void An_unreachable_server_stops_the_batch_and_the_rest_is_reported_not_attempted()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "a", "b");
            var engine = new DoltEngineRestoreEngine(dolt);
            var plan = new RestorePlanner(new string[0]).Plan(m, new RestoreOptions());
            dolt.Unreachable = true;
            var r = new RestoreOrchestrator(engine, null, null, new RecordingObserver()).Execute(plan, new RestoreOptions());

            Assert.Equal(RestoreStatus.Failed, r.Databases[0].Status);
            Assert.Equal("ConnectionRefused", r.Databases[0].ErrorId);
            Assert.Equal(RestoreStatus.Skipped, r.Databases[1].Status);
            Assert.Equal("RestoreNotAttempted", r.Databases[1].ErrorId);
            Assert.Empty(dolt.Restores.Skip(1));
        }

        [Fact]
        public void WhatIf_asks_about_every_database_and_changes_nothing()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales", "hr");
            dolt.AddDatabase("sales", "live");
            var obs = new RecordingObserver { Answer = false };
            var r = Run(dolt, m, new RestoreOptions { Force = true, Prefix = "t_" }, obs);

            Assert.Empty(r.Databases);
            Assert.Equal(2, obs.Asked.Count);
            Assert.Contains(obs.Asked, a => a.Contains("'t_sales'") && a.Contains("file:///backups/prod/sales"));
            Assert.Empty(dolt.Restores);
            Assert.Equal(new[] { "list" }, dolt.Calls);
            Assert.Equal(new[] { "sales" }, dolt.Databases.Keys);
        }

        [Fact]
        public void A_tampered_manifest_head_is_reported_as_Mismatch_with_the_difference()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales");
            m.Databases[0].Branches.Single(b => b.Name == "dev").Hash = "0000000000000000000000000000000t";
            var r = Run(dolt, m, new RestoreOptions(), new RecordingObserver());

            var sales = Assert.Single(r.Databases);
            Assert.Equal(RestoreStatus.Restored, sales.Status);
            Assert.Equal(VerificationOutcome.Mismatch, sales.Verification);
            string diff = Assert.Single(sales.Differences);
            Assert.Contains("branch 'dev'", diff);
            Assert.Contains("0000000000000000000000000000000t", diff);
            Assert.Equal("RestoreVerificationMismatch", sales.ErrorId);
        }

        [Fact]
        public void A_state_that_cannot_be_read_is_NotChecked_never_Verified()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales");
            dolt.StateFailures.Add("sales");
            var sales = Assert.Single(Run(dolt, m, new RestoreOptions(), new RecordingObserver()).Databases);
            Assert.Equal(RestoreStatus.Restored, sales.Status);
            Assert.Equal(VerificationOutcome.NotChecked, sales.Verification);
            Assert.Equal("RestoreVerificationFailed", sales.ErrorId);
        }

        [Fact]
        public void Prefix_restores_beside_the_originals_and_verifies_the_copies()
        {
            var dolt = new RestoreFakeDolt();
            var m = RestoreFixtures.Manifest(dolt, null, "sales", "hr");
            var live = dolt.AddDatabase("sales", "live");
            var r = Run(dolt, m, new RestoreOptions { Prefix = "check_" }, new RecordingObserver());
            Assert.Equal(new[] { "check_sales", "check_hr" }, r.Databases.Select(d => d.TargetName));
            Assert.All(r.Databases, d => Assert.Equal(VerificationOutcome.Verified, d.Verification));
            Assert.Same(live, dolt.Databases["sales"]);
        }

        [Fact]
        public void A_url_restore_has_nothing_to_verify_against()
        {
            var dolt = new RestoreFakeDolt();
            dolt.AddStore("file:///x/one", "one");
            var engine = new DoltEngineRestoreEngine(dolt);
            var plan = new RestorePlanner(new string[0]).PlanUrl("file:///x/one", "one", new RestoreOptions());
            var obs = new RecordingObserver();
            var r = new RestoreOrchestrator(engine, null, null, obs).Execute(plan, new RestoreOptions());
            var one = Assert.Single(r.Databases);
            Assert.Equal(RestoreStatus.Restored, one.Status);
            Assert.Equal(VerificationOutcome.NotChecked, one.Verification);
            Assert.Null(one.ErrorId);
            Assert.Contains(obs.VerboseLines, v => v.Contains("no recorded heads"));
        }
    }
}
