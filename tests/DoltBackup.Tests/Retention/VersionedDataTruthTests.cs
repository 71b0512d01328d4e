using System;
using System.IO;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Catalog;
using DoltBackup.Tests.Cli;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    /// <summary>
    /// Issue 16, point 6: Remove-DoltBackup tells the truth about -Versioned file:// sets. New-DoltBackup -Versioned
    /// records the set's base URL as destination/label and puts each database at destination/label/db, inside the set's
    /// folder; removing the set used to warn that this data was "left in place" and then delete it with the folder.
    /// </summary>
    public class VersionedDataTruthTests
    {
        private static string LocalPathOf(string url) => new Uri(url).LocalPath;

        [Fact]
        public void Remove_DoltBackup_reports_data_inside_the_set_folder_as_deleted_and_warns_about_nothing()
        {
            using var bed = new CmdletTestBed(2);
            var sets = new System.Collections.Generic.List<BackupManifest>();
            for (int run = 0; run < 2; run++)
            {
                if (run > 0)
                {
                    System.Threading.Thread.Sleep(1100); // each run its own UTC label
                }
                sets.Add((BackupManifest)bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] -Versioned | Sync-DoltBackup", bed.Host, bed.Dest).Single().BaseObject);
            }
            var first = sets[0];
            var second = sets[1];
            var stores = first.Databases.Select(d => LocalPathOf(d.Url)).OrderBy(p => p, StringComparer.Ordinal).ToArray();
            // The layout this test is about: each database's data inside the set's own folder.
            Assert.All(stores, p => Assert.True(LocalPath.IsStrictlyUnder(p, first.BackupFolder), p));
            Assert.All(stores, p => Assert.True(Directory.Exists(p), p));

            // -WhatIf names the data among what would go.
            var whatIf = bed.Shell.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -WhatIf", bed.Dest);
            var preview = whatIf.Output.Select(o => (BackupRemovalResult)o.BaseObject).Single(r => r.Id == first.Id);
            Assert.Equal(stores, preview.DataPaths.OrderBy(p => p, StringComparer.Ordinal));
            Assert.Empty(preview.LeftInPlace);
            Assert.All(stores, p => Assert.True(Directory.Exists(p), p));

            var r = bed.Shell.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", bed.Dest);
            Assert.Empty(r.Errors);
            Assert.DoesNotContain(r.Warnings, w => w.Contains("left in place"));
            var removed = r.Output.Select(o => (BackupRemovalResult)o.BaseObject).Single(x => x.Id == first.Id);
            Assert.Equal(BackupRemovalAction.Deleted, removed.Action);
            Assert.Equal(stores, removed.DataPaths.OrderBy(p => p, StringComparer.Ordinal));
            Assert.Empty(removed.LeftInPlace);
            Assert.All(stores, p => Assert.False(Directory.Exists(p), p));
            Assert.False(Directory.Exists(first.BackupFolder));
            Assert.All(second.Databases, d => Assert.True(Directory.Exists(LocalPathOf(d.Url))));
        }

        [Fact]
        public void Versioned_data_outside_the_set_folder_under_the_recorded_base_is_the_sets_own_and_its_version_folder_goes_too()
        {
            using var dir = new TempDir();
            string dest = dir.Combine("dest");
            var b = new BackupRootBuilder(dir.Combine("manifests"), DateTime.UtcNow);
            // As New-DoltBackup -Versioned -Path <elsewhere> records it: base URL destination/label, databases below it.
            var old = b.Add("prod", TimeSpan.FromDays(2), BackupStatus.Completed, customize: m => Versioned(m, dest));
            var kept = b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, customize: m => Versioned(m, dest));

            var result = new BackupSetRemover(null, null, unregister: false).Remove(old, "test", new[] { kept }, out var failure);

            Assert.Null(failure);
            Assert.Equal(BackupRemovalAction.Deleted, result.Action);
            Assert.Empty(result.LeftInPlace);
            Assert.Equal(old.Databases.Select(d => LocalPathOf(d.Url)).OrderBy(p => p), result.DataPaths.OrderBy(p => p));
            Assert.False(Directory.Exists(Path.Combine(dest, old.Id.Substring(0, 16))), "the emptied version folder goes too");
            Assert.True(Directory.Exists(Path.Combine(dest, kept.Id.Substring(0, 16))));
            Assert.True(Directory.Exists(dest));
        }

        [Fact]
        public void Data_inside_the_set_folder_that_a_kept_set_uses_is_named_and_the_set_is_not_deleted()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Combine("root"), DateTime.UtcNow);
            var old = b.Add("prod", TimeSpan.FromDays(2), BackupStatus.Completed, customize: m => Inside(m));
            // A kept set whose db0 points into the old set's folder (a copy, an edit by hand: it uses that data).
            var kept = b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, customize: m => m.Databases[0].Url = old.Databases[0].Url);

            var described = BackupDataOwnership.Describe(old, new[] { kept }, unregister: false);
            Assert.Contains(described.LeftInPlace, l => l.Contains(old.Databases[0].Url) && l.Contains(kept.Id) && l.Contains("inside the set's folder"));
            Assert.DoesNotContain(LocalPathOf(old.Databases[0].Url), described.DataPaths);

            var result = new BackupSetRemover(null, null, unregister: false).Remove(old, "test", new[] { kept }, out var failure);
            Assert.Equal("BackupFolderShared", failure.ErrorId);
            Assert.True(Directory.Exists(LocalPathOf(old.Databases[0].Url)));
            Assert.True(File.Exists(old.ManifestPath));
        }

        [Fact]
        public void Unversioned_data_inside_the_set_folder_is_deleted_with_it_and_said_so()
        {
            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Combine("root"), DateTime.UtcNow);
            var set = b.Add("prod", TimeSpan.FromDays(2), BackupStatus.Completed, customize: m => Inside(m, versioned: false));

            var described = BackupDataOwnership.Describe(set, new BackupManifest[0], unregister: false);

            Assert.Empty(described.LeftInPlace);
            Assert.Equal(set.Databases.Select(d => LocalPathOf(d.Url)).OrderBy(p => p), described.DataPaths.OrderBy(p => p));
        }

        /// <summary>Databases at folder/db (file://), the set's base URL its folder.</summary>
        private static void Inside(BackupManifest m, bool versioned = true)
        {
            m.Destination.Versioned = versioned;
            m.Destination.BaseUrl = "file://" + m.BackupFolder;
            foreach (var db in m.Databases)
            {
                string path = Path.Combine(m.BackupFolder, db.Name);
                db.Url = "file://" + path;
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, "manifest"), "5:__DOLT__:x");
            }
        }

        private static void Versioned(BackupManifest m, string dest)
        {
            string label = m.Id.Substring(0, 16);
            m.Destination.Versioned = true;
            m.Destination.BaseUrl = "file://" + Path.Combine(dest, label);
            foreach (var db in m.Databases)
            {
                string path = Path.Combine(dest, label, db.Name);
                db.Url = "file://" + path;
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, "manifest"), "5:__DOLT__:x");
            }
        }
    }
}
