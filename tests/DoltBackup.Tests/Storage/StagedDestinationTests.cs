using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Issue 12, layer D: `New-DoltBackup -Destination s3://… or az://… | Sync-DoltBackup` with Dolt syncing into local
    /// file:// staging stores (the fake engine writes real NBS stores there the way Dolt does) and the module uploading
    /// the set; restore from the URL alone. Through the hosted PowerShell engine against Azurite and s3rver, and
    /// through the service against the in-memory location.
    /// </summary>
    public class StagedDestinationTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        public static IEnumerable<object[]> Emulators() => BackupLocationContractTests.Emulators();

        internal sealed class Bed : IDisposable
        {
            public TempDir Dir { get; } = new TempDir();
            public PowerShellHost Shell { get; } = new PowerShellHost();
            public string DataDir { get; }
            public string Home { get; }
            public string Staging { get; }
            public FakeDoltEngine Engine { get; } = new FakeDoltEngine();

            public Bed()
            {
                TempDir.CopyTree(RepoPaths.ServerFixture, Dir.Combine("srv"));
                DataDir = Dir.Combine("srv", "data");
                Home = Dir.Combine("srv", "home", ".dolt");
                Staging = Dir.Combine("staging");
                Engine.AddDatabase("sales").Commit(200_000);
                Engine.AddDatabase("inventory", "dev").Commit(50_000);
                FakeServers.Register(Engine, DataDir);
            }

            public PowerShellResult Backup(string url, StorageContext context) => Shell.Run(
                "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] | Sync-DoltBackup -GlobalConfigDir $args[4] -Verbose",
                DataDir, url, Staging, context, Home);

            public void Dispose()
            {
                Shell.Dispose();
                Dir.Dispose();
            }
        }

        private static string ErrorId(PowerShellResult r) => r.Terminating?.ErrorRecord.FullyQualifiedErrorId ?? Assert.Single(r.Errors).FullyQualifiedErrorId;

        private static int Uploaded(PowerShellResult r)
        {
            var line = r.Verbose.Single(v => v.StartsWith("Uploaded ", StringComparison.Ordinal));
            return int.Parse(Regex.Match(line, @": (\d+) objects").Groups[1].Value);
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void The_main_command_with_an_object_store_destination_stages_uploads_and_restores_from_the_url_alone(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new Bed();

            var first = bed.Backup(url, context);
            Assert.True(first.Errors.Count == 0 && first.Terminating == null, first.AllText());
            var local = (BackupManifest)first.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            Assert.Equal(url, local.Destination.ObjectStoreUrl);
            Assert.Equal(BackupUrls.ToFileUrl(bed.Staging), local.Destination.BaseUrl);
            Assert.Equal(url + "/sales", local.Databases.Single(d => d.Name == "sales").ObjectStoreUrl);
            Assert.Contains(local.Artifacts, a => a.OriginalPath == Path.Combine(bed.Home, "config_global.json"));
            Assert.DoesNotContain(ObjectStoreServers.AzuriteKey, first.AllText());
            Assert.Contains(first.Progress, p => p.Activity.StartsWith("Uploading "));

            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List("", None).Select(o => o.Key).ToList();
                Assert.Contains("manifest.json", keys);
                var remote = RemoteSetCatalog.ReadManifest(location, "", None);
                Assert.Equal(url, remote.Destination.ObjectStoreUrl);
                Assert.Equal(BackupStatus.Completed, remote.Status);
                Assert.Contains("sales/manifest", keys);
                foreach (var table in bed.Engine.Databases["sales"].TableFiles)
                {
                    Assert.Contains("sales/" + table.Name, keys);
                }
            }

            // A second sync of an unchanged server uploads the set's manifest.json only (the stores' manifests are unchanged too).
            var second = bed.Backup(url, context);
            Assert.True(second.Errors.Count == 0 && second.Terminating == null, second.AllText());
            Assert.Equal(1, Uploaded(second));

            // New data: only the new table file, the store's manifest and the set's manifest.json go up.
            bed.Engine.Databases["sales"].Commit(30_000);
            var third = bed.Backup(url, context);
            Assert.True(third.Errors.Count == 0 && third.Terminating == null, third.AllText());
            Assert.Equal(3, Uploaded(third));
            var latest = (BackupManifest)third.Output.Single().BaseObject;

            // The host dies: the server, its files and the staging stores are gone.
            Directory.Delete(bed.Staging, recursive: true);
            Directory.Delete(bed.Dir.Combine("srv"), recursive: true);

            var checks = bed.Shell.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1]", url, context);
            Assert.True(checks.Errors.Count == 0, checks.AllText());
            Assert.NotEmpty(checks.Output);
            Assert.DoesNotContain(checks.Output.Select(o => o.BaseObject), c => c.GetType().GetProperty("Status")?.GetValue(c)?.ToString() == "Failed");

            string target = bed.Dir.Combine("restored");
            Directory.CreateDirectory(target);
            var restorer = new FakeDoltEngine();
            FakeServers.Register(restorer, target);
            var restore = bed.Shell.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false", url, context, target);
            Assert.True(restore.Errors.Count == 0 && restore.Terminating == null, restore.AllText());
            var results = restore.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().ToList();
            Assert.Equal(new[] { "inventory", "sales" }, results.Select(x => x.Database).OrderBy(x => x));
            Assert.All(results, x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.Equal(latest.Databases.Single(d => d.Name == "sales").Branches.Single(b => b.Name == "main").Hash, restorer.Databases["sales"].Branches["main"]);
            Assert.Equal(new[] { "dev", "main" }, restorer.Databases["inventory"].Branches.Keys);
        }

        internal static void AssertRestores(Bed bed, BackupManifest m, StorageContext context)
        {
            string target = bed.Dir.Combine("restored-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(target);
            var restorer = new FakeDoltEngine();
            FakeServers.Register(restorer, target);
            var r = bed.Shell.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false", m.Destination.ObjectStoreUrl, context, target);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, m.Id + ": " + r.AllText());
            Assert.All(r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>(), x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.Equal(m.Databases.Single(d => d.Name == "sales").Branches.Single(b => b.Name == "main").Hash, restorer.Databases["sales"].Branches["main"]);
        }

        /// <summary>
        /// Issue 14, object-store half: -Versioned staged sets keep each table file once under &lt;root&gt;/.stores/&lt;db&gt;/,
        /// each version only its stores' manifests; a version uploads only the files not there yet; deleting the
        /// middle version, then the oldest, leaves every other version restorable; table files no version names go.
        /// </summary>
        [Theory]
        [MemberData(nameof(Emulators))]
        public void Versions_share_table_files_and_deleting_any_version_leaves_the_others_restorable(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new Bed();
            const string pipeline = "New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -Versioned | Sync-DoltBackup -SkipConfiguration -Verbose";
            var versions = new List<BackupManifest>();
            var uploads = new List<int>();
            for (int i = 0; i < 3; i++)
            {
                if (i > 0)
                {
                    Thread.Sleep(1100); // the next version gets the next label (one per second)
                    bed.Engine.Databases["sales"].Commit(10_000 + i);
                }
                var r = bed.Shell.Run(pipeline, bed.DataDir, url, bed.Staging, context);
                Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
                var m = (BackupManifest)r.Output.Single().BaseObject;
                Assert.True(m.Destination.SharedStores);
                Assert.Equal(url + "/.stores/sales", m.Databases.Single(d => d.Name == "sales").ObjectStoreUrl);
                versions.Add(m);
                uploads.Add(Uploaded(r));
            }
            // The second and third versions: one new table file, the sales store's manifest, and the set's files.
            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List("", None).Select(o => o.Key).ToList();
                var sales = bed.Engine.Databases["sales"].TableFiles.Select(t => ".stores/sales/" + t.Name).ToList();
                Assert.Equal(3, sales.Count);
                Assert.All(sales, k => Assert.Contains(k, keys));
                Assert.DoesNotContain(keys, k => !k.StartsWith(".stores/", StringComparison.Ordinal) && bed.Engine.Databases["sales"].TableFiles.Any(t => k.EndsWith("/" + t.Name, StringComparison.Ordinal)));
            }
            Assert.True(uploads[1] < uploads[0], string.Join(",", uploads));
            Directory.Delete(bed.Staging, recursive: true);

            var grace = RemoveDoltBackupCommand_SharedGrace(TimeSpan.Zero);
            try
            {
                // The middle version goes: the first and the newest still restore, each to its own head.
                // (Piped with the newest, which Remove-DoltBackup always keeps.)
                const string remove = "Get-DoltBackup $args[0] -StorageContext $args[1] | Where-Object Id -ne $args[2] | Remove-DoltBackup -StorageContext $args[1] -Force -Verbose";
                var removed = bed.Shell.Run(remove, url, context, versions[0].Id);
                Assert.True(removed.Errors.Count == 0 && removed.Terminating == null && removed.Warnings.Count == 0, removed.AllText());
                Assert.Equal(new[] { versions[1].Id }, Deleted(removed));
                AssertRestores(bed, versions[0], context);
                AssertRestores(bed, versions[2], context);
                // Then the oldest (the newest Completed set is never deleted): the newest still restores; a stray table
                // file no version names (an upload cut before its store manifest, long ago) goes, the named ones stay.
                string stray = ".stores/sales/" + new string('a', 32);
                using (var location = BackupLocations.Open(url, context))
                {
                    location.Put(stray, new MemoryStream(new byte[] { 1, 2, 3 }), None);
                }
                removed = bed.Shell.Run(remove, url, context, versions[1].Id);
                Assert.True(removed.Errors.Count == 0 && removed.Terminating == null, removed.AllText());
                Assert.Equal(new[] { versions[0].Id }, Deleted(removed));
                Assert.True(removed.Verbose.Any(v => v.Contains("deleted 1 shared table files")), removed.AllText());
                AssertRestores(bed, versions[2], context);
                using (var location = BackupLocations.Open(url, context))
                {
                    var shared = location.List(".stores/sales/", None).Select(o => o.Key).ToList();
                    Assert.Equal(bed.Engine.Databases["sales"].TableFiles.Select(t => ".stores/sales/" + t.Name).OrderBy(k => k, StringComparer.Ordinal), shared);
                }
            }
            finally
            {
                RemoveDoltBackupCommand_SharedGrace(grace);
            }
        }

        private static IEnumerable<string> Deleted(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<DoltBackup.Retention.BackupRemovalResult>()
            .Where(x => x.Action == DoltBackup.Retention.BackupRemovalAction.Deleted).Select(x => x.Id);

        private static TimeSpan RemoveDoltBackupCommand_SharedGrace(TimeSpan value)
        {
            var old = DoltBackup.Cmdlets.RemoveDoltBackupCommand.SharedFileGrace;
            DoltBackup.Cmdlets.RemoveDoltBackupCommand.SharedFileGrace = value;
            return old;
        }

        [AzuriteFact]
        public void A_missing_container_is_a_clear_error_and_nothing_says_Completed_off_the_host()
        {
            string url = $"az://{ObjectStoreServers.AzuriteAccount}/nosuch{Guid.NewGuid():N}".Substring(0, 40) + "/prod";
            using var bed = new Bed();
            var r = bed.Backup(url, ObjectStoreServers.AzuriteContext());
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageContainerNotFound,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));
        }

        [S3rverFact]
        public void An_endpoint_that_is_down_is_a_clear_error()
        {
            var context = ObjectStoreServers.S3rverContext(endpoint: $"http://127.0.0.1:{ObjectStoreServers.FreePort()}");
            using var bed = new Bed();
            var r = bed.Backup($"s3://{ObjectStoreServers.S3Bucket}/down", context);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
        }

        [Theory]
        [MemberData(nameof(Emulators))]
        public void A_server_on_another_host_is_named_and_nothing_is_uploaded(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var bed = new Bed();
            bed.Engine.Storage.ServerFileSystemRoot = bed.Dir.Combine("other-host-disk"); // Dolt writes the file:// URL on its own disk
            var r = bed.Backup(url, context);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StagingNotOnServerHost,DoltBackup.Cmdlets.SyncDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Contains("another host", e.Exception.Message);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));
            using var location = BackupLocations.Open(url, context);
            Assert.Empty(location.List("", None));
        }

        [Fact]
        public void New_DoltBackup_refuses_Path_with_an_object_store_destination_and_StagingPath_without_one()
        {
            // As tests/pester/Storage.Tests.ps1 does it: a plain folder, no Dolt needed (refused before any engine is made).
            using var bed = new Bed();
            string data = bed.Dir.Combine("plain-data");
            Directory.CreateDirectory(data);
            var withPath = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -Destination s3://bucket/prod -Path $args[1]", data, bed.Dir.Combine("m"));
            Assert.Equal("DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand", ErrorId(withPath));
            var staging = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -Destination $args[1] -StagingPath $args[1]", data, bed.Dir.Combine("m"));
            Assert.Equal("DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand", ErrorId(staging));
            Assert.False(Directory.Exists(bed.Dir.Combine("m")));
        }

        [Fact]
        public void The_default_staging_folder_is_per_destination_under_the_home_folder()
        {
            string a = StagedStores.DefaultRoot("az://acct/c/prod", "/home/u");
            Assert.Equal(a, StagedStores.DefaultRoot("az://acct/c/prod/", "/home/u"));
            Assert.NotEqual(a, StagedStores.DefaultRoot("az://acct/c/test", "/home/u"));
            Assert.StartsWith(Path.Combine("/home/u", ".doltbackup", "staging") + Path.DirectorySeparatorChar, a);
        }

        // ---- The service, against the in-memory location ----

        /// <summary>A staged set of one database, "sales", with one table file.</summary>
        private static (FakeDoltEngine Engine, BackupManifest Manifest) SalesSet(TempDir dir)
        {
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            return (engine, StagedSet(dir, engine));
        }

        /// <summary>A staged set as New-DoltBackup | Sync-DoltBackup leave it (with a label: one -Versioned version, shared stores).</summary>
        internal static BackupManifest StagedSet(TempDir dir, FakeDoltEngine engine, string setUrl = "memory://test", string label = null)
        {
            string folder = label == null ? dir.Combine("staging") : dir.Combine("staging", label);
            var manifest = new BackupManifest
            {
                Id = label == null ? BackupId.Create("n", DateTime.UtcNow) : label + "-n", Name = "n", Method = BackupMethod.DoltBackup, CreatedUtc = DateTime.UtcNow,
                Destination = { BackupFolder = folder, BaseUrl = BackupUrls.ToFileUrl(folder), Versioned = label != null },
            };
            foreach (var name in engine.Databases.Keys)
            {
                string url = BackupUrls.ForDatabase(manifest.Destination.BaseUrl, name);
                engine.Storage.Put(url, name, engine.Databases[name]);
                manifest.Databases.Add(new DatabaseBackupItem { Name = name, Url = url, BackupName = "n", Status = ItemStatus.Completed });
            }
            StagedStores.Annotate(manifest, setUrl);
            ManifestStore.Write(manifest);
            return manifest;
        }

        [Fact]
        public void Publish_sends_table_files_then_the_store_manifest_then_manifest_json_and_a_second_time_only_manifest_json()
        {
            using var dir = new TempDir();
            var (engine, manifest) = SalesSet(dir);
            var store = new MemoryBackupLocation();
            var order = new List<string>();
            StagedStores.Publish(manifest, store, p => order.Add(p.Key), None);
            string table = engine.Databases["sales"].TableFiles.Single().Name;
            Assert.True(order.IndexOf("sales/" + table) < order.IndexOf("sales/manifest"));
            Assert.Equal("manifest.json", order.Last());

            var again = StagedStores.Publish(manifest, store, null, None);
            Assert.Equal(1, again.Transferred);
        }

        [Fact]
        public void Shared_table_files_named_by_no_remaining_version_are_deleted_after_the_grace_period_only()
        {
            using var dir = new TempDir();
            var engine = new FakeDoltEngine();
            var sales = engine.AddDatabase("sales");
            sales.Commit(20_000);
            var root = new MemoryBackupLocation();
            var v1 = StagedSet(dir, engine, label: "20260101T000000Z");
            StagedStores.Publish(v1, root, "20260101T000000Z", null, None);
            sales.Commit(10_000);
            var v2 = StagedSet(dir, engine, label: "20260102T000000Z");
            var second = StagedStores.Publish(v2, root, "20260102T000000Z", null, None);
            Assert.Equal(1, second.Unchanged); // the first table file was there already
            Assert.Equal(2, root.List(".stores/sales/", None).Count);

            Assert.True(RemoteSetRemover.Remove(new PrefixedLocation(root, "20260102T000000Z"), None, out _));
            Assert.Equal(0, StagedStores.CollectSharedGarbage(root, TimeSpan.FromHours(24), DateTime.UtcNow, None)); // too young
            Assert.Equal(1, StagedStores.CollectSharedGarbage(root, TimeSpan.FromHours(24), DateTime.UtcNow.AddDays(2), None));
            Assert.Equal(new[] { ".stores/sales/" + sales.TableFiles[0].Name }, root.List(".stores/", None).Select(o => o.Key));
        }

        /// <summary>A view of one prefix of a location (a set under a root), as the drivers' child locations are.</summary>
        /// <summary>A location seen through a key prefix (a set under a backup root); StreamedFileCopyUploadTests uses it too.</summary>
        internal sealed class PrefixedLocation : IBackupLocation
        {
            private readonly IBackupLocation _inner;
            private readonly string _prefix;

            public PrefixedLocation(IBackupLocation inner, string prefix)
            {
                _inner = inner;
                _prefix = prefix + "/";
            }

            public string DisplayName => _inner.DisplayName + "/" + _prefix.TrimEnd('/');
            public StorageKind Kind => _inner.Kind;
            public StoredObject Put(string key, Stream content, CancellationToken cancellationToken) => _inner.Put(_prefix + key, content, cancellationToken);
            public Stream OpenRead(string key, CancellationToken cancellationToken) => _inner.OpenRead(_prefix + key, cancellationToken);
            public StoredObject Stat(string key, CancellationToken cancellationToken) => _inner.Stat(_prefix + key, cancellationToken);
            public IReadOnlyList<StoredObject> List(string prefix, CancellationToken cancellationToken)
                => _inner.List(_prefix + prefix, cancellationToken).Select(o => new StoredObject { Key = o.Key.Substring(_prefix.Length), Size = o.Size, LastModifiedUtc = o.LastModifiedUtc }).ToList();
            public void Delete(string key, CancellationToken cancellationToken) => _inner.Delete(_prefix + key, cancellationToken);
            public IStorageLock TryAcquireLock(string key, TimeSpan staleAfter, CancellationToken cancellationToken) => _inner.TryAcquireLock(_prefix + key, staleAfter, cancellationToken);
            public void Dispose()
            {
            }
        }

        [Fact]
        public void A_store_the_server_wrote_on_another_host_is_refused_before_anything_is_uploaded()
        {
            using var dir = new TempDir();
            var (engine, manifest) = SalesSet(dir);
            // What a server on another host leaves here: dolt_backup('add') made no folder, the sync wrote elsewhere.
            Directory.Delete(Path.Combine(dir.Combine("staging"), "sales"), recursive: true);
            var store = new MemoryBackupLocation();
            var e = Assert.Throws<StorageException>(() => StagedStores.Publish(manifest, store, null, None));
            Assert.Equal("StagingNotOnServerHost", e.ErrorId);
            Assert.Contains("another host", e.Message);
            Assert.Empty(store.List("", None));
        }

        [Fact]
        public void A_cut_upload_leaves_the_previous_set_whole_and_restorable()
        {
            using var dir = new TempDir();
            var engine = new FakeDoltEngine();
            var sales = engine.AddDatabase("sales");
            sales.Commit(20_000);
            var manifest = StagedSet(dir, engine);
            var store = new MemoryBackupLocation();
            StagedStores.Publish(manifest, store, null, None);
            string firstHead = sales.Branches["main"];

            sales.Commit(10_000);
            var next = StagedSet(dir, engine);
            store.FailPut = key => key == "sales/manifest" ? new IOException("connection reset") : null;
            Assert.ThrowsAny<Exception>(() => StagedStores.Publish(next, store, null, None));
            store.FailPut = null;

            // manifest.json and the store's manifest are the first set's: a fetch gets a whole store of the first head.
            using var fetched = new TempDir();
            var got = BackupSetTransfer.Fetch(store, "", fetched.Path, null, None);
            StagedStores.Localize(got, fetched.Path, store.DisplayName);
            Assert.Equal(manifest.Id, got.Id);
            var snapshot = new FakeDoltEngine().Storage.Get(got.Databases.Single().Url);
            Assert.NotNull(snapshot);
            Assert.Equal(firstHead, snapshot.Branches["main"]);
        }

        [Fact]
        public void A_fetched_store_missing_a_table_file_is_named_before_anything_is_restored()
        {
            using var dir = new TempDir();
            var (engine, manifest) = SalesSet(dir);
            var store = new MemoryBackupLocation();
            StagedStores.Publish(manifest, store, null, None);
            string table = engine.Databases["sales"].TableFiles.Single().Name;
            store.Delete("sales/" + table, None);

            using var fetched = new TempDir();
            var got = BackupSetTransfer.Fetch(store, "", fetched.Path, null, None);
            var e = Assert.Throws<StorageException>(() => StagedStores.Localize(got, fetched.Path, store.DisplayName));
            Assert.Equal("StorageObjectMissing", e.ErrorId);
            Assert.Contains("sales/" + table, e.Message);
        }
    }

    /// <summary>The README's whole main command, Export-DoltGrants included, with an az:// destination (grants from MariaDB).</summary>
    [Collection("MariaDb")]
    public class StagedDestinationGrantsTests
    {
        private readonly MariaDbFixture _fixture;

        public StagedDestinationGrantsTests(MariaDbFixture fixture) => _fixture = fixture;

        /// <summary>PowerShell that makes $cred from $args[0] (user) and $args[1] (password).</summary>
        internal const string CredentialFromArgs = "$sec = [System.Security.SecureString]::new(); foreach ($ch in $args[1].ToCharArray()) { $sec.AppendChar($ch) }; $cred = [pscredential]::new($args[0], $sec); ";

        [MariaDbFact]
        public void Export_DoltGrants_at_the_end_of_the_pipeline_uploads_the_grants_script_and_the_manifest_naming_it()
        {
            DoltBackup.Tests.Grants.MariaDbAccounts.Create(_fixture.Server);
            var (url, context) = OffHostSetTests.Root("azurite");
            using var dir = new TempDir();
            string dataDir = dir.Combine("data");
            Directory.CreateDirectory(dataDir);
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales").Commit(20_000);
            FakeServers.Register(engine, dataDir);
            using var shell = new PowerShellHost();
            var r = shell.Run(CredentialFromArgs +
                "New-DoltBackup -DataDir $args[3] -DoltPath /opt/dolt -Destination $args[4] -StagingPath $args[5] -StorageContext $args[6] | Sync-DoltBackup -SkipConfiguration | " +
                "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -IncludeUser 'rt_*' -Verbose",
                _fixture.Server.AdminUser, _fixture.Server.AdminPassword, _fixture.Server.Port, dataDir, url, dir.Combine("staging"), context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.DoesNotContain(_fixture.Server.AdminPassword, r.AllText());
            // Export-DoltGrants sends what Sync-DoltBackup did not: the grants script and manifest.json.
            Assert.Contains(r.Verbose, v => v.StartsWith("Uploaded ", StringComparison.Ordinal) && v.Contains(": 2 objects"));
            using var location = BackupLocations.Open(url, context);
            var remote = RemoteSetCatalog.ReadManifest(location, "", CancellationToken.None);
            var grants = Assert.Single(remote.Artifacts, a => a.StoredPath == DoltBackup.Grants.GrantsExporter.StoredPath);
            Assert.Equal(grants.Size, location.Stat("grants/grants.sql", CancellationToken.None).Size);
            Assert.Equal(BackupStatus.Completed, remote.Status);
        }
    }
}
