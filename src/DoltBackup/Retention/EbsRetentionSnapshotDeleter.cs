using System;
using System.Collections.Generic;
using System.Threading;
using DoltBackup.Common;
using DoltBackup.Ebs;
using DoltBackup.Manifest;

namespace DoltBackup.Retention
{
    /// <summary>
    /// Deletes an EbsSnapshot set's snapshots through EC2 (DeleteSnapshot), in the region each snapshot records, with the
    /// SDK's default credential chain. The AWS SDK loads only when a set with snapshots is actually deleted.
    /// </summary>
    public sealed class EbsRetentionSnapshotDeleter : ISnapshotDeleter, IDisposable
    {
        private readonly Dictionary<string, EbsSnapshotRemoval> _byRegion = new Dictionary<string, EbsSnapshotRemoval>(StringComparer.Ordinal);
        private readonly Func<EbsConnectionOptions, EbsSnapshotRemoval> _factory;

        /// <summary>Creates the deleter; <paramref name="factory"/> defaults to the AWS SDK.</summary>
        public EbsRetentionSnapshotDeleter(Func<EbsConnectionOptions, EbsSnapshotRemoval> factory = null)
        {
            _factory = factory ?? EbsSnapshotRemoval.Create;
        }

        /// <inheritdoc />
        public void DeleteSnapshot(VolumeSnapshot snapshot)
        {
            if (string.IsNullOrEmpty(snapshot.SnapshotId))
            {
                return; // never created: nothing to delete
            }
            string region = snapshot.Region ?? "";
            if (!_byRegion.TryGetValue(region, out var removal))
            {
                removal = _factory(new EbsConnectionOptions { Region = string.IsNullOrEmpty(region) ? null : region });
                _byRegion[region] = removal;
            }
            var outcome = removal.Delete(snapshot.SnapshotId, CancellationToken.None);
            if (!outcome.Deleted && !outcome.AlreadyGone)
            {
                throw new DoltBackupException($"EBS snapshot {snapshot.SnapshotId} was not deleted: {outcome.Error?.Message ?? "unknown error"}", outcome.Error);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (var r in _byRegion.Values)
            {
                r.Dispose();
            }
            _byRegion.Clear();
        }
    }
}
