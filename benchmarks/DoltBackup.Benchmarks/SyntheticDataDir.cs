using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Verification;
using DoltBackup.Tests.Fakes;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Generates a data dir of about the requested size in a temp folder: databases with real NBS table files (snappy
    /// chunks with CRC-32C, index, footer, the name Dolt gives them), manifests that reference them, LOCK files, and a
    /// .doltcfg folder. Chunk bytes are pseudo-random and half compressible, like table data. Deleted on dispose.
    /// </summary>
    internal sealed class SyntheticDataDir : IDisposable
    {
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
                    var (name, count) = NbsTableFileWriter.WriteTo(noms, perTable, chunkSize, rng);
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

        public string Root { get; }
        public string DataDir { get; }
        public long Bytes { get; }
        public int Files { get; }

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
