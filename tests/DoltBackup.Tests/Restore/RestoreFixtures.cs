using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Manifest;
using DoltBackup.Restore;

namespace DoltBackup.Tests.Restore
{
    /// <summary>Builds backup sets for restore tests: a manifest whose databases' heads are what the fake's stores hold.</summary>
    public static class RestoreFixtures
    {
        public const string BaseUrl = "file:///backups/prod";

        /// <summary>A manifest (written into <paramref name="folder"/> when given) with one Completed database per name, each with a store in <paramref name="dolt"/>.</summary>
        public static BackupManifest Manifest(RestoreFakeDolt dolt, string folder, params string[] databases)
        {
            var m = new BackupManifest
            {
                Id = "20261123T020000Z-prod", Name = "prod", Method = BackupMethod.DoltBackup, CreatedUtc = new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc),
                Destination = new BackupDestination { BaseUrl = BaseUrl, BackupFolder = folder },
            };
            foreach (string name in databases)
            {
                string url = BaseUrl + "/" + name;
                var store = dolt.AddStore(url, name, "dev");
                m.Databases.Add(new DatabaseBackupItem
                {
                    Name = name, Url = url, BackupName = "prod", Status = ItemStatus.Completed,
                    Branches = store.Branches.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    Tags = store.Tags.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    WorkingSetHash = store.WorkingHash,
                });
            }
            if (folder != null)
            {
                ManifestStore.Write(m);
            }
            return m;
        }

        /// <summary>Stores <paramref name="content"/> in the backup folder under <paramref name="storedPath"/> and records it as an artifact.</summary>
        /// <summary>
        /// A backup folder whose manifest records, per database, the heads of a store that <paramref name="dolt"/> (the
        /// sync branch's fake) holds at its URL: branch main, tag v1, a working set, plus <paramref name="extraBranches"/>.
        /// </summary>
        public static BackupManifest ManifestOfFakeStores(DoltBackup.Tests.Fakes.FakeDoltEngine dolt, string folder, string[] extraBranches, params string[] databases)
        {
            var m = new BackupManifest
            {
                Id = "20261123T020000Z-prod", Name = "prod", Method = BackupMethod.DoltBackup, CreatedUtc = new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc),
                Destination = new BackupDestination { BaseUrl = BaseUrl, BackupFolder = folder },
            };
            foreach (string name in databases)
            {
                string url = BaseUrl + "/" + name;
                var db = new DoltBackup.Tests.Fakes.FakeDoltEngine.Db { WorkingHash = DoltBackup.Tests.Fakes.FakeDoltEngine.Hash(name + "/working") };
                db.Branches["main"] = DoltBackup.Tests.Fakes.FakeDoltEngine.Hash(name + "/main");
                foreach (var b in extraBranches)
                {
                    db.Branches[b] = DoltBackup.Tests.Fakes.FakeDoltEngine.Hash(name + "/" + b);
                }
                db.Tags["v1"] = DoltBackup.Tests.Fakes.FakeDoltEngine.Hash(name + "/v1");
                dolt.Storage.Put(url, name, db);
                m.Databases.Add(new DatabaseBackupItem
                {
                    Name = name, Url = url, BackupName = "prod", Status = ItemStatus.Completed, WorkingSetHash = db.WorkingHash,
                    Branches = db.Branches.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    Tags = db.Tags.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                });
            }
            ManifestStore.Write(m);
            return m;
        }

        public static BackupArtifact AddArtifact(BackupManifest m, string kind, string storedPath, string originalPath, string content, bool secret = false)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(content);
            string file = Path.Combine(m.BackupFolder, storedPath.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(file));
            File.WriteAllBytes(file, bytes);
            var a = new BackupArtifact
            {
                Kind = kind, StoredPath = storedPath, OriginalPath = originalPath, Size = bytes.Length,
                Sha256 = StoredArtifactReader.Sha256Hex(bytes), Status = ItemStatus.Completed, Secret = secret, Mode = secret ? "0600" : "0644",
            };
            m.Artifacts.Add(a);
            return a;
        }

        /// <summary>Every file under a directory (relative paths), for "nothing was written" assertions.</summary>
        public static List<string> FilesUnder(string dir)
            => Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).OrderBy(f => f, StringComparer.Ordinal).ToList() : new List<string>();
    }
}
