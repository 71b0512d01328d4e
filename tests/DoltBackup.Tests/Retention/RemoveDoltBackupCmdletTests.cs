using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Catalog;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    // The EBS test expects no snapshot service: it runs apart from the tests that wire one.
    [Collection("RetentionServices")]
    public class RemoveDoltBackupCmdletTests
    {
        /// <summary>Daily sets for 60 days of two names, mixed statuses; returns the builder.</summary>
        private static BackupRootBuilder Root(TempDir dir)
        {
            var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
            for (int d = 0; d < 60; d++)
            {
                b.Add("prod", TimeSpan.FromDays(d).Add(TimeSpan.FromMinutes(30)), BackupRootBuilder.MixedStatus(d));
                b.Add("staging", TimeSpan.FromDays(d).Add(TimeSpan.FromHours(2)), BackupRootBuilder.MixedStatus(d + 1));
            }
            return b;
        }

        /// <summary>The ids the planner keeps for a policy over the root's sets now, without locks.</summary>
        private static HashSet<string> ExpectedSurvivors(BackupRootBuilder b, RetentionPolicy policy)
        {
            var plan = RetentionPlanner.Plan(DoltBackup.Catalog.BackupCatalog.ListRoot(b.Root).Sets, policy, DateTime.UtcNow, _ => false);
            return new HashSet<string>(plan.ToKeep.Select(d => d.Set.Id));
        }

        /// <summary>A cmdlet's terminating error is statement-terminating in a script: it lands in the error stream.</summary>
        private static string TerminatingId(PowerShellResult r) =>
            r.Terminating is IContainsErrorRecord t ? t.ErrorRecord.FullyQualifiedErrorId : r.Errors.Single().FullyQualifiedErrorId;

        private static BackupRemovalResult[] Results(PowerShellResult r) => r.Output.Select(o => (BackupRemovalResult)o.BaseObject).ToArray();

        [Fact]
        public void WhatIf_lists_exactly_what_would_go_and_deletes_nothing()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            var before = b.SurvivingIds();
            var expectedKept = ExpectedSurvivors(b, new RetentionPolicy { KeepLast = 5, OlderThan = TimeSpan.FromDays(14) });
            using var host = new PowerShellHost();

            var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 5 -OlderThan ([TimeSpan]::FromDays(14)) -WhatIf", dir.Path);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(before, b.SurvivingIds());
            var results = Results(r);
            Assert.Equal(120, results.Length);
            Assert.Equal(expectedKept.OrderBy(x => x), results.Where(x => x.Action == BackupRemovalAction.Kept).Select(x => x.Id).OrderBy(x => x));
            var wouldGo = results.Where(x => x.Action == BackupRemovalAction.Skipped).ToList();
            Assert.Equal(before.Except(expectedKept).OrderBy(x => x), wouldGo.Select(x => x.Id).OrderBy(x => x));
            Assert.All(wouldGo, x => Assert.StartsWith("-WhatIf: would be deleted", x.Reason));
            Assert.DoesNotContain(results, x => x.Action == BackupRemovalAction.Deleted);
            Assert.True(wouldGo.Count > 40, "the policy should delete a good part of 60 days of sets");
        }

        [Fact]
        public void Force_deletes_exactly_what_the_policy_does_not_keep()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            var expectedKept = ExpectedSurvivors(b, new RetentionPolicy { KeepLast = 7 });
            using var host = new PowerShellHost();

            var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 7 -Force", dir.Path);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(expectedKept.OrderBy(x => x), b.SurvivingIds().OrderBy(x => x));
            var results = Results(r);
            Assert.Equal(120 - expectedKept.Count, results.Count(x => x.Action == BackupRemovalAction.Deleted));
            Assert.All(results.Where(x => x.Action == BackupRemovalAction.Deleted), x => Assert.False(Directory.Exists(x.BackupFolder)));
            Assert.True(r.Progress.Count > 0 && r.Progress.Last().RecordType == ProgressRecordType.Completed);
            // Seven Completed sets per name survive, plus the unfinished ones younger than the seventh.
            foreach (var name in new[] { "prod", "staging" })
            {
                Assert.Equal(7, b.Sets.Count(s => s.Name == name && s.Status == BackupStatus.Completed && expectedKept.Contains(s.Id)));
            }
        }

        [Fact]
        public void A_set_whose_lock_is_held_survives_and_is_reported_skipped()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            var victim = b.Sets.Where(s => s.Name == "prod").OrderBy(s => s.CreatedUtc).First();
            using var host = new PowerShellHost();
            using (var held = BackupSetLock.TryAcquire(victim.BackupFolder))
            {
                var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 2 -Confirm:$false", dir.Path);
                Assert.Empty(r.Errors);
                var mine = Results(r).Single(x => x.Id == victim.Id);
                Assert.Equal(BackupRemovalAction.Skipped, mine.Action);
                Assert.Contains("lock", mine.Reason);
            }
            Assert.True(File.Exists(victim.ManifestPath));
            Assert.Contains(victim.Id, b.SurvivingIds());
            Assert.Equal(ExpectedSurvivors(b, new RetentionPolicy { KeepLast = 2 }).Count + 1, b.SurvivingIds().Count);
        }

        [Fact]
        public void Piped_sets_are_deleted_except_the_newest_completed_set()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0] -Status Failed | Remove-DoltBackup -Confirm:$false", dir.Path);

            Assert.Empty(r.Errors);
            var failed = b.Sets.Where(s => s.Status == BackupStatus.Failed).Select(s => s.Id).ToList();
            Assert.NotEmpty(failed);
            Assert.Equal(failed.OrderBy(x => x), Results(r).Where(x => x.Action == BackupRemovalAction.Deleted).Select(x => x.Id).OrderBy(x => x));
            Assert.Equal(b.Sets.Select(s => s.Id).Except(failed).OrderBy(x => x), b.SurvivingIds().OrderBy(x => x));

            var all = host.Run("Get-DoltBackup -Path $args[0] | Remove-DoltBackup -WhatIf", dir.Path);
            var results = Results(all);
            var kept = results.Where(x => x.Action == BackupRemovalAction.Kept).ToList();
            Assert.Equal(2, kept.Count); // the newest Completed set of prod and of staging
            Assert.All(kept, k => Assert.Contains("newest Completed", k.Reason));
            Assert.Equal(b.Sets.Count - failed.Count, b.SurvivingIds().Count);
        }

        [Fact]
        public void Piped_sets_with_a_policy_apply_it_to_those_sets()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0] -Name staging | Remove-DoltBackup -KeepLast 3 -Force", dir.Path);

            Assert.Empty(r.Errors);
            var staging = b.Sets.Where(s => s.Name == "staging").ToList();
            var completed = staging.Where(s => s.Status == BackupStatus.Completed).OrderByDescending(s => s.CreatedUtc).ToList();
            var third = completed[2].CreatedUtc;
            var expected = b.Sets.Where(s => s.Name == "prod" || s.CreatedUtc >= third).Select(s => s.Id);
            Assert.Equal(expected.OrderBy(x => x), b.SurvivingIds().OrderBy(x => x));
        }

        [Fact]
        public void Bad_input_is_refused_with_clear_errors_and_nothing_is_deleted()
        {
            using var dir = new TempDir();
            var b = Root(dir);
            Directory.CreateDirectory(dir.Combine("junk"));
            File.WriteAllText(dir.Combine("junk", "manifest.json"), "{ nope");
            int before = b.SurvivingIds().Count;
            using var host = new PowerShellHost();

            var noPolicy = host.Run("Remove-DoltBackup -Path $args[0] -Force", dir.Path);
            Assert.Empty(noPolicy.Output);
            Assert.Equal("DoltBackup.RetentionPolicyRequired,DoltBackup.Cmdlets.RemoveDoltBackupCommand", TerminatingId(noPolicy));

            var setFolder = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", b.Sets[0].BackupFolder);
            Assert.Equal("DoltBackup.NotABackupRoot,DoltBackup.Cmdlets.RemoveDoltBackupCommand", setFolder.Errors.Single().FullyQualifiedErrorId);

            var zero = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 0 -Force", dir.Path);
            Assert.StartsWith("ParameterArgumentValidationError", TerminatingId(zero));

            var missing = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", dir.Combine("nope"));
            Assert.Equal("DoltBackup.BackupRootNotFound,DoltBackup.Cmdlets.RemoveDoltBackupCommand", missing.Errors.Single().FullyQualifiedErrorId);

            Assert.Equal(before, b.SurvivingIds().Count);

            // The unreadable set is a warning, is never deleted, and does not stop the others.
            var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 50 -Force", dir.Path);
            Assert.Empty(r.Errors);
            Assert.Contains(r.Warnings, w => w.Contains("junk"));
            Assert.True(File.Exists(dir.Combine("junk", "manifest.json")));
        }

        [Fact]
        public void An_ebs_set_without_the_snapshot_service_is_a_non_terminating_error_and_stays()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
            var old = b.Add("prod", TimeSpan.FromDays(9), BackupStatus.Completed, BackupMethod.EbsSnapshot, m =>
            {
                m.Databases.Clear();
                m.Snapshots.Add(new VolumeSnapshot { SnapshotId = "snap-0123456789abcdef0", Status = ItemStatus.Completed });
            });
            var older = b.Add("prod", TimeSpan.FromDays(10), BackupStatus.Completed);
            b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed);
            using var host = new PowerShellHost();

            var previous = RetentionServices.SnapshotDeleterFactory;
            RetentionServices.SnapshotDeleterFactory = null;
            PowerShellResult r;
            try
            {
                r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", dir.Path);
            }
            finally
            {
                RetentionServices.SnapshotDeleterFactory = previous;
            }

            var error = r.Errors.Single();
            Assert.Equal("DoltBackup.SnapshotServiceUnavailable,DoltBackup.Cmdlets.RemoveDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Contains("snap-0123456789abcdef0", error.ErrorDetails.Message);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
            var results = Results(r);
            Assert.Equal(BackupRemovalAction.Failed, results.Single(x => x.Id == old.Id).Action);
            Assert.Equal(BackupRemovalAction.Deleted, results.Single(x => x.Id == older.Id).Action);
            Assert.True(File.Exists(old.ManifestPath));
        }

        [Fact]
        public void The_result_view_shows_id_status_action_and_reason_and_the_module_loads_it()
        {
            var view = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.LaidOutModule, "Retention.Format.ps1xml")).Descendants("View").Single();
            Assert.Equal(typeof(BackupRemovalResult).FullName, view.Element("ViewSelectedBy").Element("TypeName").Value);
            Assert.Equal(new[] { "Id", "Status", "Action", "Reason" }, view.Descendants("Label").Select(l => l.Value).ToArray());
            Assert.All(view.Descendants("PropertyName").Select(p => p.Value), p => Assert.NotNull(typeof(BackupRemovalResult).GetProperty(p)));
            Assert.Contains("out/DoltBackup/Retention.Format.ps1xml", File.ReadAllText(RepoPaths.ModuleManifest));
            using var host = new PowerShellHost();
            Assert.Contains("Retention.Format.ps1xml", string.Join(" ", host.Invoke("(Get-Module DoltBackup).ExportedFormatFiles").Select(o => o.ToString())));
        }

        [Fact]
        public void Versioned_file_data_goes_with_its_set_and_the_kept_sets_data_stays()
        {
            using var dir = new TempDir();
            string data = dir.Combine("data");
            var b = new BackupRootBuilder(dir.Combine("root"), DateTime.UtcNow);
            for (int d = 0; d < 6; d++)
            {
                b.Add("prod", TimeSpan.FromDays(d).Add(TimeSpan.FromMinutes(10)), BackupStatus.Completed, customize: m =>
                {
                    m.Destination.Versioned = true;
                    m.Destination.BaseUrl = "file://" + data;
                    foreach (var db in m.Databases)
                    {
                        string path = Path.Combine(data, m.Id.Substring(0, 16), db.Name);
                        db.Url = "file://" + path;
                        Directory.CreateDirectory(path);
                        File.WriteAllText(Path.Combine(path, "manifest"), "5:__DOLT__");
                    }
                });
            }
            var newestFirst = b.Sets.OrderByDescending(s => s.CreatedUtc).ToList();
            // The two oldest sets share db0 (the older one's version folder): whichever goes last takes it.
            var oldest = newestFirst[5];
            var second = newestFirst[4];
            Directory.Delete(second.Databases[0].Url.Substring("file://".Length), recursive: true);
            second.Databases[0].Url = oldest.Databases[0].Url;
            ManifestStore.Write(second);
            using var host = new PowerShellHost();

            var whatIf = Results(host.Run("Get-DoltBackup $args[0] | Remove-DoltBackup -KeepLast 2 -WhatIf", b.Root));
            var wouldDelete = whatIf.Where(x => x.Action == BackupRemovalAction.Skipped).SelectMany(x => x.DataPaths).OrderBy(x => x).ToArray();
            Assert.Equal(6, Directory.GetDirectories(data).Length);

            var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 2 -Force", b.Root);

            Assert.Empty(r.Errors);
            Assert.Equal(wouldDelete, Results(r).Where(x => x.Action == BackupRemovalAction.Deleted).SelectMany(x => x.DataPaths).OrderBy(x => x).ToArray());
            Assert.Contains(oldest.Databases[0].Url.Substring("file://".Length), wouldDelete);
            Assert.Single(r.Warnings); // the oldest set goes first and leaves db0 to the second, which then deletes it
            Assert.False(Directory.Exists(Path.Combine(data, oldest.Id.Substring(0, 16))));
            var left = Directory.GetDirectories(data).Select(Path.GetFileName).OrderBy(x => x).ToArray();
            Assert.Equal(newestFirst.Take(2).Select(s => s.Id.Substring(0, 16)).OrderBy(x => x).ToArray(), left);
            foreach (var kept in newestFirst.Take(2))
            {
                Assert.All(kept.Databases, db => Assert.True(File.Exists(Path.Combine(db.Url.Substring("file://".Length), "manifest"))));
            }
        }
    }
}
