using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>Sync's -Versioned layout and Remove-DoltBackup's ownership rule for versioned data agree, end to end.</summary>
    public class VersionedRetentionCmdletTests
    {
        [Fact]
        public void Versioned_sets_synced_by_the_pipeline_are_listed_and_pruned_with_their_data()
        {
            using var bed = new CmdletTestBed(2);
            var first = (BackupManifest)bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] -Versioned | Sync-DoltBackup", bed.Host, bed.Dest).Single().BaseObject;
            System.Threading.Thread.Sleep(1100); // the next UTC label
            var second = (BackupManifest)bed.Shell.Invoke("New-DoltBackup -Server $args[0] -Destination $args[1] -Versioned | Sync-DoltBackup", bed.Host, bed.Dest).Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, first.Status);
            Assert.Equal(BackupStatus.Completed, second.Status);
            string firstStore = new System.Uri(first.Databases[0].Url).LocalPath;
            Assert.True(Directory.Exists(firstStore), "the fake engine writes file:// stores as Dolt does");

            var listed = bed.Shell.Invoke("Get-DoltBackup -Path $args[0]", bed.Dest).Select(o => ((BackupManifest)o.BaseObject).Id).ToList();
            Assert.Equal(new[] { second.Id, first.Id }, listed);

            var results = bed.Shell.Invoke("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", bed.Dest).Select(o => (BackupRemovalResult)o.BaseObject).ToList();
            Assert.Equal(BackupRemovalAction.Deleted, results.Single(r => r.Id == first.Id).Action);
            Assert.Equal(BackupRemovalAction.Kept, results.Single(r => r.Id == second.Id).Action);
            Assert.False(Directory.Exists(first.BackupFolder));
            Assert.False(Directory.Exists(firstStore));
            Assert.True(Directory.Exists(new System.Uri(second.Databases[0].Url).LocalPath));
            Assert.True(File.Exists(second.ManifestPath));
        }
    }
}
