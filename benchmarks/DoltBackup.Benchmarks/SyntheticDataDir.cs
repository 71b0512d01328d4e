using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using DoltBackup.Verification;
using Snappier;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Generates a data dir of about the requested size in a temp folder: databases with real NBS table files (snappy
    /// chunks with CRC-32C, index, footer, the name Dolt gives them), manifests that reference them, LOCK files, and a
    /// .doltcfg folder. Chunk bytes are pseudo-random and half compressible, like table data. Deleted on dispose.
    /// </summary>
    internal sealed class SyntheticDataDir : IDisposable
    {
        private static readonly byte[] Magic = { 0xff, 0xb5, 0xd8, 0xc2, 0x24, 0x63, 0xee, 0x50 };

        public SyntheticDataDir(long totalBytes, int databases = 4, int tablesPerDatabase = 4, int chunkSize = 4096)
        {
            Root = Path.Combine(Path.GetTempPath(), "doltbackup-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            DataDir = Path.Combine(Root, "data");
            Directory.CreateDirectory(DataDir);
            var rng = new Random(42);
            long perTable = totalBytes / (databases * tablesPerDatabase);
            for (int d = 0; d < databases; d++)
            {
                string noms = Path.Combine(DataDir, "db" + d, ".dolt", "noms");
                Directory.CreateDirectory(Path.Combine(noms, "oldgen"));
                File.WriteAllBytes(Path.Combine(noms, "LOCK"), Array.Empty<byte>());
                File.WriteAllBytes(Path.Combine(noms, "oldgen", "LOCK"), Array.Empty<byte>());
                var specs = new List<string>();
                for (int t = 0; t < tablesPerDatabase; t++)
                {
                    var (name, count) = WriteTable(noms, perTable, chunkSize, rng);
                    specs.Add(name + ":" + count);
                }
                string root = DoltHash.Encode(Enumerable.Range(0, 20).Select(i => (byte)rng.Next(256)).ToArray());
                File.WriteAllText(Path.Combine(noms, "manifest"), $"5:__DOLT__:{root}:{root}:{DoltHash.Empty}:" + string.Join(":", specs));
                File.WriteAllText(Path.Combine(DataDir, "db" + d, ".dolt", "repo_state.json"), "{\"head\":\"refs/heads/main\",\"remotes\":{},\"backups\":{},\"branches\":{}}");
            }
            Directory.CreateDirectory(Path.Combine(DataDir, ".doltcfg"));
            File.WriteAllBytes(Path.Combine(DataDir, ".doltcfg", "privileges.db"), new byte[4096]);
            File.WriteAllText(Path.Combine(DataDir, "config.yaml"), "listener:\n  host: 127.0.0.1\n  port: 3306\n");
            Bytes = Directory.GetFiles(DataDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Files = Directory.GetFiles(DataDir, "*", SearchOption.AllDirectories).Length;
        }

        /// <summary>A FileCopy backup set of the data dir in &lt;root&gt;/backup, its manifest written.</summary>
        public DoltBackup.Manifest.BackupManifest BackUp(DoltBackup.FileCopy.FileCopyFormat format)
        {
            var manifest = new DoltBackup.Manifest.BackupManifest { Id = "bench", Name = "bench", Destination = new DoltBackup.Manifest.BackupDestination { BackupFolder = Path.Combine(Root, "backup") } };
            DoltBackup.FileCopy.FileCopyBackup.Run(manifest, new DoltBackup.FileCopy.FileCopyOptions { DataDir = DataDir, Format = format });
            DoltBackup.Manifest.ManifestStore.Write(manifest);
            return manifest;
        }

        public string Root { get; }
        public string DataDir { get; }
        public long Bytes { get; }
        public int Files { get; }

        private static (string Name, int Count) WriteTable(string dir, long targetBytes, int chunkSize, Random rng)
        {
            string temp = Path.Combine(dir, "nbs_table_tmp");
            var addresses = new List<byte[]>();
            var lengths = new List<uint>();
            long uncompressed = 0;
            var chunk = new byte[chunkSize];
            using (var sha = SHA512.Create())
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                long written = 0;
                while (written < targetBytes)
                {
                    rng.NextBytes(chunk.AsSpan(0, chunkSize / 2));
                    Array.Clear(chunk, chunkSize / 2, chunkSize / 2);
                    BitConverter.TryWriteBytes(chunk.AsSpan(chunkSize / 2), written);
                    var address = sha.ComputeHash(chunk).Take(20).ToArray();
                    byte[] compressed = Snappy.CompressToArray(chunk);
                    uint crc = Crc32C.Compute(compressed, 0, compressed.Length);
                    fs.Write(compressed);
                    fs.Write(new[] { (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc });
                    addresses.Add(address);
                    lengths.Add((uint)(compressed.Length + 4));
                    written += compressed.Length + 4;
                    uncompressed += chunkSize;
                }
                int n = addresses.Count;
                var order = Enumerable.Range(0, n).OrderBy(i => BitConverter.ToUInt64(addresses[i].Take(8).Reverse().ToArray())).ToArray();
                var index = new byte[28L * n];
                for (int j = 0; j < n; j++)
                {
                    int ord = order[j];
                    Buffer.BlockCopy(addresses[ord], 0, index, j * 12, 8);
                    PutUInt32(index, j * 12 + 8, (uint)ord);
                }
                for (int i = 0; i < n; i++)
                {
                    PutUInt32(index, 12 * n + 4 * i, lengths[i]);
                    Buffer.BlockCopy(addresses[i], 8, index, 16 * n + 12 * i, 12);
                }
                fs.Write(index);
                var footer = new byte[20];
                PutUInt32(footer, 0, (uint)n);
                PutUInt32(footer, 4, (uint)(uncompressed >> 32));
                PutUInt32(footer, 8, (uint)uncompressed);
                Buffer.BlockCopy(Magic, 0, footer, 12, 8);
                fs.Write(footer);
                string name = DoltHash.Encode(sha.ComputeHash(index, 16 * n, 12 * n));
                fs.Close();
                File.Move(temp, Path.Combine(dir, name));
                return (name, n);
            }
        }

        private static void PutUInt32(byte[] b, int o, uint v)
        {
            b[o] = (byte)(v >> 24);
            b[o + 1] = (byte)(v >> 16);
            b[o + 2] = (byte)(v >> 8);
            b[o + 3] = (byte)v;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
