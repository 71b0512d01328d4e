using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Remove-DoltBackup on an object-store -Versioned version also deletes the version's staging copy on this host
    /// (<c>&lt;staging&gt;/&lt;label&gt;</c>, hard-linked stores), but never the newest Completed staged version the next
    /// version is seeded from; -WhatIf names the staging folder and deletes nothing.
    /// </summary>
    public class StagingPruneTests
    {
        private const string Pipeline = "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -Versioned | Sync-DoltBackup -SkipConfiguration";
        // Piped with the newest set, which Remove-DoltBackup always keeps (a set piped alone is its root's newest).
        private const string RemoveOne = "$ids = $args[2], $args[3]; Get-DoltBackup $args[0] -StorageContext $args[1] | Where-Object { $_.Id -in $ids } | Remove-DoltBackup -Force -Verbose";

        private static BackupManifest Version(StagedDestinationTests.Bed bed, string url, DoltBackup.Storage.StorageContext context, int commit)
        {
            Thread.Sleep(1100); // the next version gets the next label (one per second)
            bed.Engine.Databases["sales"].Commit(commit);
            var r = bed.Shell.Run(Pipeline, bed.DataDir, url, bed.Staging, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            return (BackupManifest)r.Output.Single().BaseObject;
        }

        private static string StagingOf(StagedDestinationTests.Bed bed, BackupManifest m) => Path.Combine(bed.Staging, m.Id.Substring(0, 16));

        private static BackupRemovalResult Result(PowerShellResult r, string id)
            => r.Output.Select(o => o.BaseObject).OfType<BackupRemovalResult>().Single(x => x.Id == id);

        [Theory]
        [MemberData(nameof(StagedDestinationTests.Emulators), MemberType = typeof(StagedDestinationTests))]
        public void Removing_a_version_in_the_object_store_prunes_its_staging_copy_but_never_the_seed(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new StagedDestinationTests.Bed();
            var versions = new List<BackupManifest> { Version(bed, url, context, 10_001), Version(bed, url, context, 10_002), Version(bed, url, context, 10_003) };
            Assert.All(versions, v => Assert.True(File.Exists(Path.Combine(StagingOf(bed, v), BackupManifest.FileName)), StagingOf(bed, v)));

            // -WhatIf names the staging folder and deletes nothing.
            var whatIf = bed.Shell.Run(RemoveOne.Replace("-Force -Verbose", "-WhatIf"), url, context, versions[0].Id, versions[2].Id);
            Assert.True(whatIf.Errors.Count == 0 && whatIf.Terminating == null, whatIf.AllText());
            Assert.Equal(new[] { StagingOf(bed, versions[0]) }, Result(whatIf, versions[0].Id).DataPaths);
            Assert.True(Directory.Exists(StagingOf(bed, versions[0])));

            // The oldest goes, in the object store and in the staging folder; the others stay whole there.
            var removed = bed.Shell.Run(RemoveOne, url, context, versions[0].Id, versions[2].Id);
            Assert.True(removed.Errors.Count == 0 && removed.Terminating == null && removed.Warnings.Count == 0, removed.AllText());
            var result = Result(removed, versions[0].Id);
            Assert.Equal(BackupRemovalAction.Deleted, result.Action);
            Assert.Equal(new[] { StagingOf(bed, versions[0]) }, result.DataPaths);
            Assert.False(Directory.Exists(StagingOf(bed, versions[0])));
            foreach (var v in versions.Skip(1))
            {
                Assert.True(File.Exists(Path.Combine(StagingOf(bed, v), "sales", "manifest")), StagingOf(bed, v));
            }

            // The next version is still seeded from the newest one, by links: incremental.
            var next = Version(bed, url, context, 10_004);
            var seed = next.Databases.Single(d => d.Name == "sales").Seed;
            Assert.NotNull(seed);
            Assert.NotEqual(StoreSeedMethod.FullSync, seed.Method);
            Assert.Equal(versions[2].Id, seed.FromSet);
            StagedDestinationTests.AssertRestores(bed, next, context);

            // A version whose staging root holds no newer Completed version keeps its staging copy (it would be the
            // seed): here the newer staged copies were deleted by hand.
            Directory.Delete(StagingOf(bed, next), recursive: true);
            Directory.Delete(StagingOf(bed, versions[2]), recursive: true);
            var kept = bed.Shell.Run(RemoveOne, url, context, versions[1].Id, next.Id);
            Assert.True(kept.Errors.Count == 0 && kept.Terminating == null, kept.AllText());
            Assert.Equal(BackupRemovalAction.Deleted, Result(kept, versions[1].Id).Action);
            Assert.Empty(Result(kept, versions[1].Id).DataPaths);
            Assert.True(Directory.Exists(StagingOf(bed, versions[1])));
            Assert.Contains(kept.Verbose, v => v.Contains("staging copy") && v.Contains("stays"));
        }
    }
}
