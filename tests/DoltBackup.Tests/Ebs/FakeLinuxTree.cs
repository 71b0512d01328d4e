using System.Collections.Generic;
using System.IO;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>
    /// A fake /proc/self/mountinfo and /sys block tree in a temp dir, shaped like the kernel's: /sys/class/block/NAME
    /// with dev, partition, slaves/ and dm/name; /sys/block/DISK with partitions as subfolders and device/model,
    /// device/serial.
    /// </summary>
    internal sealed class FakeLinuxTree : System.IDisposable
    {
        private readonly TempDir _dir = new TempDir("ebs-sysfs");
        private readonly List<string> _mounts = new List<string>();
        private int _mountId = 20;

        public string Root => _dir.Path;

        /// <summary>Adds a mountinfo line; the mount point is given escaped as the kernel writes it.</summary>
        public FakeLinuxTree Mount(string escapedMountPoint, string majorMinor, string fsType, string source)
        {
            _mounts.Add($"{_mountId++} 1 {majorMinor} / {escapedMountPoint} rw,relatime shared:1 - {fsType} {source} rw");
            Write("proc/self/mountinfo", string.Join("\n", _mounts) + "\n");
            return this;
        }

        public FakeLinuxTree Disk(string name, string majorMinor, string model = null, string serial = null)
        {
            Write($"sys/class/block/{name}/dev", majorMinor + "\n");
            Directory.CreateDirectory(Path.Combine(Root, "sys/block", name));
            if (model != null)
            {
                Write($"sys/block/{name}/device/model", model.PadRight(40) + "\n");
            }
            if (serial != null)
            {
                Write($"sys/block/{name}/device/serial", serial.PadRight(20) + "\n");
            }
            return this;
        }

        public FakeLinuxTree EbsNvme(string name, string majorMinor, string volumeIdWithoutDash)
            => Disk(name, majorMinor, "Amazon Elastic Block Store", volumeIdWithoutDash);

        public FakeLinuxTree Partition(string disk, string name, string majorMinor, int number)
        {
            Write($"sys/class/block/{name}/dev", majorMinor + "\n");
            Write($"sys/class/block/{name}/partition", number + "\n");
            Directory.CreateDirectory(Path.Combine(Root, "sys/block", disk, name));
            return this;
        }

        /// <summary>A stacked device (dm-N or mdN) over <paramref name="slaves"/>.</summary>
        public FakeLinuxTree Stacked(string name, string majorMinor, string dmName, params string[] slaves)
        {
            Write($"sys/class/block/{name}/dev", majorMinor + "\n");
            Directory.CreateDirectory(Path.Combine(Root, "sys/block", name));
            if (dmName != null)
            {
                Write($"sys/class/block/{name}/dm/name", dmName + "\n");
            }
            foreach (var s in slaves)
            {
                Directory.CreateDirectory(Path.Combine(Root, $"sys/class/block/{name}/slaves/{s}"));
            }
            return this;
        }

        private void Write(string relative, string text)
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            File.WriteAllText(path, text);
        }

        public void Dispose() => _dir.Dispose();
    }
}
