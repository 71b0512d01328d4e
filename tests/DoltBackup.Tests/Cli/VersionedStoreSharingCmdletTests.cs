using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// Issue 14: -Versioned file:// versions share unchanged table files by hard link, through the real cmdlets and a
    /// fake engine that writes stores as Dolt does (immutable files named by hash, manifest replaced by rename).
    /// </summary>
    public class VersionedStoreSharingCmdletTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 20, 2, 0, 0, DateTimeKind.Utc);

        /// <summary>Registers a version labelled <paramref name="at"/> (New-DoltBackup's work), then syncs it with Sync-DoltBackup.</summary>
        private static (BackupManifest Set, PowerShellResult Run) Version(CmdletTestBed bed, DateTime at, bool mustSucceed = true)
        {
            var service = new BackupRegistrationService(bed.Engine);
            var plan = service.PlanAsync(new NewBackupRequest
            {
                Name = "nightly", BaseUrl = BackupUrls.ToFileUrl(bed.Dest), Versioned = true, NowUtc = at, Source = new BackupSource { Server = bed.Host },
            }, CancellationToken.None).GetAwaiter().GetResult();
            foreach (var p in plan.Databases)
            {
                service.ApplyAsync(p, CancellationToken.None).GetAwaiter().GetResult();
            }
            ManifestStore.Write(plan.Manifest);
            var run = bed.Shell.Run("Sync-DoltBackup -Path $args[0] -Server $args[1] -Verbose", plan.Manifest.BackupFolder, bed.Host);
            Assert.True(!mustSucceed || (run.Terminating == null && run.Errors.Count == 0), run.AllText());
            return (ManifestStore.Read(plan.Manifest.ManifestPath), run);
        }

        private static string Store(BackupManifest set, string db) => BackupUrls.LocalPath(set.FindDatabase(db).Url);

        private static CmdletTestBed BedWithData()
        {
            var bed = new CmdletTestBed(2);
            bed.Engine.Databases["db1"].Commit(200_000);
            bed.Engine.Databases["db2"].Commit(100_000);
            return bed;
        }

        private static List<VerificationResult> Test(CmdletTestBed bed, BackupManifest set)
            => bed.Shell.Invoke("Test-DoltBackup -Path $args[0] -Deep", set.BackupFolder).Select(o => (VerificationResult)o.BaseObject).ToList();

        private static void AssertVerifies(CmdletTestBed bed, BackupManifest set)
        {
            var results = Test(bed, set);
            Assert.True(results.All(r => r.Status != VerificationStatus.Failed), string.Join("\n", results));
            // Every table file's content hashes to its name, and every chunk to its address.
            Assert.Contains(results, r => r.Check == "TableFile.Name" && r.Passed);
            Assert.DoesNotContain(results, r => r.Check == "TableFile.Name" && !r.Passed);
            Assert.Contains(results, r => r.Check == "TableFile.Chunks" && r.Passed);
        }

        [Fact]
        public void A_new_version_links_the_previous_versions_table_files_and_writes_only_new_ones()
        {
            using var bed = BedWithData();
            var (v1, firstRun) = Version(bed, T0);
            Assert.Equal(BackupStatus.Completed, v1.Status);
            Assert.Equal(StoreSeedMethod.FullSync, v1.FindDatabase("db1").Seed.Method);
            Assert.Single(firstRun.Verbose, v => v.Contains("No earlier Completed version"));
            Assert.Equal(v1.FindDatabase("db1").Bytes, v1.FindDatabase("db1").NewBytes);
            string v1Manifest = File.ReadAllText(Path.Combine(Store(v1, "db1"), "manifest"));

            var added = bed.Engine.Databases["db1"].Commit(3_000); // one small commit
            var (v2, secondRun) = Version(bed, T0.AddHours(1));
            Assert.Equal(BackupStatus.Completed, v2.Status);

            // v1 is untouched: same manifest, same files; v2 has the new file and shares the old by link.
            Assert.Equal(v1Manifest, File.ReadAllText(Path.Combine(Store(v1, "db1"), "manifest")));
            Assert.False(File.Exists(Path.Combine(Store(v1, "db1"), added.Name)));
            Assert.True(File.Exists(Path.Combine(Store(v2, "db1"), added.Name)));
            foreach (var table in bed.Engine.Databases["db1"].TableFiles.Where(t => t != added))
            {
                Assert.Equal(FileIdentity.Of(Path.Combine(Store(v1, "db1"), table.Name)), FileIdentity.Of(Path.Combine(Store(v2, "db1"), table.Name)));
            }
            Assert.NotEqual(FileIdentity.Of(Path.Combine(Store(v1, "db1"), "manifest")), FileIdentity.Of(Path.Combine(Store(v2, "db1"), "manifest")));
            Assert.NotEqual(FileIdentity.Of(Path.Combine(Store(v1, "db1"), "LOCK")), FileIdentity.Of(Path.Combine(Store(v2, "db1"), "LOCK")));

            // The manifest says how each store started and what it added.
            var item = v2.FindDatabase("db1");
            Assert.Equal(StoreSeedMethod.HardLink, item.Seed.Method);
            Assert.Equal(v1.Id, item.Seed.FromSet);
            Assert.Equal(1, item.Seed.LinkedFiles);
            Assert.Equal(new FileInfo(Path.Combine(Store(v1, "db1"), bed.Engine.Databases["db1"].TableFiles[0].Name)).Length, item.Seed.LinkedBytes);
            Assert.Equal(item.Bytes - item.Seed.LinkedBytes, item.NewBytes);
            Assert.True(item.NewBytes < 0.05 * v1.FindDatabase("db1").Bytes, $"new {item.NewBytes} of {item.Bytes}");
            Assert.Equal(v2.FindDatabase("db2").Bytes - v2.FindDatabase("db2").Seed.LinkedBytes, v2.FindDatabase("db2").NewBytes);
            Assert.DoesNotContain(secondRun.Verbose, v => v.Contains("No earlier Completed version"));
            Assert.DoesNotContain(secondRun.Warnings, w => w.Contains("Hard links"));

            AssertVerifies(bed, v1);
            AssertVerifies(bed, v2);
        }

        [Fact]
        public void Get_DoltBackup_shows_what_each_version_added_and_what_it_references()
        {
            using var bed = BedWithData();
            var (v1, _) = Version(bed, T0);
            var (v2, _) = Version(bed, T0.AddHours(1));
            var listed = bed.Shell.Invoke("Get-DoltBackup -Path $args[0]", bed.Dest);
            var newest = listed.First();
            Assert.Equal(v2.Id, ((BackupManifest)newest.BaseObject).Id);
            long total = (long)newest.Properties["Size"].Value;
            long added = (long)newest.Properties["NewSize"].Value;
            Assert.Equal(v2.Databases.Sum(d => d.Bytes.Value), total);
            Assert.Equal(v2.Databases.Sum(d => d.NewBytes.Value), added);
            Assert.True(added < total / 10, $"{added} of {total}");
            Assert.Equal(v1.Databases.Sum(d => d.Bytes.Value), (long)listed.Last().Properties["NewSize"].Value);

            string text = bed.Shell.Render("Get-DoltBackup -Path $args[0]", bed.Dest);
            string header = text.Split('\n').First(l => l.Contains("Id") && l.Contains("Size"));
            Assert.Contains("New", header);
        }

        [Fact]
        public void A_version_seeds_from_the_newest_Completed_version_not_from_a_failed_one()
        {
            using var bed = BedWithData();
            var (v1, _) = Version(bed, T0);
            bed.Engine.SyncFailures["db2"] = "backup sync failed: disk full";
            bed.Engine.Databases["db1"].Commit(2_000);
            var partial = Version(bed, T0.AddHours(1), mustSucceed: false).Set;
            Assert.Equal(BackupStatus.PartiallyCompleted, partial.Status);
            bed.Engine.SyncFailures.Clear();
            var (v3, _) = Version(bed, T0.AddHours(2));
            Assert.Equal(v1.Id, v3.FindDatabase("db1").Seed.FromSet);
            Assert.Equal(v1.Id, v3.FindDatabase("db2").Seed.FromSet);
            AssertVerifies(bed, v3);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        public void Deleting_any_version_leaves_every_other_version_whole(int victim)
        {
            using var bed = BedWithData();
            var versions = new List<BackupManifest>();
            for (int i = 0; i < 3; i++)
            {
                bed.Engine.Databases["db1"].Commit(5_000 + i);
                versions.Add(Version(bed, T0.AddHours(i)).Set);
            }
            string shared = Path.Combine(Store(versions[0], "db1"), bed.Engine.Databases["db1"].TableFiles[0].Name);
            Assert.Equal(3, FileIdentity.Links(shared));

            var gone = versions[victim];
            if (victim < 2)
            {
                var results = bed.Shell.Invoke("$id = $args[1]; Get-DoltBackup -Path $args[0] | Where-Object { $_.Id -eq $id } | Remove-DoltBackup -Force", bed.Dest, gone.Id)
                    .Select(o => (BackupRemovalResult)o.BaseObject).ToList();
                Assert.Equal(BackupRemovalAction.Deleted, results.Single(r => r.Id == gone.Id).Action);
            }
            else
            {
                // Remove-DoltBackup never deletes the newest Completed set; deleting its folder is what it would do.
                Directory.Delete(gone.BackupFolder, recursive: true);
            }
            Assert.False(Directory.Exists(gone.BackupFolder));

            foreach (var kept in versions.Where(v => v != gone))
            {
                AssertVerifies(bed, kept);
                Assert.Equal(2, FileIdentity.Links(Path.Combine(Store(kept, "db1"), bed.Engine.Databases["db1"].TableFiles[0].Name)));
                foreach (var db in new[] { "db1", "db2" })
                {
                    var item = kept.FindDatabase(db);
                    Assert.Equal(item.Bytes, Directory.GetFiles(Store(kept, db), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length));
                }
            }
        }

        [Fact]
        public void Test_DoltBackup_fails_a_damaged_shared_file_through_every_version_and_names_a_hand_replaced_one()
        {
            using var bed = BedWithData();
            var (v1, _) = Version(bed, T0);
            bed.Engine.Databases["db1"].Commit(4_000);
            var (v2, _) = Version(bed, T0.AddHours(1));
            string name = bed.Engine.Databases["db1"].TableFiles[0].Name;

            // By hand: v2's copy of a shared file replaced by other bytes (a new inode): v2 fails naming it, v1 passes.
            string replaced = Path.Combine(Store(v2, "db1"), name);
            byte[] bytes = File.ReadAllBytes(replaced);
            File.Delete(replaced);
            bytes[bytes.Length - 30] ^= 0xff; // inside the index: the name no longer matches
            File.WriteAllBytes(replaced, bytes);
            var results = Test(bed, v2);
            Assert.Contains(results, r => r.Status == VerificationStatus.Failed && r.Path == replaced);
            AssertVerifies(bed, v1);

            // A shared file damaged in place is damaged in every version that references it.
            string sharedInV1 = Path.Combine(Store(v1, "db2"), bed.Engine.Databases["db2"].TableFiles[0].Name);
            using (var fs = new FileStream(sharedInV1, FileMode.Open, FileAccess.Write))
            {
                fs.Seek(-30, SeekOrigin.End);
                fs.WriteByte(0x42);
            }
            Assert.Contains(Test(bed, v1), r => r.Status == VerificationStatus.Failed && r.Target == "db2");
            Assert.Contains(Test(bed, v2), r => r.Status == VerificationStatus.Failed && r.Target == "db2");
        }

        [Fact]
        public void Syncing_the_same_version_again_keeps_its_seed_record_and_writes_only_new_files()
        {
            using var bed = BedWithData();
            Version(bed, T0);
            var (v2, _) = Version(bed, T0.AddHours(1));
            var seed = v2.FindDatabase("db1").Seed;
            bed.Engine.Databases["db1"].Commit(1_000);
            var run = bed.Shell.Run("Sync-DoltBackup -Path $args[0] -Server $args[1]", v2.BackupFolder, bed.Host);
            Assert.Empty(run.Errors);
            var again = ManifestStore.Read(v2.ManifestPath).FindDatabase("db1");
            Assert.Equal(seed.Method, again.Seed.Method);
            Assert.Equal(seed.LinkedBytes, again.Seed.LinkedBytes);
            Assert.Equal(again.Bytes - seed.LinkedBytes, again.NewBytes);
        }

        /// <summary>Pester cannot run here; the Sync file (which has the versioned-sharing check) must at least parse.</summary>
        [Fact]
        public void The_Sync_Pester_file_parses()
        {
            System.Management.Automation.Language.Parser.ParseFile(Path.Combine(RepoPaths.Root, "tests", "pester", "Sync.Tests.ps1"), out _, out var errors);
            Assert.Empty(errors);
        }
    }
}
