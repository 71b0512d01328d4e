using System;
using System.IO;
using System.Linq;
using DoltBackup.Catalog;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// A link under a backup root named like a set id, to a folder without manifest.json elsewhere, is not an
    /// incomplete set: it is never listed as one, and removing it never deletes what the link points at.
    /// </summary>
    public class IncompleteSetLinkTests
    {
        private const string Linked = "20260301T000000Z-n";

        [Fact]
        public void A_link_named_like_a_set_is_neither_listed_nor_followed_when_removed()
        {
            if (OperatingSystem.IsWindows())
            {
                return; // Windows needs a privilege to make a link
            }
            using var dir = new TempDir();
            string root = dir.Combine("root");
            string elsewhere = dir.Combine("elsewhere");
            Directory.CreateDirectory(Path.Combine(elsewhere, "data"));
            string precious = Path.Combine(elsewhere, "data", "table.bin");
            File.WriteAllBytes(precious, new byte[9]);
            File.SetLastWriteTimeUtc(precious, DateTime.UtcNow.AddDays(-3));
            Directory.CreateDirectory(root);
            string link = Path.Combine(root, Linked);
            Directory.CreateSymbolicLink(link, elsewhere);

            Assert.Empty(BackupCatalog.ListRoot(root).Incomplete);
            Assert.Null(BackupCatalog.DescribeIncomplete(link));

            var removal = LocalIncompleteSetRemover.Remove(link, TimeSpan.Zero, DateTime.UtcNow);
            Assert.Equal(IncompleteRemovalOutcome.NotAFolder, removal.Outcome);
            Assert.Contains("link", removal.Describe(TimeSpan.Zero, DateTime.UtcNow));
            Assert.True(File.Exists(precious));
            Assert.True(Directory.Exists(link));
        }
    }
}
