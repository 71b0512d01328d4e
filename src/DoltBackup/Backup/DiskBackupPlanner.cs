using System;
using System.IO;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Locking;
using DoltBackup.Manifest;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Creates the manifest of a disk-level backup (FileCopy, EbsSnapshot): the databases are found on disk under the
    /// data directory (no dolt binary or server needed), and every run is its own point-in-time set in
    /// <c>&lt;backup root&gt;/&lt;id&gt;/</c>, so sets never overwrite each other and retention can keep or drop each one.
    /// </summary>
    public static class DiskBackupPlanner
    {
        /// <summary>True for the methods this planner handles.</summary>
        public static bool Handles(BackupMethod method) => method == BackupMethod.FileCopy || method == BackupMethod.EbsSnapshot;

        /// <summary>Builds the manifest (status Configured); writes nothing.</summary>
        public static BackupManifest Plan(BackupMethod method, string name, string dataDir, string configPath, string backupRoot,
            string[] include, string[] exclude, DateTime nowUtc)
        {
            if (!Handles(method))
            {
                throw new ArgumentException($"{method} is not a disk-level method.");
            }
            if (string.IsNullOrEmpty(dataDir))
            {
                throw new ArgumentException($"-Method {method} needs -DataDir: the Dolt data directory (the sql-server's data_dir).");
            }
            if (string.IsNullOrEmpty(backupRoot))
            {
                throw new ArgumentException($"-Method {method} needs -Path: the backup root; each run gets its own folder <Path>/<id> there.");
            }
            string full = Path.GetFullPath(dataDir);
            if (!Directory.Exists(full))
            {
                throw new DirectoryNotFoundException($"The data directory '{full}' does not exist.");
            }
            var all = DataDirUsage.DatabaseLockFiles(full).Select(d => d.Name).ToList();
            if (all.Count == 0)
            {
                throw new ArgumentException($"'{full}' holds no Dolt database (no <database>/.dolt/noms folder): give the sql-server's data directory.");
            }
            var selected = DatabaseSelector.Select(all, include, exclude, out var missing);
            if (missing.Count > 0)
            {
                throw new ArgumentException($"The data directory '{full}' has no database named {string.Join(", ", missing.Select(m => "'" + m + "'"))}.");
            }
            string id = BackupId.Create(name, nowUtc);
            var manifest = new BackupManifest
            {
                Id = id,
                Name = name,
                Method = method,
                CreatedUtc = nowUtc,
                ModuleVersion = ModuleInfo.Version,
                Source = { DataDir = full, ConfigPath = string.IsNullOrEmpty(configPath) ? null : Path.GetFullPath(configPath) },
                Destination = { BackupFolder = Path.Combine(Path.GetFullPath(backupRoot), id) },
            };
            foreach (var db in all.Where(selected.Contains))
            {
                manifest.Databases.Add(new DatabaseBackupItem { Name = db, Status = ItemStatus.Configured });
            }
            return manifest;
        }
    }
}
