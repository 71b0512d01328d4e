using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using DoltBackup.Tests.Ebs;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// Restore-DoltBackup of an EbsSnapshot set through the real AWS SDK against the in-process EC2 endpoint (fake
    /// static keys in the environment; no request leaves 127.0.0.1). The sets are taken with EbsSnapshotBackup against
    /// the same endpoint, so the snapshot ids are the endpoint's own.
    /// </summary>
    [Collection("AwsEnvironment")]
    public class EbsRestoreCmdletTests : IDisposable
    {
        private const string Source = "i-0123456789abcdef0";
        private const string Target = "i-0fedcba9876543210";
        private const string VolumeA = "vol-0aaaaaaaaaaaaaaa0";
        private const string VolumeB = "vol-0bbbbbbbbbbbbbbb0";
        private const string Ebs = " -Region us-east-1 -EndpointUrl $args[1]";
        private readonly FakeEc2Endpoint _ec2 = new FakeEc2Endpoint();
        private readonly PowerShellHost _shell = new PowerShellHost();

        public EbsRestoreCmdletTests()
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Ec2TestClient.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Ec2TestClient.SecretKey);
            EbsVolumeRestore.PollIntervalOverride = TimeSpan.FromMilliseconds(20);
            _ec2.AddInstance(Source, "us-east-1a");
            _ec2.AddInstance(Target, "us-east-1c");
            _ec2.AddVolume(VolumeA, 20, "us-east-1a", Source, "/dev/sdf");
            _ec2.AddVolume(VolumeB, 30, "us-east-1a", Source, "/dev/sdg");
        }

        /// <summary>A backup set of both volumes, taken (and by default waited for) against the endpoint; its requests are then forgotten.</summary>
        private BackupManifest TakeSet(bool wait = true)
        {
            var manifest = new BackupManifest
            {
                Id = "20261123T191000Z-prod",
                Name = "prod",
                Method = BackupMethod.EbsSnapshot,
                Source = new BackupSource { DataDir = "/data/dolt" },
                Databases = { new DatabaseBackupItem { Name = "orders" } },
            };
            using (var client = Ec2TestClient.Create(_ec2))
            {
                new EbsSnapshotBackup(client).Run(manifest, new EbsSnapshotOptions
                {
                    VolumeIds = new List<string> { VolumeA, VolumeB },
                    PollInterval = TimeSpan.FromMilliseconds(20),
                    Timeout = TimeSpan.FromSeconds(30),
                    NoWait = !wait,
                }, null, CancellationToken.None);
            }
            Assert.Equal(2, manifest.Snapshots.Count);
            _ec2.Requests.Clear();
            return manifest;
        }

        private bool AnyMutatingRequest() => _ec2.Requests.Any(r => !r.Action.StartsWith("Describe", StringComparison.Ordinal));

        [Fact]
        public void Creates_tagged_volumes_in_the_instance_zone_attaches_them_and_outputs_one_result_per_volume()
        {
            var set = TakeSet();

            var r = _shell.Run("$args[0] | Restore-DoltBackup -InstanceId $args[2] -Device /dev/sdf, /dev/sdg -Tag @{ Purpose = 'restore-test' } -Force" + Ebs, set, _ec2.Url, Target);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var volumes = r.Output.Select(o => Assert.IsType<RestoredVolume>(o.BaseObject)).ToList();
            Assert.Equal(set.Snapshots.Select(s => s.SnapshotId), volumes.Select(v => v.SnapshotId));
            Assert.Equal(new[] { VolumeA, VolumeB }, volumes.Select(v => v.SourceVolumeId));
            Assert.Equal(new[] { "/dev/sdf", "/dev/sdg" }, volumes.Select(v => v.Device));
            Assert.All(volumes, v =>
            {
                Assert.Equal(ItemStatus.Completed, v.Status);
                Assert.Equal("us-east-1c", v.AvailabilityZone);
                Assert.Equal(Target, v.InstanceId);
                Assert.Equal("attached", v.AttachmentState);
                Assert.Equal("in-use", _ec2.Volumes[v.VolumeId].State);
            });

            var creates = _ec2.RequestsFor("CreateVolume");
            Assert.Equal(2, creates.Count);
            Assert.All(creates, c => Assert.Equal("us-east-1c", c.Get("AvailabilityZone")));
            var tags = creates[1].Tags("TagSpecification.1.Tag");
            Assert.Equal(set.Id, tags[EbsTags.BackupId]);
            Assert.Equal(VolumeB, tags[EbsTags.SourceVolume]);
            Assert.Equal(set.Snapshots[1].SnapshotId, tags[EbsTags.RestoredFrom]);
            Assert.Equal("restore-test", tags["Purpose"]);
            var attaches = _ec2.RequestsFor("AttachVolume");
            Assert.Equal(volumes.Select(v => v.VolumeId), attaches.Select(a => a.Get("VolumeId")));
            Assert.All(attaches, a => Assert.Equal(Target, a.Get("InstanceId")));
            // Both volumes were created before the first was attached (EC2 restores them in parallel).
            Assert.True(_ec2.Requests.FindLastIndex(q => q.Action == "CreateVolume") < _ec2.Requests.FindIndex(q => q.Action == "AttachVolume"));

            Assert.NotEmpty(r.Progress);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
            Assert.DoesNotContain(Ec2TestClient.SecretKey, r.AllText());
        }

        [Fact]
        public void Without_an_instance_the_volumes_are_created_in_the_backup_zone_waited_for_and_not_attached()
        {
            var set = TakeSet();

            var r = _shell.Run("$args[0] | Restore-DoltBackup -Confirm:$false -VolumeType gp3" + Ebs, set, _ec2.Url);

            Assert.Empty(r.Errors);
            var volumes = r.Output.Select(o => (RestoredVolume)o.BaseObject).ToList();
            Assert.Equal(2, volumes.Count);
            Assert.All(volumes, v =>
            {
                Assert.Equal(ItemStatus.Completed, v.Status);
                Assert.Equal("available", v.State);
                Assert.Null(v.InstanceId);
                Assert.Null(v.Device);
                Assert.Equal("us-east-1a", v.AvailabilityZone);
            });
            Assert.All(_ec2.RequestsFor("CreateVolume"), c => Assert.Equal("gp3", c.Get("VolumeType")));
            Assert.Empty(_ec2.RequestsFor("AttachVolume"));
            Assert.NotEmpty(_ec2.RequestsFor("DescribeVolumes"));
        }

        [Fact]
        public void A_set_read_from_its_backup_folder_with_Path_is_restored_from_the_recorded_snapshots()
        {
            var set = TakeSet();
            using var dir = new TempDir();
            set.Destination.BackupFolder = dir.Combine(set.Id);
            ManifestStore.Write(set);

            var r = _shell.Run("Restore-DoltBackup -Path $args[0] -AvailabilityZone us-east-1d -Force" + Ebs, set.BackupFolder, _ec2.Url);

            Assert.Empty(r.Errors);
            Assert.Equal(set.Snapshots.Select(s => s.SnapshotId), _ec2.RequestsFor("CreateVolume").Select(c => c.Get("SnapshotId")));
            Assert.All(_ec2.RequestsFor("CreateVolume"), c => Assert.Equal("us-east-1d", c.Get("AvailabilityZone")));
            Assert.All(r.Output, o => Assert.Equal(ItemStatus.Completed, ((RestoredVolume)o.BaseObject).Status));
            Assert.Equal(2, r.Output.Count);
        }

        [Fact]
        public void WhatIf_lists_every_volume_and_sends_no_mutating_request()
        {
            var set = TakeSet();

            string text = _shell.Render("$args[0] | Restore-DoltBackup -InstanceId $args[2] -Device /dev/sdf, /dev/sdg -WhatIf" + Ebs, set, _ec2.Url, Target);

            Assert.Contains("What if", text);
            Assert.Contains(set.Snapshots[0].SnapshotId, text);
            Assert.Contains(set.Snapshots[1].SnapshotId, text);
            Assert.Contains("/dev/sdg", text);
            Assert.Contains("us-east-1c", text);
            Assert.False(AnyMutatingRequest(), string.Join(", ", _ec2.Requests));
            Assert.Equal(2, _ec2.Volumes.Count);
        }

        [Fact]
        public void A_snapshot_that_is_not_completed_is_refused_and_nothing_is_created()
        {
            _ec2.SnapshotScript = new() { ("pending", "10%", null) };
            var set = TakeSet(wait: false);

            var r = _shell.Run("$args[0] | Restore-DoltBackup -Force" + Ebs, set, _ec2.Url);

            Assert.Empty(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.EbsSnapshotNotCompleted", e.FullyQualifiedErrorId);
            Assert.Contains(set.Snapshots[0].SnapshotId + " (pending)", e.Exception.Message);
            Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
            Assert.False(AnyMutatingRequest());
        }

        [Fact]
        public void Access_denied_on_CreateVolume_is_an_error_record_naming_the_ec2_action()
        {
            var set = TakeSet();
            _ec2.AddFault("CreateVolume", 403, "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: QmFzZTY0YmxvYg");

            var r = _shell.Run("$args[0] | Restore-DoltBackup -Force" + Ebs, set, _ec2.Url);

            Assert.Null(r.Terminating);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.EbsAccessDenied", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            Assert.Contains("ec2:CreateVolume", e.Exception.Message);
            Assert.Contains("ec2:CreateVolume", e.ErrorDetails.RecommendedAction);
            Assert.Equal(set.Snapshots[0].SnapshotId, e.TargetObject);
            var volumes = r.Output.Select(o => (RestoredVolume)o.BaseObject).ToList();
            Assert.Equal(ItemStatus.Failed, volumes[0].Status);
            Assert.Null(volumes[0].VolumeId);
            // One failure does not stop the other volume of the set.
            Assert.Equal(ItemStatus.Completed, volumes[1].Status);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
        }

        [Fact]
        public void A_device_count_that_does_not_match_the_snapshots_is_refused_before_any_request()
        {
            var set = TakeSet();

            var r = _shell.Run("$args[0] | Restore-DoltBackup -InstanceId $args[2] -Device /dev/sdf -Force" + Ebs, set, _ec2.Url, Target);

            Assert.Empty(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.EbsDeviceCount", e.FullyQualifiedErrorId);
            Assert.Contains("2 snapshot(s)", e.Exception.Message);
            Assert.Empty(_ec2.Requests);
        }

        [Fact]
        public void Database_parameters_are_refused_for_an_EbsSnapshot_set_and_EBS_parameters_for_other_sets()
        {
            var set = TakeSet();

            var r = _shell.Run("$args[0] | Restore-DoltBackup -Prefix check_ -Force" + Ebs, set, _ec2.Url);
            Assert.StartsWith("DoltBackup.EbsParameterNotApplicable", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Empty(_ec2.Requests);

            var other = new BackupManifest { Id = "20261123T191000Z-db", Name = "db", Method = BackupMethod.DoltBackup };
            var r2 = _shell.Run("$args[0] | Restore-DoltBackup -InstanceId $args[2] -DataDir /nonexistent -Force" + Ebs, other, _ec2.Url, Target);
            var e2 = Assert.Single(r2.Errors);
            Assert.StartsWith("DoltBackup.EbsParameterNotApplicable", e2.FullyQualifiedErrorId);
            Assert.Contains("-InstanceId", e2.Exception.Message);
            Assert.Empty(_ec2.Requests);
        }

        [Fact]
        public void The_results_are_shown_with_the_restored_volume_view()
        {
            var volume = new RestoredVolume
            {
                SnapshotId = "snap-0123456789abcdef0", VolumeId = "vol-0new0000000000001", AvailabilityZone = "us-east-1c",
                InstanceId = Target, Device = "/dev/sdf", State = "in-use", AttachmentState = "attached", Status = ItemStatus.Completed,
            };

            string text = _shell.Render("$args[0]", volume);

            Assert.Contains("VolumeId", text);
            Assert.Contains("Zone", text);
            Assert.Contains("vol-0new0000000000001", text);
            Assert.Contains("/dev/sdf", text);
            Assert.Contains("Completed", text);
        }

        [Fact]
        public void The_help_describes_every_EBS_parameter_and_the_mount_steps()
        {
            foreach (var p in new[] { "AvailabilityZone", "InstanceId", "Device", "Tag", "VolumeType", "Region", "ProfileName", "EndpointUrl" })
            {
                string help = _shell.Render("Get-Help Restore-DoltBackup -Parameter $args[0]", p);
                Assert.Contains("EbsSnapshot sets only", System.Text.RegularExpressions.Regex.Replace(help, @"\s+", " "));
            }
            // The full help as laid out with the module (this engine's Get-Help -Full view shows only the syntax).
            var maml = System.Xml.Linq.XDocument.Load(System.IO.Path.Combine(RepoPaths.LaidOutModule, "en-US", "DoltBackup.dll-Help.xml"));
            System.Xml.Linq.XNamespace cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            string full = maml.Descendants(cmd + "command").Single(c => (string)c.Element(cmd + "details")?.Element(cmd + "name") == "Restore-DoltBackup").Value;
            Assert.Contains("lsblk", full);
            Assert.Contains("nouuid", full);
            Assert.Contains("vgimportclone", full);
            Assert.Contains("Restore-DoltBackup -InstanceId i-0123456789abcdef0 -Device /dev/sdf, /dev/sdg", full);
        }

        public void Dispose()
        {
            EbsVolumeRestore.PollIntervalOverride = null;
            _shell.Dispose();
            _ec2.Dispose();
        }
    }
}
