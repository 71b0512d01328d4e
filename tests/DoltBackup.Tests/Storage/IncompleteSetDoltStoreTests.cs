using System;
using System.IO;
using DoltBackup.Catalog;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A set-named local folder that holds a Dolt store (a set's data written by Dolt to a -Destination apart from its
    /// manifest.json looks exactly like a set folder without manifest.json) is not an incomplete set: never listed as
    /// one, and removing it deletes nothing.
    /// </summary>
    public class IncompleteSetDoltStoreTests
    {
        [Theory]
        [InlineData("db1/manifest")]           // a dolt_backup() file:// remote: the noms store's manifest
        [InlineData("db1/.dolt/noms/manifest")] // a data dir's database
        [InlineData("deeper/db1/.dolt/config.json")]
        public void A_set_named_folder_holding_a_dolt_store_is_neither_listed_nor_deleted(string storeFile)
        {
            using var dir = new TempDir();
            string root = dir.Combine("root");
            string data = Path.Combine(root, "20261123T191000Z-prod");
            string file = Path.Combine(data, storeFile.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(file));
            File.WriteAllBytes(file, new byte[7]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3));
            // A true incomplete set beside it is still listed (the guard is about Dolt stores only).
            string garbage = Path.Combine(root, "20261123T191500Z-prod");
            Directory.CreateDirectory(garbage);
            File.WriteAllBytes(Path.Combine(garbage, "datadir.tar.gz.partial"), new byte[5]);
            File.SetLastWriteTimeUtc(Path.Combine(garbage, "datadir.tar.gz.partial"), DateTime.UtcNow.AddDays(-3));

            var listed = BackupCatalog.ListRoot(root).Incomplete;
            Assert.Single(listed);
            Assert.Equal("20261123T191500Z-prod", listed[0].Id);
            Assert.Null(BackupCatalog.DescribeIncomplete(data));

            var removal = LocalIncompleteSetRemover.Remove(data, TimeSpan.Zero, DateTime.UtcNow);
            Assert.Equal(IncompleteRemovalOutcome.HoldsDoltStore, removal.Outcome);
            Assert.Contains("Dolt store", removal.Describe(TimeSpan.Zero, DateTime.UtcNow));
            Assert.True(File.Exists(file));

            Assert.Equal(IncompleteRemovalOutcome.Deleted, LocalIncompleteSetRemover.Remove(garbage, TimeSpan.Zero, DateTime.UtcNow).Outcome);
            Assert.False(Directory.Exists(garbage));
        }
    }
}
