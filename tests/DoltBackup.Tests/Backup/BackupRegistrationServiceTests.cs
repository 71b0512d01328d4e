#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Backup;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using Xunit;

namespace DoltBackup.Tests.Backup
{
    public class BackupRegistrationServiceTests
    {
        [Fact]
        public void Registers_every_database_under_its_own_url_and_writes_a_Configured_manifest()
        {
            using var bed = new BackupTestBed(3);
            var manifest = bed.Register();
            Assert.Equal(BackupStatus.Configured, manifest.Status);
            Assert.Equal(new[] { "db001", "db002", "db003" }, manifest.DatabaseNames);
            foreach (var item in manifest.Databases)
            {
                Assert.Equal(bed.BaseUrl + "/" + item.Name, item.Url);
                Assert.Equal(ItemStatus.Configured, item.Status);
                Assert.Equal(item.Url, bed.Engine.Databases[item.Name].Backups["nightly"]);
                Assert.True(File.Exists(OwnershipMarkerStore.MarkerPath(BackupUrls.LocalPath(item.Url))));
            }
            Assert.Equal(bed.Dir.Combine("dest"), manifest.BackupFolder);
            Assert.True(File.Exists(Path.Combine(bed.Dir.Combine("dest"), "manifest.json")));
        }

        [Fact]
        public void A_rerun_keeps_the_markers_of_stores_it_already_owns_instead_of_rewriting_each()
        {
            using var bed = new BackupTestBed(3);
            var first = bed.Register(bed.Request(r => r.NowUtc = new System.DateTime(2026, 1, 1, 0, 0, 0, System.DateTimeKind.Utc)));
            var second = bed.Register(bed.Request(r => r.NowUtc = new System.DateTime(2026, 1, 2, 0, 0, 0, System.DateTimeKind.Utc)));
            Assert.NotEqual(first.Id, second.Id);
            Assert.All(second.Databases, d =>
            {
                var marker = OwnershipMarkerStore.Read(BackupUrls.LocalPath(d.Url));
                Assert.Equal(first.Id, marker.SetId); // still the claim of the first run: no write (each one waits for the disk)
                Assert.Equal(d.Name, marker.Database);
            });
        }

        [Fact]
        public void Markers_written_in_the_background_are_all_on_disk_when_Finish_returns_and_a_failure_is_reported()
        {
            using var bed = new BackupTestBed(12);
            var service = new BackupRegistrationService(bed.Engine);
            var plan = service.PlanAsync(bed.Request(), CancellationToken.None).GetAwaiter().GetResult();
            var blocked = plan.Databases[3];
            Directory.CreateDirectory(OwnershipMarkerStore.MarkerPath(blocked.StoreDir)); // a folder where the marker file goes
            var claims = new BackupRegistrationService.MarkerClaims();
            foreach (var p in plan.Databases)
            {
                service.ApplyAsync(p, claims, CancellationToken.None).GetAwaiter().GetResult();
            }
            var failed = claims.Finish();
            var f = Assert.Single(failed);
            Assert.Same(blocked, f.Planned);
            Assert.Equal("MarkerWriteFailed", f.Error.ErrorId);
            Assert.Equal(ItemStatus.Pending, blocked.Item.Status);
            Assert.All(plan.Databases.Where(p => p != blocked), p =>
            {
                Assert.Equal(ItemStatus.Configured, p.Item.Status);
                Assert.Equal(p.Item.Name, OwnershipMarkerStore.Read(p.StoreDir).Database);
            });
        }

        [Fact]
        public void A_rerun_is_idempotent_and_adds_nothing()
        {
            using var bed = new BackupTestBed(3);
            bed.Register();
            int adds = bed.Engine.CallsOf("add").Count();
            var plan = bed.Plan(bed.Request());
            Assert.All(plan.Databases, p => Assert.Equal(RegistrationAction.AlreadyRegistered, p.Action));
            bed.Register();
            Assert.Equal(adds, bed.Engine.CallsOf("add").Count());
        }

        [Fact]
        public void The_name_with_another_url_is_an_error_unless_Force_which_removes_then_adds()
        {
            using var bed = new BackupTestBed(2);
            bed.Engine.Databases["db001"].Backups["nightly"] = "file:///elsewhere/db001";
            var plan = bed.Plan(bed.Request());
            var p = plan.Databases.Single(x => x.Item.Name == "db001");
            Assert.Equal(DoltErrorKind.BackupNameConflict, p.Problem.Kind);
            Assert.Contains("file:///elsewhere/db001", p.Problem.Message);
            Assert.Null(plan.Databases.Single(x => x.Item.Name == "db002").Problem);

            var manifest = bed.Register(bed.Request(r => r.Force = true));
            Assert.Equal(manifest.FindDatabase("db001").Url, bed.Engine.Databases["db001"].Backups["nightly"]);
            var calls = bed.Engine.Calls.ToList();
            Assert.True(calls.IndexOf("remove db001 nightly") < calls.FindIndex(c => c.StartsWith("add db001 nightly")));
        }

        [Fact]
        public void A_url_registered_by_another_database_is_refused()
        {
            using var bed = new BackupTestBed(2);
            bed.Engine.Databases["db002"].Backups["old"] = bed.BaseUrl + "/db001";
            var plan = bed.Plan(bed.Request());
            var p = plan.Databases.Single(x => x.Item.Name == "db001");
            Assert.Equal(DoltErrorKind.AddressConflict, p.Problem.Kind);
            Assert.Contains("database 'db002'", p.Problem.Message);
        }

