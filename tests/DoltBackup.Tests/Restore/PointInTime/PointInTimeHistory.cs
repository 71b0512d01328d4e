using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>
    /// A database with dated commits in the fake (FakeDoltEngine models commits, parents and dates), backed up twice
    /// into a backup root (one folder per set, each with its own store URL):
    /// <code>
    /// 09:00 init, 10:00 c1 (tag v1)                      main
    /// 11:00 set A  (main=c1)
    /// 12:00 c2                                           main
    /// 12:30 feature made from main; 13:00 f1             feature
    /// 14:00 c3 (tag v2)                                  main
    /// 15:00 set B  (main=c3, feature=f1, tags v1, v2)
    /// </code>
    /// all on 2026-11-01, UTC.
    /// </summary>
    public sealed class PointInTimeHistory
    {
        public static DateTime At(int hour, int minute = 0) => new DateTime(2026, 11, 1, hour, minute, 0, DateTimeKind.Utc);

        public FakeDoltEngine Dolt { get; }
        public FakeDoltEngine.Db Source { get; }
        public string Root { get; }
        public string Init, C1, C2, F1, C3;
        public BackupManifest SetA, SetB;

        public PointInTimeHistory(FakeDoltEngine dolt, string root, string database = "sales")
        {
            Dolt = dolt;
            Root = root;
            Source = new FakeDoltEngine.Db();
            Init = dolt.Commit(Source, "main", At(9), "Initialize data repository");
            C1 = dolt.Commit(Source, "main", At(10), "c1: first rows");
            Source.Tags["v1"] = C1;
            SetA = Backup(database, "20261101T110000Z-prod", At(11));
            C2 = dolt.Commit(Source, "main", At(12), "c2: more rows");
            F1 = dolt.Commit(Source, "feature", At(13), "f1: feature work", from: "main");
            C3 = dolt.Commit(Source, "main", At(14), "c3: the bad deploy");
            Source.Tags["v2"] = C3;
            SetB = Backup(database, "20261101T150000Z-prod", At(15));
        }

        /// <summary>Syncs the source into a new store and writes a Completed set for it under the root.</summary>
        public BackupManifest Backup(string database, string id, DateTime takenUtc, ItemStatus status = ItemStatus.Completed)
        {
            string url = "file:///backups/prod/" + id + "/" + database;
            Dolt.SyncTo(url, database, Source);
            var m = new BackupManifest
            {
                Id = id, Name = "prod", Method = BackupMethod.DoltBackup, Status = BackupStatus.Completed, CreatedUtc = takenUtc, CompletedUtc = takenUtc.AddMinutes(1),
                Destination = new BackupDestination { BaseUrl = "file:///backups/prod/" + id, BackupFolder = Path.Combine(Root, id) },
            };
            m.Databases.Add(new DatabaseBackupItem
            {
                Name = database, Url = url, BackupName = "prod", Status = status, StartedUtc = takenUtc, CompletedUtc = takenUtc.AddMinutes(1),
                WorkingSetHash = Source.WorkingHash,
                Branches = Source.Branches.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                Tags = Source.Tags.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
            });
            ManifestStore.Write(m);
            return m;
        }

        public Dictionary<string, string> Heads(string database) => Dolt.Databases[database].Branches.ToDictionary(kv => kv.Key, kv => kv.Value);
    }
}
