using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;

namespace DoltBackup.Tests.Catalog
{
    /// <summary>
    /// Writes generated backup sets into a backup root with ManifestStore.Write: one folder per set named after its id.
    /// The status comes from the items (Write recomputes it), so each status is built the way a sync would leave it.
    /// </summary>
    public sealed class BackupRootBuilder
    {
        public BackupRootBuilder(string root, DateTime nowUtc)
        {
            Root = root;
            NowUtc = nowUtc;
            Directory.CreateDirectory(root);
        }

        public string Root { get; }

        public DateTime NowUtc { get; }

        public List<BackupManifest> Sets { get; } = new List<BackupManifest>();

        /// <summary>Adds a set made <paramref name="age"/> before now.</summary>
        public BackupManifest Add(string name, TimeSpan age, BackupStatus status, BackupMethod method = BackupMethod.DoltBackup, Action<BackupManifest> customize = null, string id = null)
        {
            DateTime time = NowUtc - age;
            id = id ?? BackupId.Create(name, time);
            var m = new BackupManifest
            {
                Id = id,
                Name = name,
                Method = method,
                CreatedUtc = time,
                CompletedUtc = status == BackupStatus.Completed ? time.AddMinutes(5) : (DateTime?)null,
                Source = new BackupSource { Server = "db1.example", Port = 3306 },
                Destination = new BackupDestination { BaseUrl = "file:///srv/dolt-backups/" + name, BackupFolder = Path.Combine(Root, id) },
            };
            m.Databases.AddRange(ItemsFor(status).Select((s, i) => new DatabaseBackupItem
            {
                Name = "db" + i,
                Url = "file:///srv/dolt-backups/" + name + "/db" + i,
                BackupName = name,
                Status = s,
                Bytes = 1000 * (i + 1),
                Error = s == ItemStatus.Failed ? "sync failed" : null,
            }));
            customize?.Invoke(m);
            ManifestStore.Write(m);
            if (m.Status != status)
            {
                throw new InvalidOperationException($"built {m.Status}, wanted {status}");
            }
            Sets.Add(m);
            return m;
        }

        public static IEnumerable<ItemStatus> ItemsFor(BackupStatus status)
        {
            switch (status)
            {
                case BackupStatus.Completed: return new[] { ItemStatus.Completed, ItemStatus.Completed };
                case BackupStatus.Failed: return new[] { ItemStatus.Failed, ItemStatus.Failed };
                case BackupStatus.PartiallyCompleted: return new[] { ItemStatus.Completed, ItemStatus.Failed };
                case BackupStatus.Running: return new[] { ItemStatus.Completed, ItemStatus.Running };
                default: return new[] { ItemStatus.Configured, ItemStatus.Configured };
            }
        }

        /// <summary>The set folders still on disk, by id.</summary>
        public HashSet<string> SurvivingIds() => new HashSet<string>(Directory.GetDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, BackupManifest.FileName)))
            .Select(Path.GetFileName));

        /// <summary>A status pattern with every status, none periodic with small KeepLast values.</summary>
        public static BackupStatus MixedStatus(int i)
        {
            if (i % 11 == 3) return BackupStatus.Failed;
            if (i % 13 == 5) return BackupStatus.PartiallyCompleted;
            if (i % 17 == 7) return BackupStatus.Running;
            if (i % 19 == 9) return BackupStatus.Configured;
            return BackupStatus.Completed;
        }
    }
}