        [Fact]
        public void A_url_used_by_another_backup_of_the_same_database_is_refused()
        {
            using var bed = new BackupTestBed(1);
            bed.Engine.Databases["db001"].Backups["manual"] = bed.BaseUrl + "/db001";
            var p = bed.Plan(bed.Request()).Databases.Single();
            Assert.Equal(DoltErrorKind.AddressConflict, p.Problem.Kind);
            Assert.Contains("backup 'manual'", p.Problem.Message);
        }

        [Fact]
        public void A_store_owned_by_another_database_or_unmarked_is_refused_unless_Force()
        {
            using var bed = new BackupTestBed(2);
            string store1 = bed.Dir.Combine("dest", "db001");
            OwnershipMarkerStore.Claim(store1, new OwnershipMarker { Database = "otherdb", BackupName = "nightly" });
            string store2 = bed.Dir.Combine("dest", "db002");
            Directory.CreateDirectory(store2);
            File.WriteAllText(Path.Combine(store2, "manifest"), "5:__DOLT__:...");

            var plan = bed.Plan(bed.Request());
            Assert.All(plan.Databases, p => Assert.Equal(DoltErrorKind.OwnershipConflict, p.Problem?.Kind));
            Assert.Contains("otherdb", plan.Databases[0].Problem.Message);
            Assert.Contains("no DoltBackup ownership marker", plan.Databases[1].Problem.Message);

            bed.Register(bed.Request(r => r.Force = true));
            Assert.Equal("db001", OwnershipMarkerStore.Read(store1).Database);
            Assert.Equal("db002", OwnershipMarkerStore.Read(store2).Database);
        }

        [Fact]
        public void Versioned_runs_get_their_own_urls_and_folder_and_repoint_the_name_without_Force()
        {
            using var bed = new BackupTestBed(2);
            var t1 = new System.DateTime(2026, 11, 23, 2, 0, 0, System.DateTimeKind.Utc);
            var first = bed.Register(bed.Request(r => { r.Versioned = true; r.NowUtc = t1; }));
            Assert.Equal(bed.BaseUrl + "/20261123T020000Z/db001", first.FindDatabase("db001").Url);
            Assert.Equal(bed.Dir.Combine("dest", "20261123T020000Z"), first.BackupFolder);

            var second = bed.Register(bed.Request(r => { r.Versioned = true; r.NowUtc = t1.AddDays(1); }));
            Assert.Equal(2, second.Databases.Count);
            Assert.Equal(bed.BaseUrl + "/20261124T020000Z/db001", bed.Engine.Databases["db001"].Backups["nightly"]);
            Assert.True(File.Exists(Path.Combine(first.BackupFolder, "manifest.json")));
        }

        [Fact]
        public void Non_file_destinations_warn_that_ownership_cannot_be_checked()
        {
            using var bed = new BackupTestBed(1);
            var plan = bed.Plan(bed.Request(r => { r.BaseUrl = "gs://bucket/prod"; r.BackupFolder = bed.Dir.Combine("m"); }));
            Assert.Contains(plan.Manifest.Warnings, w => w.Contains("ownership marker"));
            Assert.Null(plan.Databases.Single().StoreDir);
        }

        [Fact]
        public void Wildcards_select_databases_and_missing_names_are_reported()
        {
            using var bed = new BackupTestBed(3);
            var plan = bed.Plan(bed.Request(r => { r.Include = new[] { "db00*", "nope" }; r.Exclude = new[] { "*2" }; }));
            Assert.Equal(new[] { "db001", "db003" }, plan.Databases.Select(p => p.Item.Name));
            Assert.Equal(new[] { "nope" }, plan.MissingDatabases);
        }

        [Fact]
        public void Push_plans_check_the_remote_and_warn_about_committed_data()
        {
            using var bed = new BackupTestBed(2);
            bed.Engine.Databases["db001"].Remotes["origin"] = "https://doltremoteapi.dolthub.com/org/db001";
            var plan = bed.Plan(bed.Request(r => { r.Method = BackupMethod.Push; r.Remote = "origin"; r.BaseUrl = null; r.BackupFolder = bed.Dir.Combine("m"); }));
            Assert.Equal("https://doltremoteapi.dolthub.com/org/db001", plan.Databases[0].Item.Url);
            Assert.Equal(DoltErrorKind.RemoteNotFound, plan.Databases[1].Problem.Kind);
            Assert.Contains(plan.Manifest.Warnings, w => w.Contains("committed data only"));
        }

        [Fact]
        public void A_database_named_like_a_backup_folder_file_is_refused_for_file_destinations()
        {
            using var bed = new BackupTestBed(1);
            bed.Engine.AddDatabase("manifest.json");
            var plan = bed.Plan(bed.Request());
            Assert.Equal("ReservedName", plan.Databases.Single(p => p.Item.Name == "manifest.json").Problem.ErrorId);
            Assert.Null(plan.Databases.Single(p => p.Item.Name == "db001").Problem);
        }

        [Fact]
        public void Planning_changes_nothing()
        {
            using var bed = new BackupTestBed(2);
            bed.Plan(bed.Request());
            Assert.Empty(bed.Engine.CallsOf("add"));
            Assert.False(Directory.Exists(bed.Dir.Combine("dest")));
        }
    }
}
