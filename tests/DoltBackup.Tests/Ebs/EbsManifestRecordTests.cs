using System;
using System.Linq;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    public class EbsManifestRecordTests
    {
        [Fact]
        public void Recorded_snapshots_survive_a_manifest_round_trip()
        {
            var m = new BackupManifest { Id = "20261123T191000Z-prod", Name = "prod", Method = BackupMethod.EbsSnapshot };
            m.Snapshots.Add(new VolumeSnapshot
            {
                SnapshotId = "snap-0123456789abcdef0", VolumeId = "vol-0123456789abcdef0", Device = "/dev/nvme1n1", Region = "eu-west-1",
                State = "completed", Progress = "100%", VolumeSizeGiB = 100, StartTimeUtc = new DateTime(2026, 11, 23, 19, 10, 0, DateTimeKind.Utc),
                Status = ItemStatus.Completed, InstanceId = "i-0aaa", AvailabilityZone = "eu-west-1a",
            });
            string json = ManifestStore.ToJson(m);
            Assert.Contains("\"availabilityZone\": \"eu-west-1a\"", json);
            var back = ManifestStore.FromJson(json).Snapshots.Single();
            Assert.Equal("i-0aaa", back.InstanceId);
            Assert.Equal("eu-west-1a", back.AvailabilityZone);
            Assert.Equal(ItemStatus.Completed, back.Status);
            Assert.Equal(100, back.VolumeSizeGiB);
            Assert.Equal(m.Snapshots[0].StartTimeUtc, back.StartTimeUtc);
        }

        [Fact]
        public void Progress_reports_become_progress_records_and_the_last_one_completes_the_bar()
        {
            var running = new EbsProgress { Activity = "EBS snapshots of x", StatusDescription = "snap-1: pending 40%", PercentComplete = 40 }.ToProgressRecord(7);
            Assert.Equal(7, running.ActivityId);
            Assert.Equal(40, running.PercentComplete);
            Assert.Equal(System.Management.Automation.ProgressRecordType.Processing, running.RecordType);
            var done = new EbsProgress { Activity = "EBS snapshots of x", StatusDescription = "Done", PercentComplete = 100, Completed = true }.ToProgressRecord(7);
            Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, done.RecordType);
        }
    }
}
