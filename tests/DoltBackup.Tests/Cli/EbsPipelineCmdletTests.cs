using System;
using System.IO;
using System.Linq;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Tests.Ebs;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>
    /// New-DoltBackup -Method EbsSnapshot | Sync-DoltBackup through the real AWS SDK against the in-process EC2 endpoint
    /// (fake static keys in the environment; no request leaves 127.0.0.1).
    /// </summary>
    [Collection("AwsEnvironment")]
    public class EbsPipelineCmdletTests : IDisposable
    {
        private const string Volume = "vol-0123456789abcdef0";
        private readonly FakeEc2Endpoint _ec2 = new FakeEc2Endpoint();
        private readonly TempDir _dir = new TempDir();
        private readonly PowerShellHost _shell = new PowerShellHost();

        public EbsPipelineCmdletTests()
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Ec2TestClient.AccessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Ec2TestClient.SecretKey);
            EbsSnapshotSync.PollIntervalOverride = TimeSpan.FromMilliseconds(20);
            _ec2.AddInstance("i-0123456789abcdef0", "us-east-1a");
            _ec2.AddVolume(Volume, 20, "us-east-1a", "i-0123456789abcdef0", "/dev/sdf");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), _dir.Combine("data"));
        }

        private string Pipeline(string sync) =>
            "New-DoltBackup -Method EbsSnapshot -Name nightly -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -VolumeId $args[2] -Region us-east-1 -EndpointUrl $args[3] -SkipConfiguration " + sync;

        [Fact]
        public void The_pipeline_snapshots_the_volume_waits_and_records_every_database_as_completed()
        {
            var r = _shell.Run(Pipeline("-Tag @{ Team = 'dba' }"), _dir.Combine("data"), _dir.Combine("backups"), Volume, _ec2.Url);
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupMethod.EbsSnapshot, m.Method);
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(new[] { "inventory", "sales" }, m.DatabaseNames.OrderBy(n => n).ToArray());
            Assert.All(m.Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
            var snap = Assert.Single(m.Snapshots);
            Assert.Equal(Volume, snap.VolumeId);
            Assert.Equal(ItemStatus.Completed, snap.Status);
            Assert.Equal(Path.Combine(_dir.Combine("backups"), m.Id), m.BackupFolder);

            var create = Assert.Single(_ec2.RequestsFor("CreateSnapshot"));
            Assert.Equal(Volume, create.Get("VolumeId"));
            var tags = create.Tags("TagSpecification.1.Tag");
            Assert.Equal("dba", tags["Team"]);
            Assert.Contains(tags, t => t.Value == m.Id);
            Assert.Equal(BackupStatus.Completed, ManifestStore.Read(m.BackupFolder).Status);
            Assert.DoesNotContain(Ec2TestClient.SecretKey, r.AllText());
        }

        [Fact]
        public void NoWait_leaves_the_set_running_and_a_second_sync_waits_then_refuses_a_third()
        {
            var first = (BackupManifest)_shell.Invoke(Pipeline("-NoWait"), _dir.Combine("data"), _dir.Combine("backups"), Volume, _ec2.Url).Single().BaseObject;
            Assert.Equal(BackupStatus.Running, first.Status);
            Assert.Equal(ItemStatus.Running, first.Databases[0].Status);

            var second = (BackupManifest)_shell.Invoke("Get-DoltBackup $args[0] | Sync-DoltBackup -Region us-east-1 -EndpointUrl $args[1]", first.BackupFolder, _ec2.Url).Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, second.Status);
            Assert.Single(_ec2.RequestsFor("CreateSnapshot"));

            var third = _shell.Run("Get-DoltBackup $args[0] | Sync-DoltBackup -Region us-east-1 -EndpointUrl $args[1]", first.BackupFolder, _ec2.Url);
            Assert.StartsWith("DoltBackup.EbsSetAlreadyTaken", Assert.Single(third.Errors).FullyQualifiedErrorId);
            Assert.Single(_ec2.RequestsFor("CreateSnapshot"));
        }

        [Fact]
        public void A_snapshot_in_state_error_fails_the_set_and_every_database()
        {
            _ec2.SnapshotScript = new() { ("pending", "0%", null), ("error", "10%", "internal error") };
            var r = _shell.Run(Pipeline(""), _dir.Combine("data"), _dir.Combine("backups"), Volume, _ec2.Url);
            Assert.NotEmpty(r.Errors);
            var m = ManifestStore.Read(Directory.GetDirectories(_dir.Combine("backups")).Single());
            Assert.Equal(BackupStatus.Failed, m.Status);
            Assert.All(m.Databases, d => Assert.Equal(ItemStatus.Failed, d.Status));
        }

        [Fact]
        public void WhatIf_creates_no_set_and_sends_no_request()
        {
            var r = _shell.Run(Pipeline("-WhatIf") .Replace("-Path $args[1] |", "-Path $args[1] -WhatIf |"), _dir.Combine("data"), _dir.Combine("backups"), Volume, _ec2.Url);
            Assert.Empty(r.Errors);
            Assert.False(Directory.Exists(_dir.Combine("backups")));
            Assert.Empty(_ec2.Requests);
        }

        public void Dispose()
        {
            EbsSnapshotSync.PollIntervalOverride = null;
            _shell.Dispose();
            _ec2.Dispose();
            _dir.Dispose();
        }
    }
}
