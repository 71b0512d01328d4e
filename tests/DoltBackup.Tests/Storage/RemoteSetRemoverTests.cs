using System;
using System.Linq;
using System.Threading;
using DoltBackup.Locking;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>Deleting one object-store set under its lock (the lock shared with the writers, BackupSetTransfer's).</summary>
    public class RemoteSetRemoverTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public void A_set_whose_lock_a_writer_holds_is_left_whole_and_reported_as_held()
        {
            using var dir = new TempDir();
            var store = new MemoryBackupLocation();
            BackupSetTransfer.Publish(OffHostSetTests.LocalSet(dir, "set-1"), store, "", null, None);
            var before = store.List("", None).Select(o => o.Key).ToList();

            using (var writer = BackupSetTransfer.TryAcquireSetLock(store.SharedWith(), "", None))
            {
                Assert.NotNull(writer);
                Assert.Null(BackupSetTransfer.TryAcquireSetLock(store, "", None));
                Assert.False(RemoteSetRemover.Remove(store, None, out int none));
                Assert.Equal(0, none);
                Assert.Equal(before, store.List("", None).Select(o => o.Key).Where(k => k != BackupSetLock.FileName).ToList());
            }

            Assert.True(RemoteSetRemover.Remove(store, None, out int deleted));
            Assert.Equal(before.Count, deleted);
            Assert.Empty(store.List("", None));
        }
    }
}
