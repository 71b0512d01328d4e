using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Ebs;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// EBS volume discovery on a large fake /proc and /sys tree (1,000 mounts, as on a container host, and 300 block
    /// devices, the data dir on LVM over four NVMe volumes): median time of one Discover of data, config and global
    /// dirs. Goal: at most 50 ms, negligible beside a snapshot. Also prints the one-time cost of the first EBS use in
    /// this process (loading AWSSDK and creating the EC2 client, no request).
    /// </summary>
    public sealed class EbsDiscoveryBenchmark : IBenchmark
    {
        private const double GoalMs = 50;

        public string Name => "ebs-discovery";

        public string Description => "EBS volume discovery on a fake tree with 1,000 mounts and 300 block devices (goal <= 50 ms), and the first-use cost of AWSSDK";

        public int Run(IReadOnlyList<string> args)
        {
            int samples = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 50;
            string root = Path.Combine(Path.GetTempPath(), "ebs-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                BuildTree(root);
                var discovery = new LinuxVolumeDiscovery(root, p => p);
                var paths = new[] { "/srv/dolt/data", "/srv/dolt/config.yaml", "/home/dolt/.dolt" };
                var found = discovery.Discover(paths);
                var times = new List<double>();
                for (int i = 0; i < samples; i++)
                {
                    var sw = Stopwatch.StartNew();
                    discovery.Discover(paths);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                double median = times[times.Count / 2];
                Console.WriteLine($"volumes found: {string.Join(", ", found.Select(v => v.VolumeId + " (" + v.Device + ")"))}");
                Console.WriteLine($"samples: {samples}; discovery median {median:F2} ms, min {times[0]:F2} ms, max {times[times.Count - 1]:F2} ms");

                // Fake static credentials for this process, so the SDK's default chain stops at the environment
                // (no instance-metadata lookup); the client is only created, no request is sent.
                Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE0000");
                Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "fake-secret-for-the-benchmark");
                var cold = Stopwatch.StartNew();
                using (Ec2ApiFactory.Create(new EbsConnectionOptions { Region = "us-east-1", EndpointUrl = "http://127.0.0.1:9/" }))
                {
                }
                cold.Stop();
                var warm = Stopwatch.StartNew();
                using (Ec2ApiFactory.Create(new EbsConnectionOptions { Region = "us-east-1", EndpointUrl = "http://127.0.0.1:9/" }))
                {
                }
                warm.Stop();
                Console.WriteLine($"first EBS use (load AWSSDK, create EC2 client): {cold.Elapsed.TotalMilliseconds:F1} ms; next client: {warm.Elapsed.TotalMilliseconds:F1} ms");
                double ratio = median / GoalMs;
                Console.WriteLine($"ratio: {ratio:F3} (goal: <= 1.00, i.e. discovery <= {GoalMs} ms)");
                return ratio <= 1.0 && found.Count == 5 ? 0 : 1;
            }
            finally
            {
                try { Directory.Delete(root, true); } catch (IOException) { }
            }
        }

        private static void BuildTree(string root)
        {
            var mounts = new StringBuilder();
            mounts.Append("20 1 259:1 / / rw - xfs /dev/nvme0n1p1 rw\n");
            Write(root, "sys/class/block/nvme0n1/dev", "259:0");
            Write(root, "sys/class/block/nvme0n1p1/dev", "259:1");
            Write(root, "sys/class/block/nvme0n1p1/partition", "1");
            Directory.CreateDirectory(Path.Combine(root, "sys/block/nvme0n1/nvme0n1p1"));
            Write(root, "sys/block/nvme0n1/device/model", "Amazon Elastic Block Store");
            Write(root, "sys/block/nvme0n1/device/serial", "vol0feed00000000000a");
            for (int i = 0; i < 1000; i++)
            {
                mounts.Append($"{100 + i} 1 0:{100 + i} / /var/lib/containers/storage/overlay/{i:x8}/merged rw - overlay overlay rw\n");
            }
            for (int d = 1; d <= 4; d++)
            {
                Write(root, $"sys/class/block/nvme{d}n1/dev", $"259:{10 + d}");
                Directory.CreateDirectory(Path.Combine(root, $"sys/block/nvme{d}n1"));
                Write(root, $"sys/block/nvme{d}n1/device/model", "Amazon Elastic Block Store");
                Write(root, $"sys/block/nvme{d}n1/device/serial", $"vol0{d}{new string('0', 15)}");
                Directory.CreateDirectory(Path.Combine(root, $"sys/class/block/dm-0/slaves/nvme{d}n1"));
            }
            Write(root, "sys/class/block/dm-0/dev", "253:0");
            Write(root, "sys/class/block/dm-0/dm/name", "vg-dolt");
            for (int l = 0; l < 290; l++)
            {
                Write(root, $"sys/class/block/loop{l}/dev", $"7:{l}");
                Directory.CreateDirectory(Path.Combine(root, $"sys/block/loop{l}"));
            }
            mounts.Append("300 1 253:0 / /srv/dolt rw - xfs /dev/mapper/vg-dolt rw\n");
            Write(root, "proc/self/mountinfo", mounts.ToString());
        }

        private static void Write(string root, string relative, string text)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            File.WriteAllText(path, text + "\n");
        }
    }
}
