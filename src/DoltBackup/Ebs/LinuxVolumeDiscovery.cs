using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Finds the EBS volumes under Linux paths: the mount that holds each path (/proc/self/mountinfo, longest mount
    /// point), the mount's block device, up through partitions, device-mapper (LVM) and MD RAID to the disks, and each
    /// disk's NVMe serial, which on Nitro instances is the volume id without its dash (vol0abc… is vol-0abc…).
    /// Every read goes below a root folder, so tests run on fake /proc and /sys trees.
    /// </summary>
    public sealed class LinuxVolumeDiscovery : IVolumeDiscovery
    {
        /// <summary>The model string of EBS volumes on Nitro NVMe.</summary>
        public const string EbsNvmeModel = "Amazon Elastic Block Store";

        private const string VolumeIdRecommendation = "Give the volume ids with -VolumeId (see them in the EC2 console or with Get-EC2Volume), or keep the data directory on an EBS volume.";

        private static readonly Regex SerialPattern = new Regex("^vol-?([0-9a-f]{8}|[0-9a-f]{17})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private readonly string _root;
        private readonly Func<string, string> _canonicalize;

        /// <summary>Discovery on this machine (root /, symbolic links resolved with realpath).</summary>
        public LinuxVolumeDiscovery() : this("/", null)
        {
        }

        /// <summary>
        /// Discovery below <paramref name="root"/> (which holds proc/self/mountinfo and sys/...); input paths are first
        /// passed through <paramref name="canonicalize"/> (default: resolve symbolic links with realpath).
        /// </summary>
        public LinuxVolumeDiscovery(string root, Func<string, string> canonicalize = null)
        {
            _root = root ?? "/";
            _canonicalize = canonicalize ?? PathCanonicalizer.RealPath;
        }

        /// <inheritdoc />
        public IReadOnlyList<DiscoveredVolume> Discover(IEnumerable<string> paths)
        {
            var list = paths?.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).ToList() ?? new List<string>();
            if (list.Count == 0)
            {
                throw new EbsException("EbsNoPath", ErrorCategory.InvalidArgument,
                    "No path was given to find EBS volumes for.", "Give the data directory (and optionally the config and global directories), or -VolumeId.");
            }
            var mounts = ReadMounts();
            var devices = new Lazy<Dictionary<string, string>>(IndexBlockDevices);
            var result = new List<DiscoveredVolume>();
            foreach (var path in list)
            {
                foreach (var v in DiscoverPath(path, mounts, devices))
                {
                    var existing = result.FirstOrDefault(r => r.VolumeId == v.VolumeId);
                    if (existing == null)
                    {
                        result.Add(v);
                    }
                    else if (!existing.Paths.Contains(path))
                    {
                        existing.Paths.Add(path);
                    }
                }
            }
            return result;
        }

        private List<MountInfoEntry> ReadMounts()
        {
            string file = Under("proc/self/mountinfo");
            try
            {
                return MountInfo.Parse(File.ReadAllText(file));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new EbsException("EbsDiscoveryFailed", ErrorCategory.ReadError,
                    $"Cannot read {file} to find the volume of the data directory: {e.Message}", VolumeIdRecommendation, e);
            }
        }

        private IEnumerable<DiscoveredVolume> DiscoverPath(string path, List<MountInfoEntry> mounts, Lazy<Dictionary<string, string>> devices)
        {
            string real = _canonicalize(path);
            var mount = MountInfo.FindMount(mounts, real);
            if (mount == null)
            {
                throw new EbsException("EbsNotOnEbs", ErrorCategory.InvalidArgument,
                    $"'{path}' is on no mount listed in /proc/self/mountinfo.", VolumeIdRecommendation);
            }
            string device = FindBlockDevice(mount, devices);
            if (device == null)
            {
                throw new EbsException("EbsNotOnEbs", ErrorCategory.InvalidArgument,
                    $"'{path}' is on {mount.FileSystemType} mounted at {mount.MountPoint} (source '{mount.Source}'), which is not a block device, so it cannot be an EBS volume and EBS snapshots would not contain it.",
                    "Put the data directory on an EBS volume, or use another -Method (DoltBackup or FileCopy).");
            }
            var chain = new List<string>();
            var disks = new List<string>();
            Climb(device, disks, chain, 0);
            foreach (var disk in disks)
            {
                yield return new DiscoveredVolume
                {
                    VolumeId = ReadVolumeId(disk, path, mount),
                    Device = "/dev/" + disk,
                    MountPoint = mount.MountPoint,
                    MountSource = mount.Source,
                    FileSystemType = mount.FileSystemType,
                    Chain = path + (real != path ? " → " + real : "") + " → " + mount.MountPoint + " → " + string.Join(" → ", chain.Distinct()),
                    Paths = new List<string> { path },
                };
            }
        }

        /// <summary>The kernel name (for example nvme1n1p1 or dm-0) of the mount's block device, or null.</summary>
        private string FindBlockDevice(MountInfoEntry mount, Lazy<Dictionary<string, string>> devices)
        {
            if (mount.Major != 0 && devices.Value.TryGetValue(mount.Major + ":" + mount.Minor, out var byNumber))
            {
                return byNumber;
            }
            // Btrfs and some others report an anonymous 0:N device: fall back to the source name.
            if (mount.Source != null && mount.Source.StartsWith("/dev/", StringComparison.Ordinal))
            {
                string name = mount.Source.Substring("/dev/".Length);
                if (name.StartsWith("mapper/", StringComparison.Ordinal))
                {
                    string dmName = name.Substring("mapper/".Length);
                    foreach (var dir in ListDirectory("sys/class/block").Where(d => d.StartsWith("dm-", StringComparison.Ordinal)))
                    {
                        if (ReadTrimmed(Path.Combine(Under("sys/class/block"), dir, "dm", "name")) == dmName)
                        {
                            return dir;
                        }
                    }
                    return null;
                }
                if (Directory.Exists(Path.Combine(Under("sys/class/block"), name)))
                {
                    return name;
                }
            }
            return null;
        }

        /// <summary>"major:minor" → kernel name of every block device in /sys/class/block (read once per Discover).</summary>
        private Dictionary<string, string> IndexBlockDevices()
        {
            var index = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var dir in ListDirectory("sys/class/block"))
            {
                string dev = ReadTrimmed(Path.Combine(Under("sys/class/block"), dir, "dev"));
                if (dev != null && !index.ContainsKey(dev))
                {
                    index[dev] = dir;
                }
            }
            return index;
        }

        /// <summary>Climbs from a block device to its disks: device-mapper and MD slaves, and partitions to their disk.</summary>
        private void Climb(string name, List<string> disks, List<string> chain, int depth)
        {
            if (depth > 16)
            {
                throw new EbsException("EbsDiscoveryFailed", ErrorCategory.InvalidData, $"The block device stack above {name} is too deep to follow.", VolumeIdRecommendation);
            }
            chain.Add(name);
            string dir = Path.Combine(Under("sys/class/block"), name);
            var slaves = ListDirectory(Path.Combine("sys/class/block", name, "slaves")).OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (slaves.Count > 0)
            {
                foreach (var slave in slaves)
                {
                    Climb(slave, disks, chain, depth + 1);
                }
                return;
            }
            if (File.Exists(Path.Combine(dir, "partition")))
            {
                string parent = ListDirectory("sys/block").FirstOrDefault(d => Directory.Exists(Path.Combine(Under("sys/block"), d, name)));
                if (parent == null)
                {
                    throw new EbsException("EbsDiscoveryFailed", ErrorCategory.InvalidData, $"Cannot find the disk that holds partition {name} in /sys/block.", VolumeIdRecommendation);
                }
                Climb(parent, disks, chain, depth + 1);
                return;
            }
            if (!disks.Contains(name))
            {
                disks.Add(name);
            }
        }

        private string ReadVolumeId(string disk, string path, MountInfoEntry mount)
        {
            string deviceDir = Path.Combine(Under("sys/block"), disk, "device");
            string model = ReadTrimmed(Path.Combine(deviceDir, "model"));
            string serial = ReadTrimmed(Path.Combine(deviceDir, "serial"));
            string where = $"'{path}' (mounted at {mount.MountPoint}) is on /dev/{disk}";
            if (disk.StartsWith("nvme", StringComparison.Ordinal))
            {
                if (model == EbsNvmeModel && serial != null && SerialPattern.IsMatch(serial))
                {
                    return "vol-" + SerialPattern.Match(serial).Groups[1].Value.ToLowerInvariant();
                }
                if (model == EbsNvmeModel)
                {
                    throw new EbsException("EbsNoVolumeSerial", ErrorCategory.InvalidData,
                        $"{where}, an EBS volume whose NVMe serial '{serial}' is not a volume id.", VolumeIdRecommendation);
                }
                throw new EbsException("EbsNotOnEbs", ErrorCategory.InvalidArgument,
                    $"{where}, an NVMe disk of model '{model ?? "unknown"}', not '{EbsNvmeModel}'" +
                    (model != null && model.IndexOf("Instance Storage", StringComparison.OrdinalIgnoreCase) >= 0 ? " (instance store: it cannot be snapshotted and is lost when the instance stops)." : "."),
                    "Keep the data directory on an EBS volume, or use another -Method (DoltBackup or FileCopy).");
            }
            if (disk.StartsWith("xvd", StringComparison.Ordinal) || disk.StartsWith("sd", StringComparison.Ordinal) || disk.StartsWith("hd", StringComparison.Ordinal) || disk.StartsWith("vd", StringComparison.Ordinal))
            {
                if (serial != null && SerialPattern.IsMatch(serial) && model == EbsNvmeModel)
                {
                    return "vol-" + SerialPattern.Match(serial).Groups[1].Value.ToLowerInvariant();
                }
                throw new EbsException("EbsNoVolumeSerial", ErrorCategory.NotSpecified,
                    $"{where}, which reports no EBS volume id (Xen and other non-Nitro instances expose no NVMe serial), so DoltBackup cannot tell which EBS volume it is.",
                    VolumeIdRecommendation);
            }
            throw new EbsException("EbsNotOnEbs", ErrorCategory.InvalidArgument,
                $"{where}, which is not an EBS volume (a {DescribeKind(disk)}).",
                "Keep the data directory on an EBS volume, or use another -Method (DoltBackup or FileCopy).");
        }

        private static string DescribeKind(string disk)
        {
            if (disk.StartsWith("loop", StringComparison.Ordinal)) return "loop device";
            if (disk.StartsWith("ram", StringComparison.Ordinal) || disk.StartsWith("zram", StringComparison.Ordinal)) return "RAM disk";
            if (disk.StartsWith("nbd", StringComparison.Ordinal)) return "network block device";
            return "block device of an unknown kind";
        }

        private string Under(string relative) => Path.Combine(_root, relative);

        private IEnumerable<string> ListDirectory(string relative)
        {
            string dir = Under(relative);
            if (!Directory.Exists(dir))
            {
                return Enumerable.Empty<string>();
            }
            return Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToList();
        }

        private static string ReadTrimmed(string file)
        {
            try
            {
                return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
