using System.Collections.Generic;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    public class HeadsVerifierTests
    {
        private static DatabaseBackupItem Expected() => new DatabaseBackupItem
        {
            Name = "db",
            Branches = new List<RefHead> { new RefHead { Name = "main", Hash = "aaaa" }, new RefHead { Name = "dev", Hash = "bbbb" } },
            Tags = new List<RefHead> { new RefHead { Name = "v1", Hash = "cccc" } },
            WorkingSetHash = "wwww",
        };

        private static RestoredDatabaseState Actual() => new RestoredDatabaseState
        {
            Branches = new List<RefHead> { new RefHead { Name = "dev", Hash = "bbbb" }, new RefHead { Name = "main", Hash = "aaaa" } },
            Tags = new List<RefHead> { new RefHead { Name = "v1", Hash = "cccc" } },
            WorkingSetHash = "wwww",
        };

        [Fact]
        public void Equal_heads_in_any_order_are_Verified()
        {
            var diffs = new List<string>();
            Assert.Equal(VerificationOutcome.Verified, HeadsVerifier.Verify(Expected(), Actual(), diffs));
            Assert.Empty(diffs);
        }

        [Fact]
        public void Every_kind_of_difference_is_listed()
        {
            var actual = Actual();
            actual.Branches.RemoveAt(0);                                   // dev missing
            actual.Branches.Add(new RefHead { Name = "extra", Hash = "eeee" });
            actual.Tags[0].Hash = "dddd";
            actual.WorkingSetHash = "xxxx";
            var diffs = new List<string>();
            Assert.Equal(VerificationOutcome.Mismatch, HeadsVerifier.Verify(Expected(), actual, diffs));
            Assert.Equal(4, diffs.Count);
            Assert.Contains(diffs, d => d.Contains("branch 'dev' is missing"));
            Assert.Contains(diffs, d => d.Contains("branch 'extra'"));
            Assert.Contains(diffs, d => d.Contains("tag 'v1' is at dddd"));
            Assert.Contains(diffs, d => d.Contains("dolt_hashof_db()"));
        }

        [Fact]
        public void A_manifest_without_heads_is_NotChecked()
        {
            var diffs = new List<string>();
            Assert.Equal(VerificationOutcome.NotChecked, HeadsVerifier.Verify(new DatabaseBackupItem { Name = "db" }, Actual(), diffs));
            Assert.Equal(VerificationOutcome.NotChecked, HeadsVerifier.Verify(null, Actual(), diffs));
        }
    }
}
