using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;

namespace DoltBackup.Ebs
{
    /// <summary>Deletes the EBS snapshots a backup set records (retention, Remove-DoltBackup).</summary>
    public sealed class EbsSnapshotRemoval : IDisposable
    {
        private readonly IEc2Api _ec2;
        private bool _ownsEc2;

        /// <summary>Uses this EC2 seam.</summary>
        public EbsSnapshotRemoval(IEc2Api ec2) => _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));

        /// <summary>The service on the AWS SDK (loaded now, not before).</summary>
        public static EbsSnapshotRemoval Create(EbsConnectionOptions connection) => new EbsSnapshotRemoval(Ec2ApiFactory.Create(connection)) { _ownsEc2 = true };

        /// <summary>Disposes the EC2 client when <see cref="Create"/> made it (a client passed in stays the caller's).</summary>
        public void Dispose()
        {
            if (_ownsEc2)
            {
                _ec2.Dispose();
            }
        }

        /// <summary>
        /// Deletes every snapshot of the set, one by one: one failure does not stop the others. A snapshot EC2 no
        /// longer knows (InvalidSnapshot.NotFound) is reported as AlreadyGone.
        /// </summary>
        public IReadOnlyList<EbsSnapshotDeletion> Delete(BackupManifest manifest, CancellationToken cancellationToken)
        {
            var results = new List<EbsSnapshotDeletion>();
            foreach (var id in manifest.Snapshots.Select(s => s.SnapshotId).Where(s => !string.IsNullOrEmpty(s)).Distinct())
            {
                cancellationToken.ThrowIfCancellationRequested();
                results.Add(Delete(id, cancellationToken));
            }
            return results;
        }

        /// <summary>Deletes one snapshot.</summary>
        public EbsSnapshotDeletion Delete(string snapshotId, CancellationToken cancellationToken)
        {
            var r = new EbsSnapshotDeletion { SnapshotId = snapshotId };
            try
            {
                _ec2.DeleteSnapshot(snapshotId, cancellationToken);
                r.Deleted = true;
            }
            catch (EbsException e) when (e.AwsErrorCode == "InvalidSnapshot.NotFound")
            {
                r.AlreadyGone = true;
            }
            catch (EbsException e)
            {
                r.Error = e;
            }
            return r;
        }
    }
}
