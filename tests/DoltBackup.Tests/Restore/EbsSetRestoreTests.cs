using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Ebs;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>The EbsSnapshot restore service (EbsSetRestore over EbsVolumeRestore) with the in-memory EC2 fake.</summary>
    [Collection("AwsEnvironment")] // shares EbsVolumeRestore.PollIntervalOverride with the cmdlet tests
    public class EbsSetRestoreTests : IDisposable
    {
        private readonly FakeEc2Api _ec2 = new FakeEc2Api();
        private readonly List<string> _asked = new List<string>();
        private readonly List<RestoredVolume> _results = new List<RestoredVolume>();
        private readonly List<ErrorRecord> _errors = new List<ErrorRecord>();
        private readonly List<EbsProgress> _progress = new List<EbsProgress>();
        private int _clients;
        private bool _confirm = true;

        public EbsSetRestoreTests()
        {
            EbsVolumeRestore.PollIntervalOverride = TimeSpan.Zero;
            _ec2.Instances["i-0target"] = new Ec2Instance
            {
                InstanceId = "i-0target", AvailabilityZone = "eu-west-1b", RootDeviceName = "/dev/xvda",
                BlockDevices = { new Ec2VolumeAttachment { VolumeId = "vol-root", Device = "/dev/xvda", State = "attached" } },
            };
        }

        private static BackupManifest Set() => new BackupManifest
        {
            Id = "20261123T191000Z-prod",
            Name = "prod",
            Method = BackupMethod.EbsSnapshot,
            Snapshots =
            {
                new VolumeSnapshot { SnapshotId = "snap-a", VolumeId = "vol-a", AvailabilityZone = "eu-west-1a", Status = ItemStatus.Completed },
                new VolumeSnapshot { SnapshotId = "snap-b", VolumeId = "vol-b", AvailabilityZone = "eu-west-1a", Status = ItemStatus.Completed },
            },
        };

        private EbsSetRestore Service() => new EbsSetRestore(o => { _clients++; return _ec2; });

        private EbsRestoreCallbacks Callbacks() => new EbsRestoreCallbacks
        {
            ShouldProcess = (target, action) => { _asked.Add(target + ": " + action); return _confirm; },
            Progress = _progress.Add,
            Result = _results.Add,
            Error = _errors.Add,
        };

        private IReadOnlyList<RestoredVolume> Restore(EbsSetRestoreRequest request) => Service().Restore(Set(), request, Callbacks(), CancellationToken.None);

        [Fact]
        public void Creates_every_volume_before_waiting_and_attaches_them_in_manifest_order()
        {
            var results = Restore(new EbsSetRestoreRequest { InstanceId = "i-0target", Devices = new[] { "/dev/sdf", "/dev/sdg" }, Tags = new Hashtable { ["Team"] = "dba" } });

            Assert.Empty(_errors);
            Assert.Equal(2, _results.Count);
            Assert.All(results, r => Assert.Equal(ItemStatus.Completed, r.Status));
            var calls = _ec2.Calls.Where(c => !c.StartsWith("Describe", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[] { "CreateVolume snap-a eu-west-1b", "CreateVolume snap-b eu-west-1b", $"AttachVolume {results[0].VolumeId} i-0target /dev/sdf", $"AttachVolume {results[1].VolumeId} i-0target /dev/sdg" }, calls);
            // One DescribeVolumes per poll for all the volumes.
            Assert.Contains($"DescribeVolumes {results[0].VolumeId},{results[1].VolumeId}", _ec2.Calls);
            var ask = Assert.Single(_asked);
            Assert.Contains("snap-a", ask);
            Assert.Contains("snap-b", ask);
            Assert.Contains("/dev/sdg", ask);
            Assert.True(_progress.Last().Completed);
            Assert.Contains(_progress, p => p.StatusDescription.Contains("Waiting until the volumes are available"));
        }

        [Fact]
        public void Not_confirmed_creates_nothing_and_outputs_nothing()
        {
            _confirm = false;

            var results = Restore(new EbsSetRestoreRequest());

            Assert.Empty(results);
            Assert.Empty(_results);
            Assert.Empty(_errors);
            Assert.All(_ec2.Calls, c => Assert.StartsWith("Describe", c));
            Assert.Contains("in eu-west-1a", Assert.Single(_asked));
        }

        [Fact]
        public void A_wrong_device_count_is_refused_before_an_EC2_client_is_made()
        {
            Restore(new EbsSetRestoreRequest { InstanceId = "i-0target", Devices = new[] { "/dev/sdf", "/dev/sdg", "/dev/sdh" } });

            Assert.Equal("DoltBackup.EbsDeviceCount", Assert.Single(_errors).FullyQualifiedErrorId);
            Assert.Equal(0, _clients);
            Assert.Empty(_ec2.Calls);
            Assert.Empty(_asked);
        }

        [Fact]
        public void A_device_already_used_on_the_instance_is_refused_before_anything_is_created()
        {
            Restore(new EbsSetRestoreRequest { InstanceId = "i-0target", Devices = new[] { "/dev/xvda", "/dev/sdg" } });

            Assert.Equal("DoltBackup.EbsDeviceInUse", Assert.Single(_errors).FullyQualifiedErrorId);
            Assert.DoesNotContain(_ec2.Calls, c => c.StartsWith("CreateVolume", StringComparison.Ordinal));
        }

        [Fact]
        public void A_reserved_tag_is_refused_before_anything_is_created_even_under_WhatIf()
        {
            _confirm = false;

            Restore(new EbsSetRestoreRequest { Tags = new Hashtable { ["aws:owner"] = "x" } });

            Assert.Equal("DoltBackup.EbsInvalidTag", Assert.Single(_errors).FullyQualifiedErrorId);
            Assert.Empty(_asked);
        }

        [Fact]
        public void A_snapshot_in_error_is_refused_with_its_state()
        {
            _ec2.Describe = id => new Ec2Snapshot { SnapshotId = id, State = id == "snap-b" ? "error" : "completed" };

            Restore(new EbsSetRestoreRequest());

            var e = Assert.Single(_errors);
            Assert.Equal("DoltBackup.EbsSnapshotNotCompleted", e.FullyQualifiedErrorId);
            Assert.Contains("snap-b (error)", e.Exception.Message);
            Assert.DoesNotContain("snap-a", e.Exception.Message);
            Assert.Empty(_asked);
            Assert.DoesNotContain(_ec2.Calls, c => c.StartsWith("CreateVolume", StringComparison.Ordinal));
        }

        [Fact]
        public void A_volume_that_goes_into_error_fails_alone_with_an_error_record()
        {
            _ec2.NextVolumeState = v => v.SnapshotId == "snap-a" ? "error" : (v.State == "creating" ? "available" : v.State);

            var results = Restore(new EbsSetRestoreRequest { InstanceId = "i-0target", Devices = new[] { "/dev/sdf", "/dev/sdg" } });

            Assert.Equal(ItemStatus.Failed, results[0].Status);
            Assert.Equal("EbsVolumeFailed", results[0].ErrorId);
            Assert.Contains(results[0].VolumeId, results[0].Error);
            Assert.Equal(ItemStatus.Completed, results[1].Status);
            var e = Assert.Single(_errors);
            Assert.Equal("DoltBackup.EbsVolumeFailed", e.FullyQualifiedErrorId);
            Assert.Equal("snap-a", e.TargetObject);
            Assert.DoesNotContain(_ec2.Calls, c => c.StartsWith("AttachVolume " + results[0].VolumeId, StringComparison.Ordinal));
        }

        [Fact]
        public void A_volume_that_never_becomes_available_times_out_as_failed_not_completed()
        {
            _ec2.NextVolumeState = v => "creating";
            var options = EbsSetRestore.ToOptions(new EbsSetRestoreRequest());
            options.Timeout = TimeSpan.FromMilliseconds(50);
            EbsVolumeRestore.PollIntervalOverride = TimeSpan.FromMilliseconds(5);

            var results = new EbsVolumeRestore(_ec2).Run(Set(), options, _progress.Add, CancellationToken.None);

            Assert.All(results, r =>
            {
                Assert.Equal(ItemStatus.Failed, r.Status);
                Assert.Equal("EbsVolumeTimeout", r.ErrorId);
                Assert.Equal(ErrorCategory.OperationTimeout, r.ErrorCategory);
                Assert.NotNull(r.VolumeId);
            });
            Assert.True(_progress.Last().Completed);
        }

        [Fact]
        public void Describe_lists_every_volume_zone_and_device()
        {
            var plan = new[]
            {
                new RestoredVolume { SnapshotId = "snap-a", SourceVolumeId = "vol-a", AvailabilityZone = "eu-west-1b", Device = "/dev/sdf" },
                new RestoredVolume { SnapshotId = "snap-b", SourceVolumeId = "vol-b", AvailabilityZone = "eu-west-1b", Device = "/dev/sdg" },
            };

            string text = EbsSetRestore.Describe(plan, new EbsRestoreOptions { InstanceId = "i-0target" });

            Assert.Equal("Create 2 EBS volume(s) and attach them to i-0target; volume from snap-a (source vol-a) in eu-west-1b at /dev/sdf; volume from snap-b (source vol-b) in eu-west-1b at /dev/sdg", text);
        }

        public void Dispose() => EbsVolumeRestore.PollIntervalOverride = null;
    }
}
