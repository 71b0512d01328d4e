using System;
using System.Linq;
using System.Threading;
using DoltBackup.Common;
using DoltBackup.Ebs;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Ebs;
using DoltBackup.Tests.Fakes;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    public class RetentionAdaptersTests
    {
        [Fact]
        public async System.Threading.Tasks.Task The_engine_unregistrar_removes_the_registration_and_treats_not_registered_as_done()
        {
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales");
            await engine.AddBackupAsync("sales", "nightly", "file:///b/sales", CancellationToken.None);
            using var u = new EngineBackupUnregistrar(engine);
            u.Unregister("sales", "nightly");
            Assert.Empty(await engine.ListBackupsAsync("sales", CancellationToken.None));
            u.Unregister("sales", "nightly"); // gone already: no error
            Assert.Throws<DoltBackupException>(() => u.Unregister("nosuchdb", "nightly"));
        }

        [Fact]
        public void The_EC2_deleter_deletes_through_DeleteSnapshot_and_accepts_a_snapshot_already_gone()
        {
            using var ec2 = new FakeEc2Endpoint();
            ec2.AddVolume("vol-0123456789abcdef0", 8, "us-east-1a");
            ec2.Snapshots["snap-0123456789abcdef0"] = new FakeSnapshot { SnapshotId = "snap-0123456789abcdef0", VolumeId = "vol-0123456789abcdef0", VolumeSize = 8, StartTime = DateTime.UtcNow };
            using var deleter = new EbsRetentionSnapshotDeleter(o => new EbsSnapshotRemoval(Ec2TestClient.Create(ec2, o.Region ?? "us-east-1")));
            deleter.DeleteSnapshot(new VolumeSnapshot { SnapshotId = "snap-0123456789abcdef0", Region = "us-east-1" });
            Assert.Equal("snap-0123456789abcdef0", ec2.RequestsFor("DeleteSnapshot").Single().Get("SnapshotId"));
            deleter.DeleteSnapshot(new VolumeSnapshot { SnapshotId = "snap-0123456789abcdef0", Region = "us-east-1" });
            deleter.DeleteSnapshot(new VolumeSnapshot { SnapshotId = null }); // never created
            Assert.Equal(2, ec2.RequestsFor("DeleteSnapshot").Count);
        }
    }
}
