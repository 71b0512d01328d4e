using System;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Restore;
using DoltBackup.Restore.PointInTime;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>Restore-DoltBackup -AsOf / -AsOfCommit in a hosted PowerShell engine, against the fake with dated commits (<see cref="PointInTimeHistory"/>).</summary>
    public sealed class PointInTimeCmdletTests : IDisposable
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();
        private readonly string _server;
        private readonly PointInTimeHistory _h;

        public PointInTimeCmdletTests()
        {
            _server = FakeServers.Register(_dolt);
            _h = new PointInTimeHistory(_dolt, _dir.Combine("root"));
        }

        public void Dispose() => _dir.Dispose();

        private static PointInTimeRestoreResult[] Results(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<PointInTimeRestoreResult>().ToArray();

        private string[] Writes => _dolt.Calls.Where(c => c.StartsWith("restore ", StringComparison.Ordinal) || c.StartsWith("move ", StringComparison.Ordinal)
                                                         || c.StartsWith("delete-", StringComparison.Ordinal) || c.StartsWith("drop ", StringComparison.Ordinal)).ToArray();

        private PowerShellResult Run(string extra, DateTime asOfUtc)
        {
            using var host = new PowerShellHost();
            return host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -Confirm:$false " + extra, _h.Root, asOfUtc, _server);
        }

        [Fact]
        public void As_of_a_moment_between_two_sets_takes_the_later_set_and_moves_every_branch_back()
        {
            var r = Run("-NewName sales_1330", PointInTimeHistory.At(13, 30));

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var result = Assert.Single(Results(r));
            Assert.Equal("20261101T150000Z-prod", result.BackupId);
            Assert.True(result.SetCoversMoment);
            Assert.Equal(RestoreStatus.Restored, result.Status);
            Assert.Equal(VerificationOutcome.Verified, result.Verification);
            var main = result.Branches.Single(b => b.Branch == "main");
            Assert.Equal((BranchAsOfAction.Moved, _h.C2, _h.C3), (main.Action, main.Commit, main.SetHead));
            Assert.Equal(PointInTimeHistory.At(12), main.CommitDateUtc);
            Assert.Equal("c2: more rows", main.Message);
            var feature = result.Branches.Single(b => b.Branch == "feature");
            Assert.Equal((BranchAsOfAction.Unchanged, _h.F1), (feature.Action, feature.Commit));
            Assert.Equal(new[] { "v2" }, result.DeletedTags);
            Assert.Equal(_h.C2, _dolt.Databases["sales_1330"].Branches["main"]);
            Assert.Equal(new[] { "v1" }, _dolt.Databases["sales_1330"].Tags.Keys);
            Assert.Equal(FakeDoltEngine.Hash("root/" + _h.C2), _dolt.Databases["sales_1330"].WorkingHash);
            Assert.Contains(r.Warnings, w => w.Contains("not committed at that moment"));
            // One dolt_log per branch, no more.
            Assert.Equal(new[] { "log sales_1330 feature", "log sales_1330 main" }, _dolt.Calls.Where(c => c.StartsWith("log ", StringComparison.Ordinal)).OrderBy(c => c));
        }

        [Fact]
        public void A_branch_made_after_the_moment_is_deleted_and_listed()
        {
            var r = Run("-Prefix pit_", PointInTimeHistory.At(12, 45));

            Assert.Empty(r.Errors);
            var result = Assert.Single(Results(r));
            Assert.Equal(BranchAsOfAction.Deleted, result.Branches.Single(b => b.Branch == "feature").Action);
            Assert.Equal(new[] { "main" }, _dolt.Databases["pit_sales"].Branches.Keys);
            Assert.Equal(_h.C2, _dolt.Databases["pit_sales"].Branches["main"]);
            Assert.Equal(VerificationOutcome.Verified, result.Verification);
        }

        [Fact]
        public void Merged_work_of_another_branch_is_never_chosen_for_main()
        {
            string f2 = _dolt.Commit(_h.Source, "feature", PointInTimeHistory.At(15, 10), "f2: more feature work");
            string merge = _dolt.Merge(_h.Source, "main", "feature", PointInTimeHistory.At(15, 30), "merge feature");
            _h.Backup("sales", "20261101T160000Z-prod", PointInTimeHistory.At(16));

            var r = Run("-NewName s", PointInTimeHistory.At(15, 20));

            var result = Assert.Single(Results(r));
            Assert.Equal("20261101T160000Z-prod", result.BackupId);
            // main's own line: merge (15:30) is later, c3 (14:00) is its commit; f2 (15:10) came in through the merge.
            var main = result.Branches.Single(b => b.Branch == "main");
            Assert.Equal((BranchAsOfAction.Moved, merge, _h.C3), (main.Action, main.SetHead, main.Commit));
            Assert.Equal(f2, result.Branches.Single(b => b.Branch == "feature").Commit);
            Assert.Equal(VerificationOutcome.Verified, result.Verification);
        }

        [Fact]
        public void After_the_newest_set_the_newest_set_is_used_the_user_is_told_and_uncommitted_changes_are_not_kept()
        {
            _h.Source.WorkingHash = FakeDoltEngine.Hash("uncommitted rows"); // the set holds a dirty working set
            _h.Backup("sales", "20261101T160000Z-prod", PointInTimeHistory.At(16));

            var r = Run("-NewName s", PointInTimeHistory.At(18));

            var result = Assert.Single(Results(r));
            Assert.False(result.SetCoversMoment);
            Assert.Equal("20261101T160000Z-prod", result.BackupId);
            Assert.Equal(FakeDoltEngine.Hash("root/" + _h.C3), _dolt.Databases["s"].WorkingHash);
            Assert.Contains("move s main " + _h.C3, _dolt.Calls);
            Assert.Contains(r.Warnings, w => w.Contains("No set of 'sales' was taken at or after") && w.Contains("in no backup"));
            Assert.All(result.Branches, b => Assert.Equal(BranchAsOfAction.Unchanged, b.Action));
        }

        [Fact]
        public void In_place_with_Force_replaces_the_live_database_only_after_a_scratch_copy_proved_the_moment()
        {
            _dolt.Databases["sales"] = new FakeDoltEngine.Db();
            _dolt.Databases["sales"].Branches["main"] = "live";

            var r = Run("-Force", PointInTimeHistory.At(12, 45));

            Assert.Empty(r.Errors);
            var restores = _dolt.CallsOf("restore").ToArray();
            Assert.Equal(2, restores.Length);
            Assert.Matches("^restore file:///backups/prod/20261101T150000Z-prod/sales sales_asof_[0-9a-f]{8}$", restores[0]);
            Assert.Equal("restore file:///backups/prod/20261101T150000Z-prod/sales sales --force", restores[1]);
            Assert.Single(_dolt.CallsOf("drop"));
            Assert.Equal(new[] { "sales" }, _dolt.Databases.Keys);
            Assert.Equal(_h.C2, _dolt.Databases["sales"].Branches["main"]);
        }

        [Fact]
        public void An_existing_database_without_Force_is_refused_and_untouched()
        {
            var live = _dolt.AddDatabase("sales");
            var r = Run("", PointInTimeHistory.At(13));

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.DatabaseExists,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Empty(Writes);
            Assert.Same(live, _dolt.Databases["sales"]);
        }

        [Fact]
        public void WhatIf_shows_the_set_chosen_and_writes_nothing()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -NewName s -WhatIf", _h.Root, PointInTimeHistory.At(13, 30), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Empty(Results(r));
            Assert.Empty(Writes);
            Assert.DoesNotContain("s", _dolt.Databases.Keys);

            string text = host.Render("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -NewName s -WhatIf", _h.Root, PointInTimeHistory.At(13, 30), _server);
            Assert.Contains("What if:", text);
            Assert.Contains("20261101T150000Z-prod", text);
            Assert.Contains("main@" + _h.C3, text);
            // The fake's stores are no Dolt stores (absent here, or a fake's manifest without chunks): said, never guessed.
            Assert.Contains("The commit each branch would move to cannot be shown: the backup store could not be read without restoring it: its store /backups/prod/20261101T150000Z-prod/sales is not", text);
            Assert.DoesNotContain("moves to", text);
            Assert.Empty(Writes);
        }

        [Fact]
        public void A_moment_before_the_first_commit_is_an_error_and_nothing_stays_restored()
        {
            var r = Run("-NewName s", PointInTimeHistory.At(8));

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.AsOfBeforeFirstCommit,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("before the first commit", e.Exception.Message);
            Assert.Equal("20261101T110000Z-prod", Assert.Single(Results(r)).BackupId);
            Assert.Equal(RestoreStatus.Skipped, Results(r)[0].Status);
            Assert.DoesNotContain("s", _dolt.Databases.Keys);
            Assert.Equal(new[] { "drop s" }, _dolt.CallsOf("drop"));
            Assert.DoesNotContain(_dolt.Calls, c => c.StartsWith("move ", StringComparison.Ordinal));
        }

        [Fact]
        public void A_moment_in_the_future_is_refused_before_anything_is_read_or_written()
        {
            var r = Run("-NewName s", DateTime.UtcNow.AddDays(1));

            // A statement-terminating error (ThrowTerminatingError): in a script it lands in the error stream.
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.AsOfInFuture,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Empty(Results(r));
            Assert.Empty(_dolt.Calls);
        }

        [Fact]
        public void A_time_without_a_zone_is_local_time_and_the_user_is_told_once()
        {
            var local = PointInTimeHistory.At(13, 30).ToLocalTime();
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            var r = Run("-NewName s", unspecified);

            Assert.Empty(r.Errors);
            Assert.Single(r.Warnings, w => w.Contains("has no time zone") && w.Contains("local time"));
            var result = Assert.Single(Results(r));
            Assert.Equal(PointInTimeHistory.At(13, 30), result.AsOfUtc);
            Assert.Equal(_h.C2, result.Branches.Single(b => b.Branch == "main").Commit);
        }

        [Fact]
        public void A_root_with_no_completed_set_is_an_error_and_nothing_is_restored()
        {
            using var empty = new TempDir();
            var h = new PointInTimeHistory(_dolt, empty.Combine("root2"), "hr");
            foreach (var set in new[] { h.SetA, h.SetB })
            {
                set.Databases[0].Status = DoltBackup.Manifest.ItemStatus.Failed;
                DoltBackup.Manifest.ManifestStore.Write(set);
            }
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -Confirm:$false", h.Root, PointInTimeHistory.At(13), _server);

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.NoCompletedBackupSet,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Empty(Writes);
        }

        [Fact]
        public void Sets_from_the_pipeline_are_chosen_from_like_a_root()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] | Restore-DoltBackup -AsOf $args[1] -Server $args[2] -NewName s -Confirm:$false", _h.Root, PointInTimeHistory.At(10, 30), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var result = Assert.Single(Results(r));
            Assert.Equal("20261101T110000Z-prod", result.BackupId);
            Assert.Equal(_h.C1, result.Branches.Single().Commit);
            Assert.Equal(BranchAsOfAction.Unchanged, result.Branches.Single().Action);
        }

        [Fact]
        public void AsOfCommit_moves_the_branch_exactly_to_the_commit_and_the_others_by_its_date()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOfCommit $args[1] -Server $args[2] -NewName s -Confirm:$false", _h.Root, _h.C2.Substring(0, 10), _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var result = Assert.Single(Results(r));
            Assert.Equal("20261101T150000Z-prod", result.BackupId);
            Assert.Equal(_h.C2, result.Branches.Single(b => b.Branch == "main").Commit);
            Assert.Equal(PointInTimeHistory.At(12), result.AsOfUtc);
            Assert.Equal(BranchAsOfAction.Deleted, result.Branches.Single(b => b.Branch == "feature").Action);
        }

        [Fact]
        public void AsOfCommit_of_an_unknown_commit_is_an_error_and_nothing_stays_restored()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOfCommit 'aaaaaaaaaaaaaaaa' -Server $args[1] -NewName s -Confirm:$false", _h.Root, _server);

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.AsOfCommitNotFound,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.DoesNotContain("s", _dolt.Databases.Keys);
        }
        [Fact]
        public void Several_roots_are_read_together_and_AsOfCommit_needs_one_database()
        {
            using var other = new TempDir();
            var hr = new PointInTimeHistory(_dolt, other.Combine("root"), "hr");
            using var host = new PowerShellHost();

            var r = host.Run("Restore-DoltBackup -Path $args[0], $args[1] -AsOfCommit $args[2] -Server $args[3] -Prefix x_ -Confirm:$false", _h.Root, hr.Root, _h.C2, _server);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.InvalidRestoreRequest,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("-Database", e.ErrorDetails.RecommendedAction);
            Assert.Empty(Writes);

            var both = host.Run("Restore-DoltBackup -Path $args[0], $args[1] -AsOf $args[2] -Server $args[3] -Prefix x_ -Confirm:$false", _h.Root, hr.Root, PointInTimeHistory.At(13, 30), _server);
            Assert.Empty(both.Errors);
            Assert.Equal(new[] { "x_hr", "x_sales" }, Results(both).Select(x => x.TargetName));
        }

        [Fact]
        public void DataDir_with_Server_is_refused_naming_the_data_dir()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -DataDir $args[3] -NewName s -Confirm:$false", _h.Root, PointInTimeHistory.At(13, 30), _server, _dir.Path);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.InvalidRestoreRequest,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(_dir.Path, e.TargetObject);
            Assert.Empty(Writes);
        }

        [Fact]
        public void A_branch_with_no_commit_old_enough_on_its_line_is_reported_and_left_at_its_head()
        {
            // A branch whose history was rewritten with later dates: one root commit dated 16:00, already recorded at 15:10.
            string r1 = _dolt.Commit(_h.Source, "rewritten", PointInTimeHistory.At(16), "rewritten history");
            _dolt.Commits[r1].Parents.Clear();
            _h.Backup("sales", "20261101T151000Z-prod", PointInTimeHistory.At(15, 10));
            _h.Backup("sales", "20261101T170000Z-prod", PointInTimeHistory.At(17));

            var r = Run("-NewName s", PointInTimeHistory.At(15, 20));

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.PointInTimeBranchUnresolved,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("rewritten", e.Exception.Message);
            var result = Assert.Single(Results(r));
            Assert.Equal(("20261101T170000Z-prod", RestoreStatus.Restored, VerificationOutcome.Verified), (result.BackupId, result.Status, result.Verification));
            Assert.Equal(BranchAsOfAction.Unresolved, result.Branches.Single(b => b.Branch == "rewritten").Action);
            Assert.Equal(r1, _dolt.Databases["s"].Branches["rewritten"]);
            Assert.Equal(_h.C3, _dolt.Databases["s"].Branches["main"]);
        }

        [Fact]
        public void A_history_that_cannot_be_read_is_an_error_and_the_new_copy_is_dropped_again()
        {
            _h.Source.Branches["ghost"] = FakeDoltEngine.Hash("a commit the store lost");
            _h.Backup("sales", "20261101T160000Z-prod", PointInTimeHistory.At(16));

            var r = Run("-NewName s", PointInTimeHistory.At(15, 30));

            var e = Assert.Single(r.Errors);
            Assert.Contains("could not find a value for this hash", e.Exception.Message);
            Assert.Contains("Nothing stays restored", e.Exception.Message);
            Assert.Equal(RestoreStatus.Failed, Assert.Single(Results(r)).Status);
            Assert.Equal(new[] { "drop s" }, _dolt.CallsOf("drop"));
            Assert.DoesNotContain("s", _dolt.Databases.Keys);
        }
    }
}
