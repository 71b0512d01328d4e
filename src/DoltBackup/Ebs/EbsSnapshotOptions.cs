using System;
using System.Collections.Generic;

namespace DoltBackup.Ebs
{
    /// <summary>What <see cref="EbsSnapshotBackup"/> snapshots and how long it waits.</summary>
    public sealed class EbsSnapshotOptions : EbsConnectionOptions
    {
        /// <summary>The default time to wait for the snapshots to complete.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(60);

        /// <summary>The default time between two DescribeSnapshots calls.</summary>
        public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(15);

        /// <summary>-VolumeId: the volumes to snapshot; skips discovery (Windows, non-Nitro instances).</summary>
        public IList<string> VolumeIds { get; set; } = new List<string>();

        /// <summary>
        /// Local paths whose volumes are snapshotted (data dir, and the config and global dirs when asked). Empty:
        /// the manifest's Source.DataDir.
        /// </summary>
        public IList<string> Paths { get; set; } = new List<string>();

        /// <summary>
        /// The instance the volumes are attached to, for CreateSnapshots; null: the instance EC2 reports the
        /// volumes attached to.
        /// </summary>
        public string InstanceId { get; set; }

        /// <summary>-Tag: extra tags for the snapshots (keys starting with aws: or DoltBackup: are refused).</summary>
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

        /// <summary>The snapshot description; null: one built from the manifest.</summary>
        public string Description { get; set; }

        /// <summary>-NoWait: start the snapshots and return; they stay Running in the manifest until waited for.</summary>
        public bool NoWait { get; set; }

        /// <summary>-Timeout: how long to wait for completion.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>Time between two DescribeSnapshots calls (about 15 s; tests make it short).</summary>
        public TimeSpan PollInterval { get; set; } = DefaultPollInterval;
    }
}
