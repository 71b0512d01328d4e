using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>The AWS SDK implementation and the EBS services against the fake EC2 Query endpoint on 127.0.0.1.</summary>
    public class Ec2ApiOverHttpTests
    {
        private static BackupManifest NewManifest() => new BackupManifest
        {
            Id = "20261123T191000Z-prod",
            Name = "prod",
            Method = BackupMethod.EbsSnapshot,
            Source = new BackupSource { DataDir = "/data/dolt" },
            Databases = { new DatabaseBackupItem { Name = "orders" }, new DatabaseBackupItem { Name = "users" } },
        };

        private static EbsSnapshotOptions Fast(params string[] volumeIds) => new EbsSnapshotOptions
        {
            VolumeIds = volumeIds.ToList(),
            PollInterval = TimeSpan.FromMilliseconds(20),
            Timeout = TimeSpan.FromSeconds(30),
        };

        private static FakeEc2Endpoint WithInstance()
        {
            var ep = new FakeEc2Endpoint();
            ep.AddInstance("i-0aaa", "us-east-1b");
            ep.AddVolume("vol-0root0000000000a", 8, "us-east-1b", "i-0aaa", "/dev/xvda");
            ep.AddVolume("vol-0data0000000000a", 100, "us-east-1b", "i-0aaa", "/dev/sdf");
            ep.AddVolume("vol-0data0000000000b", 100, "us-east-1b", "i-0aaa", "/dev/sdg");
            ep.AddVolume("vol-0other000000000c", 50, "us-east-1b", "i-0aaa", "/dev/sdh");
            return ep;
        }

        [Fact]
        public void DescribeVolumes_is_signed_with_the_given_key_and_never_sends_the_secret()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var v = ec2.DescribeVolumes(new[] { "vol-0data0000000000a" }, CancellationToken.None).Single();
            Assert.Equal(100, v.SizeGiB);
            Assert.Equal("us-east-1b", v.AvailabilityZone);
            Assert.Equal("i-0aaa", v.Attachments.Single().InstanceId);
            Assert.Equal("/dev/sdf", v.Attachments.Single().Device);
            var r = ep.RequestsFor("DescribeVolumes").Single();
            Assert.Equal(new[] { "vol-0data0000000000a" }, r.List("VolumeId"));
            Assert.Contains(Ec2TestClient.AccessKey, r.Authorization);
            Assert.Contains("us-east-1/ec2/aws4_request", r.Authorization);
            Assert.DoesNotContain(Ec2TestClient.SecretKey, r.Authorization + string.Join("&", r.Parameters.Values));
        }

        [Fact]
        public void One_volume_is_snapshotted_with_CreateSnapshot_tagged_and_waited_for_with_progress()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var options = Fast("vol-0data0000000000a");
            options.Tags = new Dictionary<string, string> { ["Team"] = "dba" };
            var progress = new List<EbsProgress>();

            var result = new EbsSnapshotBackup(ec2).Run(manifest, options, progress.Add, CancellationToken.None);

            var create = ep.RequestsFor("CreateSnapshot").Single();
            Assert.Equal("vol-0data0000000000a", create.Get("VolumeId"));
            Assert.Equal("snapshot", create.Get("TagSpecification.1.ResourceType"));
            var tags = create.Tags("TagSpecification.1.Tag");
            Assert.Equal("DoltBackup 20261123T191000Z-prod", tags["Name"]);
            Assert.Equal("20261123T191000Z-prod", tags[EbsTags.BackupId]);
            Assert.Equal("prod", tags[EbsTags.BackupName]);
            Assert.Equal("orders,users", tags[EbsTags.Databases]);
            Assert.Equal("dba", tags["Team"]);
            Assert.Contains("DoltBackup 20261123T191000Z-prod of /data/dolt (orders, users)", create.Get("Description"));
            Assert.Empty(ep.RequestsFor("CreateSnapshots"));
            Assert.Equal(2, ep.RequestsFor("DescribeSnapshots").Count);

            var item = Assert.Single(manifest.Snapshots);
            Assert.Same(item, result.Snapshots.Single());
            Assert.StartsWith("snap-0", item.SnapshotId);
            Assert.Equal("vol-0data0000000000a", item.VolumeId);
            Assert.Equal("completed", item.State);
            Assert.Equal("100%", item.Progress);
            Assert.Equal(ItemStatus.Completed, item.Status);
            Assert.Equal(100, item.VolumeSizeGiB);
            Assert.Equal("us-east-1", item.Region);
            Assert.Equal("us-east-1b", item.AvailabilityZone);
            Assert.Equal("i-0aaa", item.InstanceId);
            Assert.Equal("/dev/sdf", item.Device);
            Assert.Equal(new DateTime(2026, 11, 23, 19, 10, 0, DateTimeKind.Utc), item.StartTimeUtc);
            Assert.True(result.AllCompleted);
            Assert.False(result.MultiVolume);

            Assert.Contains(progress, p => p.StatusDescription.Contains("45%") && p.PercentComplete == 45);
            Assert.True(progress.Last().Completed);
            Assert.Equal(1, progress.Count(p => p.Completed));
        }

        [Fact]
        public void Several_volumes_use_CreateSnapshots_for_the_instance_with_only_those_volumes()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var discovery = new StaticDiscovery(
                new DiscoveredVolume { VolumeId = "vol-0data0000000000a", Device = "/dev/nvme1n1", MountPoint = "/data" },
                new DiscoveredVolume { VolumeId = "vol-0data0000000000b", Device = "/dev/nvme2n1", MountPoint = "/data" });
            var options = Fast();

            var result = new EbsSnapshotBackup(ec2, discovery).Run(manifest, options, null, CancellationToken.None);

            Assert.Equal(new[] { "/data/dolt" }, discovery.AskedPaths);
            Assert.Empty(ep.RequestsFor("CreateSnapshot"));
            var create = ep.RequestsFor("CreateSnapshots").Single();
            Assert.Equal("i-0aaa", create.Get("InstanceSpecification.InstanceId"));
            Assert.Equal("true", create.Get("InstanceSpecification.ExcludeBootVolume"));
            Assert.Equal(new[] { "vol-0other000000000c" }, create.List("InstanceSpecification.ExcludeDataVolumeId"));
            Assert.Equal("20261123T191000Z-prod", create.Tags("TagSpecification.1.Tag")[EbsTags.BackupId]);
            Assert.Equal(new[] { "i-0aaa" }, ep.RequestsFor("DescribeInstances").Single().List("InstanceId"));

            Assert.True(result.MultiVolume);
            Assert.True(result.AllCompleted);
            Assert.Equal(new[] { "vol-0data0000000000a", "vol-0data0000000000b" }, manifest.Snapshots.Select(s => s.VolumeId));
            Assert.All(manifest.Snapshots, s => Assert.Equal(ItemStatus.Completed, s.Status));
            Assert.Equal(new[] { "/dev/nvme1n1", "/dev/nvme2n1" }, manifest.Snapshots.Select(s => s.Device));

            // Per-snapshot device tags go on with CreateTags, one call per snapshot.
            var tagCalls = ep.RequestsFor("CreateTags");
            Assert.Equal(2, tagCalls.Count);
            var first = ep.Snapshots[manifest.Snapshots[0].SnapshotId];
            Assert.Equal("/dev/nvme1n1", first.Tags[EbsTags.Device]);
            Assert.Equal("/data", first.Tags[EbsTags.MountPoint]);
            Assert.Equal(new[] { manifest.Snapshots[1].SnapshotId }, tagCalls[1].List("ResourceId"));
        }

        [Fact]
        public void Volumes_on_different_instances_are_refused_before_any_snapshot()
        {
            using var ep = WithInstance();
            ep.AddInstance("i-0bbb", "us-east-1b");
            ep.AddVolume("vol-0elsewhere00000d", 10, "us-east-1b", "i-0bbb", "/dev/sdf");
            using var ec2 = Ec2TestClient.Create(ep);
            var e = Assert.Throws<EbsException>(() => new EbsSnapshotBackup(ec2).Run(NewManifest(), Fast("vol-0data0000000000a", "vol-0elsewhere00000d"), null, CancellationToken.None));
            Assert.Equal("EbsVolumesOnSeveralInstances", e.ErrorId);
            Assert.Empty(ep.RequestsFor("CreateSnapshot"));
            Assert.Empty(ep.RequestsFor("CreateSnapshots"));
        }

        [Fact]
        public void A_snapshot_in_state_error_fails_fast_and_is_recorded()
        {
            using var ep = WithInstance();
            ep.SnapshotScript = new List<(string, string, string)> { ("pending", "0%", null), ("error", "3%", "Internal error copying blocks"), ("completed", "100%", null) };
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var options = Fast("vol-0data0000000000a");
            options.Timeout = TimeSpan.FromMinutes(5);

            var result = new EbsSnapshotBackup(ec2).Run(manifest, options, null, CancellationToken.None);

            Assert.Single(ep.RequestsFor("DescribeSnapshots"));
            var item = manifest.Snapshots.Single();
            Assert.Equal(ItemStatus.Failed, item.Status);
            Assert.Equal("error", item.State);
            Assert.Contains("Internal error copying blocks", item.Error);
            var e = Assert.Single(result.Errors);
            Assert.Equal("EbsSnapshotFailed", e.ErrorId);
            Assert.Equal("DoltBackup.EbsSnapshotFailed", manifest.Errors.Single().ErrorId);
            Assert.False(result.AllCompleted);
            Assert.Equal(BackupStatus.Failed, manifest.RefreshStatus());
        }

        [Fact]
        public void Waiting_stops_at_the_timeout_and_leaves_the_snapshot_running()
        {
            using var ep = WithInstance();
            ep.SnapshotScript = new List<(string, string, string)> { ("pending", "0%", null), ("pending", "7%", null) };
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var options = Fast("vol-0data0000000000a");
            options.Timeout = TimeSpan.FromSeconds(3); // long enough for two polls on a loaded machine
            options.PollInterval = TimeSpan.FromMilliseconds(50);

            var result = new EbsSnapshotBackup(ec2).Run(manifest, options, null, CancellationToken.None);

            Assert.True(result.TimedOut);
            Assert.True(ep.RequestsFor("DescribeSnapshots").Count >= 2);
            var item = manifest.Snapshots.Single();
            Assert.Equal(ItemStatus.Running, item.Status);
            Assert.Equal("7%", item.Progress);
            Assert.Equal("EbsSnapshotTimeout", result.Errors.Single().ErrorId);
            Assert.Contains(item.SnapshotId, manifest.Errors.Single().Message);
            Assert.Equal(BackupStatus.Running, manifest.RefreshStatus());
        }

        [Fact]
        public void NoWait_starts_the_snapshot_and_a_later_Wait_completes_it()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var options = Fast("vol-0data0000000000a");
            options.NoWait = true;
            var service = new EbsSnapshotBackup(ec2);

            var started = service.Run(manifest, options, null, CancellationToken.None);
            Assert.Empty(ep.RequestsFor("DescribeSnapshots"));
            Assert.Equal(ItemStatus.Running, manifest.Snapshots.Single().Status);
            Assert.False(started.AllCompleted);
            Assert.Contains(manifest.Warnings, w => w.Contains("-NoWait"));

            var waited = service.Wait(manifest, Fast(), null, CancellationToken.None);
            Assert.True(waited.AllCompleted);
            Assert.Equal(ItemStatus.Completed, manifest.Snapshots.Single().Status);
        }

        [Fact]
        public void Throttling_with_HTTP_503_is_retried_by_the_SDK()
        {
            using var ep = WithInstance();
            ep.AddFault("CreateSnapshot", 503, "RequestLimitExceeded", "Request limit exceeded.");
            ep.AddFault("CreateSnapshot", 503, "RequestLimitExceeded", "Request limit exceeded.");
            ep.AddFault("DescribeSnapshots", 503, "RequestLimitExceeded", "Request limit exceeded.");
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();

            var result = new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a"), null, CancellationToken.None);

            Assert.Equal(3, ep.RequestsFor("CreateSnapshot").Count);
            Assert.True(result.AllCompleted);
            Assert.Single(ep.Snapshots);
        }

        [Fact]
        public void Throttling_that_outlasts_the_retries_is_reported_as_throttled()
        {
            using var ep = WithInstance();
            for (int i = 0; i < 4; i++)
            {
                ep.AddFault("DescribeVolumes", 503, "RequestLimitExceeded", "Request limit exceeded.");
            }
            using var ec2 = Ec2TestClient.Create(ep);
            var e = Assert.Throws<EbsException>(() => ec2.DescribeVolumes(new[] { "vol-0data0000000000a" }, CancellationToken.None));
            Assert.Equal("EbsThrottled", e.ErrorId);
            Assert.Equal(4, ep.RequestsFor("DescribeVolumes").Count);
        }

        [Fact]
        public void A_DescribeSnapshots_failure_while_waiting_keeps_the_snapshot_running_and_records_why()
        {
            using var ep = WithInstance();
            ep.AddFault("DescribeSnapshots", 403, "UnauthorizedOperation", "You are not authorized to perform this operation.");
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();

            var result = new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a"), null, CancellationToken.None);

            Assert.Equal(ItemStatus.Running, manifest.Snapshots.Single().Status);
            var e = Assert.Single(result.Errors);
            Assert.Equal("EbsAccessDenied", e.ErrorId);
            Assert.Contains("ec2:DescribeSnapshots", e.Message);
            Assert.Contains("Waiting for the EBS snapshots stopped", manifest.Errors.Single().Message);
            Assert.False(result.AllCompleted);
        }

        [Fact]
        public void Access_denied_names_the_missing_ec2_action_and_progress_is_still_completed()
        {
            using var ep = WithInstance();
            ep.AddFault("CreateSnapshot", 403, "UnauthorizedOperation",
                "You are not authorized to perform this operation. User: arn:aws:iam::111122223333:user/backup is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:us-east-1::snapshot/* because no identity-based policy allows the ec2:CreateTags action. Encoded authorization failure message: QmFzZTY0YmxvYg");
            using var ec2 = Ec2TestClient.Create(ep);
            var progress = new List<EbsProgress>();
            var manifest = NewManifest();

            var e = Assert.Throws<EbsException>(() => new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a"), progress.Add, CancellationToken.None));

            Assert.Equal("EbsAccessDenied", e.ErrorId);
            Assert.Equal("UnauthorizedOperation", e.AwsErrorCode);
            Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, e.Category);
            Assert.Contains("lacks the permission ec2:CreateTags", e.Message);
            Assert.Contains("Grant ec2:CreateTags", e.RecommendedAction);
            Assert.DoesNotContain("QmFzZTY0YmxvYg", e.Message);
            Assert.Single(ep.RequestsFor("CreateSnapshot"));
            Assert.Empty(manifest.Snapshots);
            Assert.True(progress.Last().Completed);
            var record = e.ToErrorRecord("vol-0data0000000000a");
            Assert.Equal("DoltBackup.EbsAccessDenied", record.FullyQualifiedErrorId);
            Assert.Contains("ec2:CreateTags", record.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void Restore_creates_tagged_volumes_in_the_instance_zone_and_attaches_them()
        {
            using var ep = WithInstance();
            ep.AddInstance("i-0new", "us-east-1c");
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a", "vol-0data0000000000b"), null, CancellationToken.None);
            var restoreOptions = new EbsRestoreOptions
            {
                InstanceId = "i-0new",
                Devices = new[] { "/dev/sdf", "/dev/sdg" },
                VolumeType = "gp3",
                Tags = new Dictionary<string, string> { ["Purpose"] = "restore-test" },
                PollInterval = TimeSpan.FromMilliseconds(20),
                Timeout = TimeSpan.FromSeconds(30),
            };
            var progress = new List<EbsProgress>();

            var restored = new EbsVolumeRestore(ec2).Run(manifest, restoreOptions, progress.Add, CancellationToken.None);

            Assert.Equal(2, restored.Count);
            var creates = ep.RequestsFor("CreateVolume");
            Assert.Equal(manifest.Snapshots.Select(s => s.SnapshotId), creates.Select(c => c.Get("SnapshotId")));
            Assert.All(creates, c => Assert.Equal("us-east-1c", c.Get("AvailabilityZone")));
            Assert.All(creates, c => Assert.Equal("gp3", c.Get("VolumeType")));
            var tags = creates[0].Tags("TagSpecification.1.Tag");
            Assert.Equal("volume", creates[0].Get("TagSpecification.1.ResourceType"));
            Assert.Equal(manifest.Snapshots[0].SnapshotId, tags[EbsTags.RestoredFrom]);
            Assert.Equal("vol-0data0000000000a", tags[EbsTags.SourceVolume]);
            Assert.Equal("20261123T191000Z-prod", tags[EbsTags.BackupId]);
            Assert.Equal("restore-test", tags["Purpose"]);
            var attaches = ep.RequestsFor("AttachVolume");
            Assert.Equal(new[] { "/dev/sdf", "/dev/sdg" }, attaches.Select(a => a.Get("Device")));
            Assert.All(attaches, a => Assert.Equal("i-0new", a.Get("InstanceId")));
            Assert.Equal(restored.Select(r => r.VolumeId), attaches.Select(a => a.Get("VolumeId")));
            Assert.All(restored, r =>
            {
                Assert.Equal(ItemStatus.Completed, r.Status);
                Assert.Equal("attached", r.AttachmentState);
                Assert.Equal("us-east-1c", r.AvailabilityZone);
                Assert.StartsWith("vol-0new", r.VolumeId);
            });
            Assert.True(progress.Last().Completed);
            Assert.Equal("in-use", ep.Volumes[restored[0].VolumeId].State);
        }

        [Fact]
        public void Restore_without_an_instance_uses_the_zone_of_the_backup_and_does_not_attach()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a"), null, CancellationToken.None);

            var restored = new EbsVolumeRestore(ec2).Run(manifest, new EbsRestoreOptions(), null, CancellationToken.None).Single();

            Assert.Equal("us-east-1b", ep.RequestsFor("CreateVolume").Single().Get("AvailabilityZone"));
            Assert.Null(ep.RequestsFor("CreateVolume").Single().Get("VolumeType"));
            Assert.Empty(ep.RequestsFor("AttachVolume"));
            Assert.Equal(ItemStatus.Completed, restored.Status);
            Assert.Null(restored.Device);
        }

        [Fact]
        public void Restore_checks_devices_and_snapshot_state_before_creating_anything()
        {
            using var ep = WithInstance();
            ep.AddInstance("i-0new", "us-east-1c");
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            var snapOptions = Fast("vol-0data0000000000a", "vol-0data0000000000b");
            snapOptions.NoWait = true;
            new EbsSnapshotBackup(ec2).Run(manifest, snapOptions, null, CancellationToken.None);
            var restore = new EbsVolumeRestore(ec2);

            var e1 = Assert.Throws<EbsException>(() => restore.Run(manifest, new EbsRestoreOptions { InstanceId = "i-0new", Devices = new[] { "/dev/sdf" } }, null, CancellationToken.None));
            Assert.Equal("EbsDeviceCount", e1.ErrorId);
            var e2 = Assert.Throws<EbsException>(() => restore.Run(manifest, new EbsRestoreOptions { InstanceId = "i-0new", Devices = new[] { "/dev/sdf", "/dev/sdg" }, AvailabilityZone = "us-east-1a" }, null, CancellationToken.None));
            Assert.Equal("EbsZoneMismatch", e2.ErrorId);
            var e3 = Assert.Throws<EbsException>(() => restore.Run(manifest, new EbsRestoreOptions { Devices = new[] { "/dev/sdf", "/dev/sdg" } }, null, CancellationToken.None));
            Assert.Equal("EbsDeviceWithoutInstance", e3.ErrorId);
            // The snapshots were not waited for: the fake answers pending on the first look.
            var e4 = Assert.Throws<EbsException>(() => restore.Run(manifest, new EbsRestoreOptions(), null, CancellationToken.None));
            Assert.Equal("EbsSnapshotNotCompleted", e4.ErrorId);

            var e5 = Assert.Throws<EbsException>(() => restore.Run(manifest, new EbsRestoreOptions { Tags = new Dictionary<string, string> { ["aws:x"] = "1" } }, null, CancellationToken.None));
            Assert.Equal("EbsInvalidTag", e5.ErrorId);

            Assert.Empty(ep.RequestsFor("CreateVolume"));
            Assert.Empty(ep.RequestsFor("AttachVolume"));
        }

        [Fact]
        public void Removal_deletes_the_snapshots_and_reports_one_already_gone()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a", "vol-0data0000000000b"), null, CancellationToken.None);
            ep.Snapshots.Remove(manifest.Snapshots[1].SnapshotId);

            var results = new EbsSnapshotRemoval(ec2).Delete(manifest, CancellationToken.None);

            Assert.Equal(2, results.Count);
            Assert.True(results[0].Deleted);
            Assert.False(results[1].Deleted);
            Assert.True(results[1].AlreadyGone);
            Assert.Null(results[1].Error);
            Assert.Empty(ep.Snapshots);
            Assert.Equal(manifest.Snapshots.Select(s => s.SnapshotId), ep.RequestsFor("DeleteSnapshot").Select(r => r.Get("SnapshotId")));
        }

        [Fact]
        public void Removal_reports_access_denied_per_snapshot()
        {
            using var ep = WithInstance();
            using var ec2 = Ec2TestClient.Create(ep);
            var manifest = NewManifest();
            new EbsSnapshotBackup(ec2).Run(manifest, Fast("vol-0data0000000000a"), null, CancellationToken.None);
            ep.AddFault("DeleteSnapshot", 403, "UnauthorizedOperation", "You are not authorized to perform this operation.");

            var r = new EbsSnapshotRemoval(ec2).Delete(manifest, CancellationToken.None).Single();

            Assert.False(r.Deleted);
            Assert.Equal("EbsAccessDenied", r.Error.ErrorId);
            Assert.Contains("ec2:DeleteSnapshot", r.Error.Message);
            Assert.Single(ep.Snapshots);
        }

        private sealed class StaticDiscovery : IVolumeDiscovery
        {
            private readonly DiscoveredVolume[] _volumes;

            public StaticDiscovery(params DiscoveredVolume[] volumes) => _volumes = volumes;

            public List<string> AskedPaths { get; } = new List<string>();

            public IReadOnlyList<DiscoveredVolume> Discover(IEnumerable<string> paths)
            {
                AskedPaths.AddRange(paths);
                return _volumes;
            }
        }
    }
}
