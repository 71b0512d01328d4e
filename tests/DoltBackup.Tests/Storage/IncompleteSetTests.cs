using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Catalog;
using DoltBackup.Locking;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Incomplete sets: a set prefix (or folder) with objects but no manifest.json, left by a killed upload or a cut
    /// delete. Get-DoltBackup -IncludeIncomplete lists them; piped to Remove-DoltBackup they are deleted under the
    /// set's lock only when still without manifest.json, unlocked and older than -IncompleteMinimumAge.
    /// </summary>
    public class IncompleteSetTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private const string Old = "20260101T000000Z-n";
        private const string Newer = "20260201T000000Z-n";
        private const string Killed = "20260301T000000Z-n";
        // Shares its first characters with Killed: a prefix delete must not reach it.
        private const string KilledNeighbour = "20260301T000000Z-nn";

        /// <summary>
        /// A root with two complete sets, a killed upload (objects, no manifest), a complete set whose name extends
        /// the killed one's, shared store files under .stores and a stray folder that is not named like a set.
        /// </summary>
        private static void Populate(IBackupLocation root, TempDir dir)
        {
            foreach (string id in new[] { Old, Newer, KilledNeighbour })
            {
                BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, id, createdUtc: BackupId.TryParseTime(id)), root, id, null, None);
            }
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, Killed, archiveText: "0123456789"), root, Killed, null, None);
            root.Delete(Killed + "/" + BackupManifest.FileName, None);
            root.Put(".stores/n/abc", new MemoryStream(new byte[7]), None);
            root.Put("stray/file.bin", new MemoryStream(new byte[3]), None);
        }

        private static string[] Keys(IBackupLocation root) => root.List("", None).Select(o => o.Key).ToArray();

        public static System.Collections.Generic.IEnumerable<object[]> Drivers()
        {
            yield return new object[] { "memory" };
            foreach (var e in OffHostSetTests.Emulators())
            {
                yield return e;
            }
        }

        private static IBackupLocation Open(string driver, out string url, out StorageContext context)
        {
            if (driver == "memory")
            {
                url = "memory://test";
                context = null;
                return new MemoryBackupLocation();
            }
            (url, context) = OffHostSetTests.Root(driver);
            return BackupLocations.Open(url, context);
        }

        private static IBackupLocation OpenSet(IBackupLocation root, string driver, string url, StorageContext context, string id)
            => driver == "memory" ? new StagedDestinationTests.PrefixedLocation(((MemoryBackupLocation)root).SharedWith(), id) : BackupLocations.Open(url + "/" + id, context);

        [Theory]
        [MemberData(nameof(Drivers))]
        public void The_catalog_lists_a_prefix_without_manifest_named_like_a_set_as_incomplete_with_its_objects_bytes_and_time(string driver)
        {
            using var dir = new TempDir();
            using var root = Open(driver, out _, out _);
            Populate(root, dir);
            DateTime before = DateTime.UtcNow.AddMinutes(-5);

            var listing = RemoteSetCatalog.List(root, None);

            Assert.Equal(new[] { KilledNeighbour, Newer, Old }.OrderBy(x => x), listing.Sets.Select(s => s.Id).OrderBy(x => x));
            var killed = Assert.Single(listing.Incomplete);
            Assert.Equal(Killed, killed.Id);
            Assert.Equal("n", killed.Name);
            Assert.Equal(BackupStatus.Incomplete, killed.Status);
            Assert.Equal(root.DisplayName + "/" + Killed, killed.Location);
            var objects = root.List(Killed + "/", None);
            Assert.Equal(2, killed.ObjectCount);
            Assert.Equal(objects.Sum(o => o.Size), killed.Size);
            Assert.Equal(10 + "CREATE USER x;".Length, killed.Size);
            Assert.True(killed.LastWriteTimeUtc > before, killed.LastWriteTimeUtc.ToString());
            // .stores and a folder not named like a set are never taken for one.
            Assert.Contains(root.DisplayName + "/stray", listing.FoldersWithoutManifest);
            Assert.DoesNotContain(listing.FoldersWithoutManifest, f => f.EndsWith("/.stores", StringComparison.Ordinal));
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void RemoveIncomplete_deletes_only_an_old_unlocked_prefix_still_without_manifest(string driver)
        {
            using var dir = new TempDir();
            using var root = Open(driver, out string url, out var context);
            Populate(root, dir);
            var others = Keys(root).Where(k => !k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray();
            var killedKeys = Keys(root).Where(k => k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray();
            DateTime later = DateTime.UtcNow.AddDays(2);

            using (var set = OpenSet(root, driver, url, context, Killed))
            {
                // Too young: written just now, and the safety age is a day.
                var young = RemoteSetRemover.RemoveIncomplete(set, TimeSpan.FromHours(24), DateTime.UtcNow, None);
                Assert.Equal(IncompleteRemovalOutcome.TooYoung, young.Outcome);
                Assert.Equal(killedKeys, Keys(root).Where(k => k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray());

                // A writer holds the lock (a backup under way looks just like this).
                using (var writer = BackupSetTransfer.TryAcquireSetLock(OpenSet(root, driver, url, context, Killed), "", None))
                {
                    Assert.NotNull(writer);
                    var locked = RemoteSetRemover.RemoveIncomplete(set, TimeSpan.FromHours(24), later, None);
                    Assert.Equal(IncompleteRemovalOutcome.Locked, locked.Outcome);
                    Assert.Contains(Killed + "/data/a.tar", Keys(root));
                }
                root.Delete(Killed + "/" + BackupSetLock.FileName, None);

                var deleted = RemoteSetRemover.RemoveIncomplete(set, TimeSpan.FromHours(24), later, None);
                Assert.Equal(IncompleteRemovalOutcome.Deleted, deleted.Outcome);
                Assert.Equal(killedKeys.Length + 1, deleted.ObjectsDeleted);
                // Nothing else: not the neighbour whose name starts with the set's, not .stores, not the stray folder.
                Assert.Equal(others, Keys(root));

                // An empty prefix is left alone: taking its lock would write an object there.
                Assert.Equal(IncompleteRemovalOutcome.Missing, RemoteSetRemover.RemoveIncomplete(set, TimeSpan.Zero, later, None).Outcome);
                Assert.Equal(others, Keys(root));
            }
        }

        [Theory]
        [MemberData(nameof(Drivers))]
        public void RemoveIncomplete_leaves_a_set_whose_manifest_arrived_since_it_was_listed(string driver)
        {
            using var dir = new TempDir();
            using var root = Open(driver, out string url, out var context);
            Populate(root, dir);
            var listed = RemoteSetCatalog.List(root, None).Incomplete.Single();
            // The upload finishes after the listing.
            BackupSetTransfer.Publish(dir.Combine(Killed), root, Killed, null, None);
            var before = Keys(root);
            using (var set = OpenSet(root, driver, url, context, listed.Id))
            {
                Assert.Equal(IncompleteRemovalOutcome.HasManifest, RemoteSetRemover.RemoveIncomplete(set, TimeSpan.Zero, DateTime.UtcNow.AddDays(2), None).Outcome);
            }
            Assert.Equal(before, Keys(root));
        }

        [Fact]
        public void A_killed_uploads_stale_lock_is_taken_over_and_its_time_is_not_the_sets_age()
        {
            using var dir = new TempDir();
            DateTime now = DateTime.UtcNow;
            var clock = now.AddDays(-3);
            var store = new MemoryBackupLocation { UtcNow = () => clock };
            Populate(store, dir);
            // The killed writer took the set's lock three days ago and never let it go.
            var killedWriter = BackupSetTransfer.TryAcquireSetLock(new StagedDestinationTests.PrefixedLocation(store.SharedWith(), Killed), "", None);
            Assert.NotNull(killedWriter);
            // It renewed its lock object an hour ago (the drivers keep a lock as an object under the set), then died.
            clock = now.AddHours(-1);
            store.Put(Killed + "/" + BackupSetLock.FileName, new MemoryStream(new byte[1]), None);
            clock = now;

            var listed = RemoteSetCatalog.List(store, None).Incomplete.Single();
            Assert.Equal(3, listed.ObjectCount);
            Assert.Equal(now.AddDays(-3), listed.LastWriteTimeUtc);

            var set = new StagedDestinationTests.PrefixedLocation(store.SharedWith(), Killed);
            var removal = RemoteSetRemover.RemoveIncomplete(set, TimeSpan.FromHours(24), now, None);
            Assert.Equal(IncompleteRemovalOutcome.Deleted, removal.Outcome);
            Assert.Empty(store.List(Killed + "/", None));
            Assert.Contains(KilledNeighbour + "/" + BackupManifest.FileName, Keys(store));
        }

        private static PowerShellHost Host() => new PowerShellHost();

        private static BackupRemovalResult[] Results(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<BackupRemovalResult>().ToArray();

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Get_DoltBackup_IncludeIncomplete_lists_them_and_Remove_DoltBackup_deletes_them_on_the_emulators(string driver)
        {
            using var dir = new TempDir();
            using var root = Open(driver, out string url, out var context);
            Populate(root, dir);
            var others = Keys(root).Where(k => !k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray();
            using var host = Host();

            // Without the switch: the sets only (as before).
            var plain = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1]", url, context);
            Assert.True(plain.Errors.Count == 0 && plain.Terminating == null, plain.AllText());
            Assert.All(plain.Output, o => Assert.IsType<BackupManifest>(o.BaseObject));
            Assert.Equal(3, plain.Output.Count);

            var all = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -IncludeIncomplete", url, context);
            Assert.True(all.Errors.Count == 0 && all.Terminating == null, all.AllText());
            Assert.Equal(4, all.Output.Count);
            var incomplete = Assert.Single(all.Output.Select(o => o.BaseObject).OfType<IncompleteBackupSet>());
            Assert.Equal(Killed, incomplete.Id);
            Assert.Equal(2, incomplete.ObjectCount);
            Assert.Equal(url + "/" + Killed, incomplete.Location);
            Assert.Same(context, incomplete.StorageContext);

            // -Status Incomplete: those only.
            var only = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -Status Incomplete", url, context);
            Assert.Equal(Killed, ((IncompleteBackupSet)Assert.Single(only.Output).BaseObject).Id);

            // Written just now: the default safety age (24 hours) keeps it, even with -Force.
            var young = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -Status Incomplete | Remove-DoltBackup -Force", url, context);
            Assert.True(young.Errors.Count == 0 && young.Terminating == null, young.AllText());
            var skipped = Assert.Single(Results(young));
            Assert.Equal(BackupRemovalAction.Skipped, skipped.Action);
            Assert.Equal(BackupStatus.Incomplete, skipped.Status);
            Assert.Contains("safety age", skipped.Reason);
            Assert.Contains(Killed + "/data/a.tar", Keys(root));

            // -WhatIf deletes nothing and says what would go.
            var whatIf = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -Status Incomplete | Remove-DoltBackup -IncompleteMinimumAge 0 -WhatIf", url, context);
            Assert.Equal(BackupRemovalAction.Skipped, Assert.Single(Results(whatIf)).Action);
            Assert.StartsWith("-WhatIf: would be deleted", Results(whatIf)[0].Reason);
            Assert.Contains(Killed + "/data/a.tar", Keys(root));

            // A writer holds the set's lock: skipped, whatever its age.
            using (var second = BackupLocations.Open(url + "/" + Killed, context))
            using (var writer = BackupSetTransfer.TryAcquireSetLock(second, "", None))
            {
                Assert.NotNull(writer);
                var locked = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -Status Incomplete | Remove-DoltBackup -IncompleteMinimumAge 0 -Force", url, context);
                Assert.True(locked.Errors.Count == 0 && locked.Terminating == null, locked.AllText());
                Assert.Equal(BackupRemovalAction.Skipped, Assert.Single(Results(locked)).Action);
                Assert.Contains("lock", Results(locked)[0].Reason);
                Assert.Contains(Killed + "/data/a.tar", Keys(root));
            }
            root.Delete(Killed + "/" + BackupSetLock.FileName, None);

            // The mixed pipeline: the sets go by the piped-set rules (the newest Completed one stays), the incomplete set goes.
            var r = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] -IncludeIncomplete -Name '*-n' | Remove-DoltBackup -IncompleteMinimumAge 0 -Force", url, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var results = Results(r).ToDictionary(x => x.Id);
            Assert.Equal(BackupRemovalAction.Deleted, results[Killed].Action);
            Assert.Equal(BackupRemovalAction.Deleted, results[Old].Action);
            Assert.Equal(BackupRemovalAction.Kept, results[Newer].Action);
            Assert.Equal(others.Where(k => !k.StartsWith(Old + "/", StringComparison.Ordinal)), Keys(root));
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_retention_policy_neither_counts_nor_touches_incomplete_sets(string driver)
        {
            using var dir = new TempDir();
            using var root = Open(driver, out string url, out var context);
            Populate(root, dir);
            var killedKeys = Keys(root).Where(k => k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray();
            using var host = Host();

            // KeepLast 2 over the three sets: the newest two stay, the incomplete one (the newest id) is not one of them.
            var r = host.Run("Remove-DoltBackup -Path $args[0] -StorageContext $args[1] -KeepLast 2 -Force", url, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var results = Results(r);
            Assert.DoesNotContain(results, x => x.Id == Killed);
            Assert.Equal(new[] { Newer, KilledNeighbour }, results.Where(x => x.Action == BackupRemovalAction.Kept).Select(x => x.Id).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(Old, results.Single(x => x.Action == BackupRemovalAction.Deleted).Id);
            Assert.Equal(killedKeys, Keys(root).Where(k => k.StartsWith(Killed + "/", StringComparison.Ordinal)).ToArray());
        }

        [Fact]
        public void The_listing_view_shows_sets_and_incomplete_sets_in_one_table_within_80_columns()
        {
            using var dir = new TempDir();
            string root = dir.Combine("root");
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, Newer, createdUtc: BackupId.TryParseTime(Newer)), new LocalFolderLocation(root), Newer, null, None);
            Directory.CreateDirectory(Path.Combine(root, Killed, "data"));
            File.WriteAllBytes(Path.Combine(root, Killed, "data", "a.tar"), new byte[2048]);
            using var host = new PowerShellHost(consoleWidth: 80);

            string text = host.Render("Get-DoltBackup $args[0] -IncludeIncomplete", root);

            // Table headers carry colour escapes even in PlainText rendering here: measured without them.
            var lines = System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", "").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
            Assert.Single(lines, l => l.TrimStart().StartsWith("Id ", StringComparison.Ordinal));
            var row = Assert.Single(lines, l => l.StartsWith(Killed, StringComparison.Ordinal));
            Assert.Contains("Incomplete", row);
            Assert.Contains("2 KB", row);
            Assert.Single(lines, l => l.StartsWith(Newer, StringComparison.Ordinal));
        }

        [Fact]
        public void A_local_incomplete_folder_is_listed_and_deleted_only_when_old_and_unlocked()
        {
            using var dir = new TempDir();
            string root = dir.Combine("root");
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, Newer, createdUtc: BackupId.TryParseTime(Newer)), new LocalFolderLocation(root), Newer, null, None);
            string killed = Path.Combine(root, Killed);
            Directory.CreateDirectory(Path.Combine(killed, "data"));
            File.WriteAllBytes(Path.Combine(killed, "data", "a.tar"), new byte[100]);
            File.WriteAllBytes(Path.Combine(killed, "grants.sql"), new byte[5]);
            Directory.CreateDirectory(Path.Combine(root, "notes"));
            File.WriteAllText(Path.Combine(root, "notes", "readme.txt"), "mine");
            // A file outside the set, linked from inside it: the link goes, the file stays.
            string outside = dir.Combine("outside.bin");
            File.WriteAllBytes(outside, new byte[9]);
            bool links = !OperatingSystem.IsWindows(); // Windows needs a privilege to make one
            if (links)
            {
                File.CreateSymbolicLink(Path.Combine(killed, "link.bin"), outside);
            }
            using var host = Host();

            var listed = host.Run("Get-DoltBackup $args[0] -IncludeIncomplete", root);
            Assert.True(listed.Errors.Count == 0 && listed.Terminating == null, listed.AllText());
            var set = Assert.Single(listed.Output.Select(o => o.BaseObject).OfType<IncompleteBackupSet>());
            Assert.Equal(killed, set.Location);
            Assert.Equal(links ? 3 : 2, set.ObjectCount);

            // Young: kept by the default safety age.
            var young = host.Run("Get-DoltBackup $args[0] -Status Incomplete | Remove-DoltBackup -Force", root);
            Assert.Equal(BackupRemovalAction.Skipped, Assert.Single(Results(young)).Action);
            Assert.True(Directory.Exists(killed));

            // Old now.
            foreach (string f in new[] { Path.Combine(killed, "data", "a.tar"), Path.Combine(killed, "grants.sql"), outside })
            {
                File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddDays(-3));
            }
            // The link's own time (not its target's) is what the folder shows.
            using (var touch = !links ? null : System.Diagnostics.Process.Start("touch", new[] { "-h", "-d", "3 days ago", Path.Combine(killed, "link.bin") }))
            {
                touch?.WaitForExit();
                Assert.Equal(0, touch?.ExitCode ?? 0);
            }
            // A writer holds the lock.
            using (var writer = BackupSetLock.TryAcquire(killed))
            {
                Assert.NotNull(writer);
                var locked = host.Run("Get-DoltBackup $args[0] -Status Incomplete | Remove-DoltBackup -Force", root);
                Assert.True(locked.Errors.Count == 0 && locked.Terminating == null, locked.AllText());
                Assert.Equal(BackupRemovalAction.Skipped, Assert.Single(Results(locked)).Action);
                Assert.True(File.Exists(Path.Combine(killed, "grants.sql")));
            }
            var gone = host.Run("Get-DoltBackup $args[0] -Status Incomplete | Remove-DoltBackup -Force", root);
            Assert.True(gone.Errors.Count == 0 && gone.Terminating == null, gone.AllText());
            var deleted = Assert.Single(Results(gone));
            Assert.True(deleted.Action == BackupRemovalAction.Deleted, deleted.Reason);
            Assert.False(Directory.Exists(killed));
            Assert.True(File.Exists(outside));
            Assert.True(File.Exists(Path.Combine(root, "notes", "readme.txt")));
            Assert.True(File.Exists(Path.Combine(root, Newer, BackupManifest.FileName)));
        }
    
        /// <summary>A local root: one Completed set, one killed backup (files, no manifest.json), a folder not named like a set.</summary>
        private static string LocalRoot(TempDir dir, out string killed)
        {
            string root = dir.Combine("root");
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, Newer, createdUtc: BackupId.TryParseTime(Newer)), new LocalFolderLocation(root), Newer, null, None);
            killed = Path.Combine(root, Killed);
            Directory.CreateDirectory(Path.Combine(killed, "data"));
            File.WriteAllText(Path.Combine(killed, "data", "a.tar"), "0123456789");
            Directory.CreateDirectory(Path.Combine(root, "notes"));
            File.WriteAllText(Path.Combine(root, "notes", "readme.txt"), "mine");
            return root;
        }

        [Fact]
        public void Locally_a_policy_neither_counts_nor_touches_an_incomplete_set_and_WhatIf_deletes_nothing()
        {
            using var dir = new TempDir();
            string root = LocalRoot(dir, out string killed);
            File.SetLastWriteTimeUtc(Path.Combine(killed, "data", "a.tar"), DateTime.UtcNow.AddDays(-3));
            using var host = Host();

            var policy = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", root);
            Assert.True(policy.Errors.Count == 0 && policy.Terminating == null, policy.AllText());
            var kept = Assert.Single(Results(policy));
            Assert.Equal(Newer, kept.Id);
            Assert.Equal(BackupRemovalAction.Kept, kept.Action);
            Assert.True(File.Exists(Path.Combine(killed, "data", "a.tar")));

            var whatIf = host.Run("Get-DoltBackup $args[0] -Status Incomplete | Remove-DoltBackup -WhatIf", root);
            Assert.True(whatIf.Errors.Count == 0 && whatIf.Terminating == null, whatIf.AllText());
            Assert.Equal(BackupRemovalAction.Skipped, Assert.Single(Results(whatIf)).Action);
            Assert.True(File.Exists(Path.Combine(killed, "data", "a.tar")));
        }

        [Fact]
        public void A_negative_IncompleteMinimumAge_is_refused_before_anything_is_deleted()
        {
            using var dir = new TempDir();
            string root = LocalRoot(dir, out string killed);
            File.SetLastWriteTimeUtc(Path.Combine(killed, "data", "a.tar"), DateTime.UtcNow.AddDays(-3));
            using var host = Host();
            // What Pester's `{ ... } | Should -Throw -ErrorId` sees.
            var id = host.Invoke("try { Get-DoltBackup $args[0] -Status Incomplete | Remove-DoltBackup -IncompleteMinimumAge ([TimeSpan]::FromHours(-1)) -Force -ErrorAction Stop; 'nothing thrown' } catch { $_.FullyQualifiedErrorId }", root).Single().ToString();
            Assert.Equal("DoltBackup.InvalidRetentionPolicy,DoltBackup.Cmdlets.RemoveDoltBackupCommand", id);
            Assert.True(File.Exists(Path.Combine(killed, "data", "a.tar")));
        }
    
        [Fact]
        public void A_root_holding_only_incomplete_sets_says_so_and_lists_them_on_request()
        {
            using var dir = new TempDir();
            string root = dir.Combine("root");
            Directory.CreateDirectory(Path.Combine(root, Killed));
            File.WriteAllText(Path.Combine(root, Killed, "grants.sql"), "x");
            using var host = Host();

            var plain = host.Run("Get-DoltBackup $args[0]", root);
            var e = Assert.Single(plain.Errors);
            Assert.Equal("DoltBackup.ManifestNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("1 incomplete sets", e.Exception.Message);
            Assert.Contains("-IncludeIncomplete", e.Exception.Message);

            var listed = host.Run("Get-DoltBackup $args[0] -IncludeIncomplete", root);
            Assert.True(listed.Errors.Count == 0 && listed.Terminating == null, listed.AllText());
            Assert.Equal(Killed, ((IncompleteBackupSet)Assert.Single(listed.Output).BaseObject).Id);
            // The context it carries for Remove-DoltBackup is hidden, as a manifest's is.
            Assert.Empty(host.Invoke("@($args[0].psobject.Properties | Where-Object Name -eq 'StorageContext')", listed.Output[0]));
        }
    }
}
