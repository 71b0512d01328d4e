using System;
using System.IO;
using System.Linq;
using DoltBackup.Ebs;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    public class LinuxVolumeDiscoveryTests
    {
        private static LinuxVolumeDiscovery On(FakeLinuxTree tree) => new LinuxVolumeDiscovery(tree.Root, p => p);

        private static FakeLinuxTree Base()
            => new FakeLinuxTree()
                .EbsNvme("nvme0n1", "259:0", "vol0feed00000000000a")
                .Partition("nvme0n1", "nvme0n1p1", "259:1", 1)
                .Mount("/", "259:1", "xfs", "/dev/nvme0n1p1")
                .Mount("/proc", "0:22", "proc", "proc")
                .Mount("/run", "0:25", "tmpfs", "tmpfs");

        [Fact]
        public void An_nvme_disk_mounted_directly_gives_its_volume_id_with_the_dash()
        {
            using var tree = Base().EbsNvme("nvme1n1", "259:2", "vol0123456789abcdef0").Mount("/data", "259:2", "ext4", "/dev/nvme1n1");
            var v = On(tree).Discover(new[] { "/data/dolt" }).Single();
            Assert.Equal("vol-0123456789abcdef0", v.VolumeId);
            Assert.Equal("/dev/nvme1n1", v.Device);
            Assert.Equal("/data", v.MountPoint);
            Assert.Equal("ext4", v.FileSystemType);
            Assert.Equal(new[] { "/data/dolt" }, v.Paths);
        }

        [Fact]
        public void A_partition_climbs_to_its_disk()
        {
            using var tree = Base();
            var v = On(tree).Discover(new[] { "/var/lib/dolt" }).Single();
            Assert.Equal("vol-0feed00000000000a", v.VolumeId);
            Assert.Equal("/dev/nvme0n1", v.Device);
            Assert.Contains("nvme0n1p1 → nvme0n1", v.Chain);
        }

        [Fact]
        public void LVM_over_two_nvme_disks_gives_both_volumes()
        {
            using var tree = Base()
                .EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1")
                .EbsNvme("nvme2n1", "259:3", "vol0bbbbbbbbbbbbbbb2")
                .Stacked("dm-0", "253:0", "vgdolt-data", "nvme1n1", "nvme2n1")
                .Mount("/srv/dolt", "253:0", "xfs", "/dev/mapper/vgdolt-data");
            var vs = On(tree).Discover(new[] { "/srv/dolt/db" });
            Assert.Equal(new[] { "vol-0aaaaaaaaaaaaaaa1", "vol-0bbbbbbbbbbbbbbb2" }, vs.Select(v => v.VolumeId));
            Assert.Equal(new[] { "/dev/nvme1n1", "/dev/nvme2n1" }, vs.Select(v => v.Device));
            Assert.All(vs, v => Assert.Equal("/dev/mapper/vgdolt-data", v.MountSource));
        }

        [Fact]
        public void MD_RAID_over_partitions_gives_the_disks_volumes()
        {
            using var tree = Base()
                .EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1")
                .Partition("nvme1n1", "nvme1n1p1", "259:4", 1)
                .EbsNvme("nvme2n1", "259:3", "vol0bbbbbbbbbbbbbbb2")
                .Partition("nvme2n1", "nvme2n1p1", "259:5", 1)
                .Stacked("md0", "9:0", null, "nvme1n1p1", "nvme2n1p1")
                .Mount("/data", "9:0", "ext4", "/dev/md0");
            var vs = On(tree).Discover(new[] { "/data" });
            Assert.Equal(new[] { "vol-0aaaaaaaaaaaaaaa1", "vol-0bbbbbbbbbbbbbbb2" }, vs.Select(v => v.VolumeId));
        }

        [Fact]
        public void Btrfs_anonymous_device_and_mapper_names_fall_back_to_the_source()
        {
            using var tree = Base()
                .EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1")
                .Mount("/btr", "0:40", "btrfs", "/dev/nvme1n1")
                .EbsNvme("nvme2n1", "259:3", "vol0bbbbbbbbbbbbbbb2")
                .Stacked("dm-1", "253:1", "vg-lv", "nvme2n1")
                .Mount("/lv", "0:41", "btrfs", "/dev/mapper/vg-lv");
            Assert.Equal("vol-0aaaaaaaaaaaaaaa1", On(tree).Discover(new[] { "/btr/x" }).Single().VolumeId);
            Assert.Equal("vol-0bbbbbbbbbbbbbbb2", On(tree).Discover(new[] { "/lv/x" }).Single().VolumeId);
        }

        [Fact]
        public void Escaped_spaces_and_the_longest_mount_point_are_handled()
        {
            using var tree = Base()
                .EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1")
                .EbsNvme("nvme2n1", "259:3", "vol0bbbbbbbbbbbbbbb2")
                .Mount("/mnt/dolt\\040data", "259:2", "ext4", "/dev/nvme1n1")
                .Mount("/mnt/dolt", "259:3", "ext4", "/dev/nvme2n1");
            var d = On(tree);
            Assert.Equal("vol-0aaaaaaaaaaaaaaa1", d.Discover(new[] { "/mnt/dolt data/db" }).Single().VolumeId);
            Assert.Equal("/mnt/dolt data", d.Discover(new[] { "/mnt/dolt data" }).Single().MountPoint);
            Assert.Equal("vol-0bbbbbbbbbbbbbbb2", d.Discover(new[] { "/mnt/dolt/db" }).Single().VolumeId);
            // /mnt/doltx is not under /mnt/dolt: it is on the root volume.
            Assert.Equal("vol-0feed00000000000a", d.Discover(new[] { "/mnt/doltx" }).Single().VolumeId);
        }

        [Fact]
        public void Several_paths_on_one_volume_give_one_volume_with_all_paths()
        {
            using var tree = Base().EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1").Mount("/data", "259:2", "ext4", "/dev/nvme1n1");
            var vs = On(tree).Discover(new[] { "/data/dolt", "/data/config", "/home/dolt/.dolt" });
            Assert.Equal(2, vs.Count);
            Assert.Equal(new[] { "/data/dolt", "/data/config" }, vs.Single(v => v.VolumeId == "vol-0aaaaaaaaaaaaaaa1").Paths);
            Assert.Equal(new[] { "/home/dolt/.dolt" }, vs.Single(v => v.VolumeId == "vol-0feed00000000000a").Paths);
        }

        [Fact]
        public void A_Xen_disk_without_serial_is_refused_with_a_hint_to_VolumeId()
        {
            using var tree = new FakeLinuxTree().Disk("xvda", "202:0").Partition("xvda", "xvda1", "202:1", 1).Mount("/", "202:1", "ext4", "/dev/xvda1");
            var e = Assert.Throws<EbsException>(() => On(tree).Discover(new[] { "/var/lib/dolt" }));
            Assert.Equal("EbsNoVolumeSerial", e.ErrorId);
            Assert.Contains("/dev/xvda", e.Message);
            Assert.Contains("-VolumeId", e.RecommendedAction);
        }

        [Theory]
        [InlineData("tmpfs", "tmpfs", "0:30")]
        [InlineData("overlay", "overlay", "0:31")]
        [InlineData("nfs4", "fileserver:/export", "0:32")]
        public void Non_block_file_systems_are_refused(string fsType, string source, string majorMinor)
        {
            using var tree = Base().Mount("/data", majorMinor, fsType, source);
            var e = Assert.Throws<EbsException>(() => On(tree).Discover(new[] { "/data/dolt" }));
            Assert.Equal("EbsNotOnEbs", e.ErrorId);
            Assert.Contains(fsType, e.Message);
            Assert.Contains("not a block device", e.Message);
        }

        [Theory]
        [InlineData("Amazon EC2 NVMe Instance Storage", "AWS1234567890ABCDEF", "instance store")]
        [InlineData("Samsung SSD 980 PRO 1TB", "S5GXNF0R123456", "Samsung")]
        public void Nvme_disks_that_are_not_EBS_are_refused(string model, string serial, string expected)
        {
            using var tree = Base().Disk("nvme1n1", "259:2", model, serial).Mount("/data", "259:2", "ext4", "/dev/nvme1n1");
            var e = Assert.Throws<EbsException>(() => On(tree).Discover(new[] { "/data" }));
            Assert.Equal("EbsNotOnEbs", e.ErrorId);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void A_loop_device_is_refused()
        {
            using var tree = Base().Disk("loop3", "7:3").Mount("/snap/x", "7:3", "squashfs", "/dev/loop3");
            var e = Assert.Throws<EbsException>(() => On(tree).Discover(new[] { "/snap/x" }));
            Assert.Equal("EbsNotOnEbs", e.ErrorId);
            Assert.Contains("loop device", e.Message);
        }

        [Fact]
        public void An_unreadable_mountinfo_is_a_clear_error()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<EbsException>(() => new LinuxVolumeDiscovery(dir.Path, p => p).Discover(new[] { "/data" }));
            Assert.Equal("EbsDiscoveryFailed", e.ErrorId);
            Assert.Contains("mountinfo", e.Message);
        }

        [Fact]
        public void A_symbolic_link_is_resolved_to_the_mount_that_really_holds_the_data()
        {
            if (!OperatingSystem.IsLinux())
            {
                return;
            }
            using var real = new TempDir("ebs-real");
            Directory.CreateDirectory(real.Combine("dolt"));
            string link = real.Combine("link");
            Directory.CreateSymbolicLink(link, real.Combine("dolt"));
            string realDolt = new DirectoryInfo(real.Combine("dolt")).FullName;
            using var tree = Base()
                .EbsNvme("nvme1n1", "259:2", "vol0aaaaaaaaaaaaaaa1")
                .Mount(realDolt.Replace(" ", "\\040"), "259:2", "ext4", "/dev/nvme1n1");
            // Default canonicalizer (realpath): link/db → <real>/dolt/db, which is under the fake mount.
            var v = new LinuxVolumeDiscovery(tree.Root).Discover(new[] { Path.Combine(link, "db") }).Single();
            Assert.Equal("vol-0aaaaaaaaaaaaaaa1", v.VolumeId);
            Assert.Contains("→ " + realDolt + "/db", v.Chain);
        }

        [Fact]
        public void Mountinfo_parsing_decodes_octal_escapes()
        {
            var entries = MountInfo.Parse("36 35 98:0 / /mnt/a\\040b\\011c\\134d rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
            var e = Assert.Single(entries);
            Assert.Equal("/mnt/a b\tc\\d", e.MountPoint);
            Assert.Equal(98, e.Major);
            Assert.Equal("ext3", e.FileSystemType);
            Assert.Equal("/dev/root", e.Source);
        }
    }
}
