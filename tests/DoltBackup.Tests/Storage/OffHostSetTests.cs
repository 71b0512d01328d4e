using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Whole backup sets off the host: publish/fetch through the seam (in memory), and the disaster-recovery round
    /// trip through the cmdlets against Azurite and s3rver: back up a data dir (FileCopy) and copy the set to the
    /// object store, delete every local file, list, verify and restore onto an empty data dir from the URL alone.
    /// </summary>
    public class OffHostSetTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        internal static string LocalSet(TempDir dir, string id, string archiveText = "archive-bytes", string name = "n", DateTime? createdUtc = null)
        {
            string folder = dir.Combine(id);
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            File.WriteAllText(Path.Combine(folder, "data", "a.tar"), archiveText);
            File.WriteAllText(Path.Combine(folder, "grants.sql"), "CREATE USER x;");
            var m = new BackupManifest { Id = id, Name = name, Method = BackupMethod.FileCopy, CreatedUtc = createdUtc ?? DateTime.UtcNow, Destination = { BackupFolder = folder } };
            m.Artifacts.Add(new BackupArtifact { Kind = "DataArchive", StoredPath = "data/a.tar", Size = archiveText.Length, Sha256 = Sha(archiveText) });
            ManifestStore.Write(m);
            return folder;
        }

        private static string Sha(string text) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

        [Fact]
        public void Publish_writes_the_manifest_last_and_a_second_publish_sends_only_the_manifest()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir, "set-1");
            var store = new MemoryBackupLocation();
            var order = new List<string>();
            var first = BackupSetTransfer.Publish(folder, store, "set-1", p => order.Add(p.Key), None);
            Assert.Equal(3, first.Transferred);
            Assert.Equal("set-1/manifest.json", order.Last());
            Assert.Equal(new[] { "set-1/data/a.tar", "set-1/grants.sql", "set-1/manifest.json" }, store.List("", None).Select(o => o.Key));

            var second = BackupSetTransfer.Publish(folder, store, "set-1", null, None);
            Assert.Equal(1, second.Transferred);
            Assert.Equal(2, second.Unchanged);
        }

        [Fact]
        public void A_Dolt_store_in_the_set_has_its_manifest_uploaded_after_its_table_files()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir, "set-1");
            string noms = Path.Combine(folder, "sales", ".dolt", "noms");
            Directory.CreateDirectory(noms);
            File.WriteAllText(Path.Combine(noms, "manifest"), "5:__DOLT__:...");
            File.WriteAllText(Path.Combine(noms, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"), "table");
            File.WriteAllText(Path.Combine(noms, "00000000000000000000000000000000"), "table");
            var order = new List<string>();
            BackupSetTransfer.Publish(folder, new MemoryBackupLocation(), "set-1", p => order.Add(p.Key), None);
            int storeManifest = order.IndexOf("set-1/sales/.dolt/noms/manifest");
            Assert.True(storeManifest > order.IndexOf("set-1/sales/.dolt/noms/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"));
            Assert.True(storeManifest > order.IndexOf("set-1/sales/.dolt/noms/00000000000000000000000000000000"));
            Assert.Equal("set-1/manifest.json", order[order.Count - 2]);
        }

        [Fact]
        public void A_failed_upload_leaves_the_previous_set_readable_and_its_manifest_unchanged()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir, "set-1", "first");
            var store = new MemoryBackupLocation();
            BackupSetTransfer.Publish(folder, store, "set-1", null, None);
            string before = new StreamReader(store.OpenRead("set-1/manifest.json", None)).ReadToEnd();

            File.WriteAllText(Path.Combine(folder, "data", "a.tar"), "second version");
            store.FailPut = key => key.EndsWith("a.tar") ? new IOException("connection reset (test)") : null;
            Assert.ThrowsAny<Exception>(() => BackupSetTransfer.Publish(folder, store, "set-1", null, None));
            store.FailPut = null;
            Assert.Equal(before, new StreamReader(store.OpenRead("set-1/manifest.json", None)).ReadToEnd());
            using var fetched = new TempDir();
            var m = BackupSetTransfer.Fetch(store, "set-1", fetched.Combine("x"), null, None);
            Assert.Equal("first", File.ReadAllText(fetched.Combine("x", "data", "a.tar")));
            Assert.Equal("set-1", m.Id);
        }

        [Fact]
        public void A_set_being_written_by_another_writer_is_refused()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir, "set-1");
            var store = new MemoryBackupLocation();
            using var other = store.SharedWith().TryAcquireLock("set-1/.doltbackup.lock", TimeSpan.FromMinutes(5), None);
            var e = Assert.Throws<StorageException>(() => BackupSetTransfer.Publish(folder, store, "set-1", null, None));
            Assert.Equal("StorageSetLocked", e.ErrorId);
            Assert.Empty(store.List("", None));
        }

        [Fact]
        public void Fetch_checks_every_recorded_object_before_writing_anything()
        {
            using var dir = new TempDir();
            var store = new MemoryBackupLocation();
            BackupSetTransfer.Publish(LocalSet(dir, "set-1"), store, "set-1", null, None);
            store.Delete("set-1/data/a.tar", None);
            string target = dir.Combine("fetched");
            var e = Assert.Throws<StorageException>(() => BackupSetTransfer.Fetch(store, "set-1", target, null, None));
            Assert.Equal("StorageObjectMissing", e.ErrorId);
            Assert.Contains("data/a.tar", e.Message);
            Assert.False(Directory.Exists(target));

            store.Put("set-1/data/a.tar", new MemoryStream(Encoding.UTF8.GetBytes("archive-bytez")), None);
            var damaged = Assert.Throws<StorageException>(() => BackupSetTransfer.Fetch(store, "set-1", target, null, None));
            Assert.Equal("StorageObjectDamaged", damaged.ErrorId);
            Assert.False(File.Exists(Path.Combine(target, "manifest.json")));
        }

        [Fact]
        public void The_catalog_lists_a_root_newest_first_with_one_listing_and_one_read_per_manifest()
        {
            using var dir = new TempDir();
            var store = new MemoryBackupLocation();
            BackupSetTransfer.Publish(LocalSet(dir, "20260101T000000Z-n"), store, "20260101T000000Z-n", null, None);
            BackupSetTransfer.Publish(LocalSet(dir, "20260201T000000Z-n"), store, "20260201T000000Z-n", null, None);
            store.Put("stray/file.bin", new MemoryStream(new byte[1]), None);
            int before = store.Requests;
            var listing = RemoteSetCatalog.List(store, None);
            Assert.Equal(3, store.Requests - before);
            Assert.Equal(new[] { "20260201T000000Z-n", "20260101T000000Z-n" }, listing.Sets.Select(s => s.Id));
            Assert.Equal("memory://test/20260201T000000Z-n", listing.Sets[0].BackupFolder);
            Assert.Equal(new[] { "memory://test/stray" }, listing.FoldersWithoutManifest);
        }

        public static IEnumerable<object[]> Emulators() => BackupLocationContractTests.Emulators();

        internal static (string Url, StorageContext Context) Root(string driver)
        {
            string prefix = "dr-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            if (driver == "azurite")
            {
                ObjectStoreServers.CreateContainer("backups");
                return ($"az://{ObjectStoreServers.AzuriteAccount}/backups/{prefix}", ObjectStoreServers.AzuriteContext());
            }
            return ($"s3://{ObjectStoreServers.S3Bucket}/{prefix}", ObjectStoreServers.S3rverContext());
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void Disaster_recovery_back_up_off_host_delete_everything_local_and_restore_from_the_url_alone(string driver)
        {
            var (url, context) = Root(driver);
            using var dir = new TempDir();
            TempDir.CopyTree(RepoPaths.ServerFixture, dir.Combine("srv"));
            string data = dir.Combine("srv", "data");
            string home = dir.Combine("srv", "home", ".dolt");
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -Format Tar -GlobalConfigDir $args[4] -CopyTo $args[2] -StorageContext $args[3] -Verbose",
                data, dir.Combine("backups"), url, context, home);
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, backup.AllText());
            Assert.Contains(backup.Verbose, v => v.Contains("uploaded"));
            var local = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            var globalConfig = Assert.Single(local.Artifacts, a => a.OriginalPath == Path.Combine(home, "config_global.json"));
            string globalConfigText = File.ReadAllText(Path.Combine(home, "config_global.json"));
            string expected = dir.Combine("expected");
            TempDir.CopyTree(data, expected);

            // The host dies: every local trace is gone.
            Directory.Delete(dir.Combine("backups"), recursive: true);
            Directory.Delete(dir.Combine("srv"), recursive: true);

            var listed = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1]", url, context);
            Assert.True(listed.Errors.Count == 0, listed.AllText());
            var remote = (BackupManifest)listed.Output.Single().BaseObject;
            Assert.Equal(local.Id, remote.Id);
            Assert.Equal(BackupStatus.Completed, remote.Status);
            Assert.Equal(url + "/" + local.Id, remote.BackupFolder);

            var checks = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1]", url, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            Assert.NotEmpty(checks.Output);
            Assert.DoesNotContain(checks.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Status")?.GetValue(c)?.ToString() == "Failed");

            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            string configRoot = dir.Combine("config-root");
            var restore = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -IncludeConfig -ConfigRoot $args[3] -Confirm:$false", remote.BackupFolder, context, target, configRoot);
            Assert.True(restore.Errors.Count == 0, restore.AllText());
            string restoredConfig = Path.Combine(configRoot, globalConfig.OriginalPath.TrimStart('/'));
            Assert.Equal(globalConfigText, File.ReadAllText(restoredConfig));
            Assert.All(restore.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>(), g => Assert.Equal(RestoreStatus.Restored, g.Status));
            AssertSameTree(expected, target);
            Assert.Contains(restore.Progress, p => p.Activity.StartsWith("Downloading "));
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void Restore_from_a_set_missing_an_object_names_it_and_writes_nothing(string driver)
        {
            var (url, context) = Root(driver);
            using var dir = new TempDir();
            string folder = LocalSet(dir, "set-1");
            using (var location = BackupLocations.Open(url, context))
            {
                BackupSetTransfer.Publish(folder, location, "set-1", null, None);
                location.Delete("set-1/data/a.tar", None);
            }
            string target = dir.Combine("restored");
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false", url + "/set-1", context, target);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageObjectMissing,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("data/a.tar", e.Exception.Message);
            Assert.False(Directory.Exists(target));
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void Remove_DoltBackup_applies_retention_to_a_remote_root_and_deletes_only_the_removed_sets_objects(string driver)
        {
            var (url, context) = Root(driver);
            using var dir = new TempDir();
            var sets = new[]
            {
                ("20260101T000000Z-n", "n", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                ("20260101T000000Z-nx", "nx", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
                ("20260201T000000Z-n", "n", new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc)),
                ("20260301T000000Z-n", "n", new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc)),
            };
            using (var location = BackupLocations.Open(url, context))
            {
                foreach (var (id, name, time) in sets)
                {
                    BackupSetTransfer.Publish(LocalSet(dir, id, name: name, createdUtc: time), location, id, null, None);
                }
            }
            using var host = new PowerShellHost();
            var r = host.Run("Remove-DoltBackup -Path $args[0] -StorageContext $args[1] -KeepLast 2 -Force", url, context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var results = r.Output.Select(o => o.BaseObject).OfType<DoltBackup.Retention.BackupRemovalResult>().ToList();
            Assert.Equal(new[] { "20260101T000000Z-n" }, results.Where(x => x.Action == DoltBackup.Retention.BackupRemovalAction.Deleted).Select(x => x.Id));
            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List("", None).Select(o => o.Key).ToList();
                Assert.DoesNotContain(keys, k => k.StartsWith("20260101T000000Z-n/"));
                Assert.Equal(3, keys.Count(k => k.StartsWith("20260101T000000Z-nx/")));
                Assert.Equal(3, keys.Count(k => k.StartsWith("20260201T000000Z-n/")));
                Assert.Equal(3, keys.Count(k => k.StartsWith("20260301T000000Z-n/")));
            }
        }

        [Fact]
        public void Get_DoltBackup_refuses_a_sas_token_in_the_url_without_repeating_it()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup 'https://acct1.blob.core.windows.net/backups/p?sv=2024&sig=AbCdSecretSignature'");
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageInvalidLocation,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.DoesNotContain("AbCdSecretSignature", r.AllText());
        }

        [Fact]
        public void Get_DoltBackup_with_an_unknown_scheme_is_a_clear_error()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup gs://bucket/prefix");
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageUnknownScheme,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction));
        }
    }
}
