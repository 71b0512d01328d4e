using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace DoltBackup.Locking
{
    /// <summary>What is known about Dolt processes using a data directory.</summary>
    public sealed class DataDirUsage
    {
        /// <summary>The data directory.</summary>
        public string DataDir { get; set; }
        /// <summary>sql-server.info (or .lock) at the root, when present.</summary>
        public SqlServerInfo ServerInfo { get; set; }
        /// <summary>True when the info file's port answers on localhost.</summary>
        public bool ServerAnswers { get; set; }
        /// <summary>Databases whose noms/LOCK another process holds.</summary>
        public List<string> LockedDatabases { get; set; } = new List<string>();

        /// <summary>True when a Dolt process evidently uses the data directory.</summary>
        public bool InUse => ServerAnswers || LockedDatabases.Count > 0;

        /// <summary>
        /// Probes a data directory: every database below it (a folder with .dolt/noms, and the root itself when it is a
        /// database) is checked for a held noms/LOCK, and sql-server.info for a live port. Locks are released at once.
        /// </summary>
        public static DataDirUsage Probe(string dataDir)
        {
            var usage = new DataDirUsage { DataDir = Path.GetFullPath(dataDir) };
            usage.ServerInfo = SqlServerInfo.TryRead(usage.DataDir);
            usage.ServerAnswers = usage.ServerInfo != null && usage.ServerInfo.PortAnswers();
            foreach (var (name, lockPath) in DatabaseLockFiles(usage.DataDir))
            {
                if (NomsLock.IsHeld(lockPath))
                {
                    usage.LockedDatabases.Add(name);
                }
            }
            return usage;
        }

        /// <summary>(database name, noms/LOCK path) for every database in a data dir, sorted by name.</summary>
        public static IEnumerable<(string Name, string LockPath)> DatabaseLockFiles(string dataDir)
        {
            var result = new List<(string, string)>();
            string rootNoms = Path.Combine(dataDir, ".dolt", "noms");
            if (Directory.Exists(rootNoms))
            {
                result.Add((Path.GetFileName(dataDir.TrimEnd(Path.DirectorySeparatorChar)), Path.Combine(rootNoms, "LOCK")));
            }
            if (Directory.Exists(dataDir))
            {
                foreach (var dir in Directory.GetDirectories(dataDir).OrderBy(d => d, System.StringComparer.Ordinal))
                {
                    string noms = Path.Combine(dir, ".dolt", "noms");
                    if (Directory.Exists(noms))
                    {
                        result.Add((Path.GetFileName(dir), Path.Combine(noms, "LOCK")));
                    }
                }
            }
            return result;
        }
    }
}
