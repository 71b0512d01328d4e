using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Manifest
{
    public class ManifestStoreTests
    {
        internal static BackupManifest Sample(string folder)
        {
            var created = new DateTime(2026, 11, 23, 19, 10, 0, DateTimeKind.Utc);
            var m = new BackupManifest
            {
                Id = BackupId.Create("prod", created),
                Name = "prod",
                Method = BackupMethod.DoltBackup,
                CreatedUtc = created,
                Source = { Server = "db1", Port = 3306, ConfigPath = "/etc/dolt/config.yaml", DoltVersion = "2.2.2" },
                Destination = { BaseUrl = "file:///backups/prod", BackupFolder = folder },
            };
            m.Databases.Add(new DatabaseBackupItem
            {
                Name = "sales",
                Url = "file:///backups/prod/sales",
                BackupName = "prod",
                Branches = { new RefHead { Name = "main", Hash = "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj" }, new RefHead { Name = "feature", Hash = "7353shqdgsussg7n1ie4qkgjm5mjtl29" } },
                WorkingSetHash = "f212p79dk1pbbr4dcbhppkmmsaplic07",
                Status = ItemStatus.Completed,
                DurationMs = 1234,
            });
            m.Artifacts.Add(new BackupArtifact { Kind = "ServerConfig", OriginalPath = "/etc/dolt/config.yaml", StoredPath = "config/config.yaml", Size = 213, Sha256 = new string('a', 64), Mode = "0644" });
            return m;
        }

        [Fact]
        public void Json_uses_stable_camelCase_names_and_string_enums()
        {
            using var dir = new TempDir();
            string json = ManifestStore.ToJson(Sample(dir.Path));
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
            Assert.Equal("20261123T191000Z-prod", root.GetProperty("id").GetString());
            Assert.Equal("DoltBackup", root.GetProperty("method").GetString());
            Assert.Equal("Configured", root.GetProperty("status").GetString());
            Assert.Equal("2026-11-23T19:10:00Z", root.GetProperty("createdUtc").GetString());
            var db = root.GetProperty("databases")[0];
            Assert.Equal("d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj", db.GetProperty("branches")[0].GetProperty("hash").GetString());
            Assert.Equal("f212p79dk1pbbr4dcbhppkmmsaplic07", db.GetProperty("workingSetHash").GetString());
            Assert.Equal("Completed", db.GetProperty("status").GetString());
            Assert.Equal("config/config.yaml", root.GetProperty("artifacts")[0].GetProperty("storedPath").GetString());
            Assert.False(root.TryGetProperty("backupFolder", out _), "computed properties must not be serialized");
            Assert.False(root.TryGetProperty("ManifestPath", out _));
        }

        [Fact]
        public void Write_then_Read_round_trips_every_field()
        {
            using var dir = new TempDir();
            var m = Sample(dir.Path);
            ManifestStore.Write(m);
            var back = ManifestStore.Read(dir.Path);
            Assert.Equal(ManifestStore.ToJson(m), ManifestStore.ToJson(back));
            Assert.Equal(dir.Path, back.BackupFolder);
            Assert.Equal(BackupStatus.Completed, back.Status);
        }

        [Fact]
        public void Read_accepts_the_manifest_file_path_and_follows_a_moved_folder()
        {
            using var dir = new TempDir();
            ManifestStore.Write(Sample(dir.Combine("a")));
            Directory.Move(dir.Combine("a"), dir.Combine("b"));
            var back = ManifestStore.Read(dir.Combine("b", "manifest.json"));
            Assert.Equal(dir.Combine("b"), back.BackupFolder);
        }

        [Fact]
        public void Unknown_fields_are_ignored()
        {
            using var dir = new TempDir();
            string json = ManifestStore.ToJson(Sample(dir.Path));
            json = json.Replace("\"name\": \"prod\",", "\"name\": \"prod\", \"futureField\": {\"x\": [1,2]}, \"another\": 5,");
            var m = ManifestStore.FromJson(json);
            Assert.Equal("prod", m.Name);
        }

        [Fact]
        public void A_newer_schema_version_is_refused_with_a_clear_message()
        {
            using var dir = new TempDir();
            string json = ManifestStore.ToJson(Sample(dir.Path)).Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2");
            File.WriteAllText(dir.Combine("manifest.json"), json);
            var e = Assert.Throws<ManifestSchemaException>(() => ManifestStore.Read(dir.Path));
            Assert.Contains("schemaVersion 2", e.Message);
            Assert.Contains("Update the module", e.Message);
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("[1,2]")]
        [InlineData("{\"name\": \"x\"}")]
        [InlineData("{\"schemaVersion\": \"1\"}")]
        [InlineData("{\"schemaVersion\": 0}")]
        public void Garbage_is_refused_as_not_a_manifest(string json)
        {
            Assert.Throws<ManifestSchemaException>(() => ManifestStore.FromJson(json, "/x/manifest.json"));
        }

        [Fact]
        public void Write_is_atomic_and_leaves_no_temp_files()
        {
            using var dir = new TempDir();
            var m = Sample(dir.Path);
            for (int i = 0; i < 20; i++)
            {
                m.Databases[0].DurationMs = i;
                ManifestStore.Write(m);
                // Every intermediate state on disk is a complete, parseable manifest.
                Assert.Equal(i, ManifestStore.Read(dir.Path).Databases[0].DurationMs);
            }
            Assert.Equal(new[] { "manifest.json" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).ToArray());
        }

        [Fact]
        public void A_failed_write_keeps_the_previous_manifest_intact()
        {
            using var dir = new TempDir();
            var m = Sample(dir.Path);
            ManifestStore.Write(m);
            string before = File.ReadAllText(dir.Combine("manifest.json"));
            // A directory in the way of the temp file's rename target cannot be replaced: the write fails.
            var bad = Sample(dir.Combine("manifest.json"));
            Assert.ThrowsAny<Exception>(() => ManifestStore.Write(bad));
            Assert.Equal(before, File.ReadAllText(dir.Combine("manifest.json")));
        }

        [Fact]
        public async System.Threading.Tasks.Task Reading_concurrently_with_writes_never_sees_half_a_manifest()
        {
            using var dir = new TempDir();
            var m = Sample(dir.Path);
            for (int i = 0; i < 200; i++)
            {
                m.Databases.Add(new DatabaseBackupItem { Name = "db" + i, Status = ItemStatus.Completed });
            }
            ManifestStore.Write(m);
            var stop = DateTime.UtcNow.AddSeconds(1);
            var writer = System.Threading.Tasks.Task.Run(() =>
            {
                int n = 0;
                while (DateTime.UtcNow < stop)
                {
                    m.Databases[0].DurationMs = n++;
                    ManifestStore.Write(m);
                }
            });
            int reads = 0;
            while (!writer.IsCompleted)
            {
                try
                {
                    var read = ManifestStore.Read(dir.Path);
                    Assert.Equal(201, read.Databases.Count);
                    reads++;
                }
                catch (IOException)
                {
                    // A reader may hit the instant of the rename on some file systems; it never sees partial JSON.
                }
            }
            await writer;
            Assert.True(reads > 0);
        }
    }
}
