using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>Orchestration edge cases on an in-memory EC2 fake.</summary>
    public class EbsSnapshotBackupTests
    {
        private static BackupManifest Manifest() => new BackupManifest { Id = "20261123T191000Z-x", Name = "x", Source = new BackupSource { DataDir = "/data" } };

        private static EbsSnapshotOptions Options(params string[] ids) => new EbsSnapshotOptions { VolumeIds = ids.ToList(), PollInterval = TimeSpan.Zero };

        [Fact]
        public void The_root_volume_in_the_set_is_not_excluded_from_CreateSnapshots()
        {
            var ec2 = new FakeEc2Api();
            ec2.Instances["i-1"] = new Ec2Instance
            {
                InstanceId = "i-1", RootDeviceName = "/dev/xvda",
                BlockDevices = { new Ec2VolumeAttachment { Device = "/dev/xvda", VolumeId = "vol-root" }, new Ec2VolumeAttachment { Device = "/dev/sdf", VolumeId = "vol-a" }, new Ec2VolumeAttachment { Device = "/dev/sdg", VolumeId = "vol-b" } },
            };
            ec2.AddVolume("vol-root", "eu-west-1a", "i-1");
            ec2.AddVolume("vol-a", "eu-west-1a", "i-1");
            var m = Manifest();
            new EbsSnapshotBackup(ec2).Run(m, Options("vol-root", "vol-a"), null, CancellationToken.None);
            Assert.Contains("CreateSnapshots i-1 excludeBoot=False exclude=vol-b", ec2.Calls);
            Assert.Equal(new[] { "vol-root", "vol-a" }, m.Snapshots.Select(s => s.VolumeId));
        }

        [Fact]
        public void A_volume_attached_meanwhile_is_deleted_from_the_set_with_a_warning()
        {
            var ec2 = new FakeEc2Api();
            ec2.Instances["i-1"] = new Ec2Instance
            {
                InstanceId = "i-1", RootDeviceName = "/dev/xvda",
                BlockDevices = { new Ec2VolumeAttachment { Device = "/dev/sdf", VolumeId = "vol-a" }, new Ec2VolumeAttachment { Device = "/dev/sdg", VolumeId = "vol-b" } },
            };
            ec2.ExtraVolumesInCreateSnapshots.Add("vol-late");
            ec2.AddVolume("vol-a", "eu-west-1a", "i-1");
            ec2.AddVolume("vol-b", "eu-west-1a", "i-1");
            var m = Manifest();
            new EbsSnapshotBackup(ec2).Run(m, Options("vol-a", "vol-b"), null, CancellationToken.None);
            Assert.Equal(2, m.Snapshots.Count);
            Assert.Contains(ec2.Calls, c => c.StartsWith("DeleteSnapshot snap-", StringComparison.Ordinal));
            Assert.Contains(m.Warnings, w => w.Contains("vol-late"));
        }

        [Fact]
        public void Detached_volumes_are_snapshotted_one_by_one_with_a_warning()
        {
            var ec2 = new FakeEc2Api();
            ec2.AddVolume("vol-a", "eu-west-1a");
            ec2.AddVolume("vol-b", "eu-west-1a");
            var m = Manifest();
            var r = new EbsSnapshotBackup(ec2).Run(m, Options("vol-a", "vol-b"), null, CancellationToken.None);
            Assert.Equal(new[] { "CreateSnapshot vol-a", "CreateSnapshot vol-b" }, ec2.Calls.Where(c => c.StartsWith("Create", StringComparison.Ordinal)));
            Assert.True(r.AllCompleted);
            Assert.Contains(m.Warnings, w => w.Contains("attached to no instance"));
        }

        [Fact]
        public void Multi_attach_volumes_need_an_instance_id()
        {
            var ec2 = new FakeEc2Api();
            ec2.AddVolume("vol-a", "eu-west-1a", "i-1", "i-2");
            ec2.AddVolume("vol-b", "eu-west-1a", "i-1", "i-2");
            var e = Assert.Throws<EbsException>(() => new EbsSnapshotBackup(ec2).Run(Manifest(), Options("vol-a", "vol-b"), null, CancellationToken.None));
            Assert.Equal("EbsAmbiguousInstance", e.ErrorId);
            Assert.DoesNotContain(ec2.Calls, c => c.StartsWith("Create", StringComparison.Ordinal));
        }

        [Fact]
        public void Invalid_volume_ids_and_unknown_volumes_are_refused()
        {
            var ec2 = new FakeEc2Api();
            Assert.Equal("EbsInvalidVolumeId", Assert.Throws<EbsException>(() => new EbsSnapshotBackup(ec2).Run(Manifest(), Options("snap-1"), null, CancellationToken.None)).ErrorId);
            Assert.Equal("EbsVolumeNotFound", Assert.Throws<EbsException>(() => new EbsSnapshotBackup(ec2).Run(Manifest(), Options("vol-missing"), null, CancellationToken.None)).ErrorId);
            Assert.DoesNotContain(ec2.Calls, c => c.StartsWith("Create", StringComparison.Ordinal));
        }

        [Fact]
        public void Cancellation_stops_waiting_leaves_the_snapshot_running_and_completes_progress()
        {
            var ec2 = new FakeEc2Api { Describe = id => new Ec2Snapshot { SnapshotId = id, State = "pending", Progress = "10%" } };
            ec2.AddVolume("vol-a", "eu-west-1a", "i-1");
            using var cts = new CancellationTokenSource();
            ec2.OnDescribeSnapshots = cts.Cancel;
            var m = Manifest();
            var progress = new List<EbsProgress>();
            var options = Options("vol-a");
            options.PollInterval = TimeSpan.FromMilliseconds(10);
            Assert.ThrowsAny<OperationCanceledException>(() => new EbsSnapshotBackup(ec2).Run(m, options, progress.Add, cts.Token));
            Assert.Equal(ItemStatus.Running, m.Snapshots.Single().Status);
            Assert.True(progress.Last().Completed);
        }

        [Fact]
        public void With_no_volume_ids_and_no_data_dir_there_is_nothing_to_find()
        {
            var e = Assert.Throws<EbsException>(() => new EbsSnapshotBackup(new FakeEc2Api()).ResolveVolumes(new BackupManifest(), new EbsSnapshotOptions()));
            Assert.Equal("EbsNoPath", e.ErrorId);
        }
    }
}
