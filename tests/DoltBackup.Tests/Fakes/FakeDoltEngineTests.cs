#pragma warning disable xUnit1031 // synchronous waits on the fake's tasks are deliberate
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Fakes
{
    /// <summary>The fake must behave as dolt-reference §1-§2 says Dolt does, or the orchestration tests prove nothing.</summary>
    public class FakeDoltEngineTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        [Fact]
        public void Drop_removes_the_database_and_an_unknown_name_fails_as_Dolt_reports_it()
        {
            var f = new FakeDoltEngine();
            f.AddDatabase("scratch");
            f.DropDatabaseAsync("SCRATCH", CancellationToken.None).GetAwaiter().GetResult();
            Assert.Empty(f.Databases);
            var e = Assert.Throws<DoltEngineException>(() => f.DropDatabaseAsync("scratch", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Contains("database doesn't exist", e.Message);
        }

        [Fact]
        public void Without_a_current_database_and_for_unknown_urls_and_remotes_the_fake_answers_with_the_transcripts_texts()
        {
            var f = new FakeDoltEngine();
            f.AddDatabase("sales");
            var sync = Assert.Throws<DoltEngineException>(() => f.SyncBackupAsync(null, "t1", None).GetAwaiter().GetResult());
            Assert.Equal("empty database name", sync.DoltMessage);
            var hash = Assert.Throws<DoltEngineException>(() => f.GetDatabaseStateAsync(null, None).GetAwaiter().GetResult());
            Assert.Equal("database not found:", hash.DoltMessage);
            Assert.Equal(DoltErrorKind.DatabaseNotFound, hash.Kind);
            var unknown = Assert.Throws<DoltEngineException>(() => f.GetDatabaseStateAsync("nosuch", None).GetAwaiter().GetResult());
            Assert.Equal("database not found: nosuch", unknown.DoltMessage);
            var restore = Assert.Throws<DoltEngineException>(() => f.RestoreBackupAsync("file:///nothing", "fresh", false, None).GetAwaiter().GetResult());
            Assert.Equal("not found", restore.DoltMessage);
            var push = Assert.Throws<DoltEngineException>(() => f.PushBranchAsync("sales", "origin", "main", None).GetAwaiter().GetResult());
            Assert.Equal("fatal: remote 'origin' not found.\nPlease make sure the remote exists.", push.DoltMessage);
            Assert.Equal(DoltErrorKind.RemoteNotFound, push.Kind);
        }

        [Fact]
        public void Add_of_an_existing_name_invalid_name_or_used_url_fails_with_Dolts_messages()
        {
            var f = new FakeDoltEngine();
            f.AddDatabase("db1");
            f.AddBackupAsync("db1", "bac1", "aws://[t:b]/db1", None).GetAwaiter().GetResult();
            var dup = Assert.Throws<DoltEngineException>(() => f.AddBackupAsync("db1", "bac1", "aws://[t:b]/other", None).GetAwaiter().GetResult());
            Assert.Equal("backup 'bac1' already exists", dup.DoltMessage);
            var bad = Assert.Throws<DoltEngineException>(() => f.AddBackupAsync("db1", "a.b", "aws://[t:b]/x", None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.InvalidName, bad.Kind);
            var clash = Assert.Throws<DoltEngineException>(() => f.AddBackupAsync("db1", "bac2", "aws://[t:b]/db1", None).GetAwaiter().GetResult());
            Assert.Equal("address conflict with a remote: 'bac1' -> aws://[t:b]/db1", clash.DoltMessage);
            var missing = Assert.Throws<DoltEngineException>(() => f.SyncBackupAsync("db1", "nope", None).GetAwaiter().GetResult());
            Assert.Equal("backup 'nope' not found", missing.DoltMessage);
        }

        [Fact]
        public void Sync_overwrites_whatever_the_url_held_and_restore_refuses_an_existing_name_unless_force()
        {
            var f = new FakeDoltEngine();
            f.AddDatabase("db1", "dev");
            f.AddDatabase("db2");
            f.AddBackupAsync("db1", "b", "gs://bkt/x", None).GetAwaiter().GetResult();
            f.AddBackupAsync("db2", "b", "gs://bkt/x", None).GetAwaiter().GetResult(); // another database: Dolt does not object
            f.SyncBackupAsync("db1", "b", None).GetAwaiter().GetResult();
            f.SyncBackupAsync("db2", "b", None).GetAwaiter().GetResult();
            Assert.Equal("db2", f.Storage.Get("gs://bkt/x").SourceDatabase);

            var exists = Assert.Throws<DoltEngineException>(() => f.RestoreBackupAsync("gs://bkt/x", "db1", false, None).GetAwaiter().GetResult());
            Assert.Equal("database 'db1' already exists, use '--force' to overwrite", exists.DoltMessage);
            f.RestoreBackupAsync("gs://bkt/x", "db1", true, None).GetAwaiter().GetResult();
            Assert.Equal(new[] { "main" }, f.Databases["db1"].Branches.Keys.ToArray());
            Assert.Empty(f.Databases["db1"].Backups);
        }

        [Fact]
        public void A_file_sync_writes_new_immutable_files_by_hash_and_replaces_the_manifest_by_rename_as_Dolt_does()
        {
            using var dir = new DoltBackup.Tests.Infrastructure.TempDir();
            var f = new FakeDoltEngine();
            var db = f.AddDatabase("db1");
            var first = db.Commit(30_000);
            string store = dir.Combine("v1");
            string url = DoltBackup.Backup.BackupUrls.ToFileUrl(store);
            f.AddBackupAsync("db1", "b", url, None).GetAwaiter().GetResult();
            f.SyncBackupAsync("db1", "b", None).GetAwaiter().GetResult();
            string manifest = System.IO.Path.Combine(store, "manifest");
            string oldManifest = System.IO.File.ReadAllText(manifest);
            Assert.EndsWith(":" + first.Name + ":" + first.ChunkCount, oldManifest);
            Assert.Empty(System.IO.File.ReadAllBytes(System.IO.Path.Combine(store, "LOCK")));
            Assert.True(System.IO.Directory.Exists(System.IO.Path.Combine(store, "oldgen")));
            Assert.DoesNotContain(DoltBackup.Verification.NbsStoreVerifier.Verify(store, "db1", new DoltBackup.Verification.VerificationOptions { Deep = true }),
                r => r.Status == DoltBackup.Verification.VerificationStatus.Failed);

            // A second name of the old manifest and of the table file (what cp -al does) keeps its content.
            string linkedManifest = dir.Combine("manifest.link");
            string linkedTable = dir.Combine("table.link");
            Assert.Null(DoltBackup.Linking.HardLinks.ForThisPlatform().TryLink(manifest, linkedManifest));
            Assert.Null(DoltBackup.Linking.HardLinks.ForThisPlatform().TryLink(System.IO.Path.Combine(store, first.Name), linkedTable));
            string tableIdentity = DoltBackup.Tests.Infrastructure.FileIdentity.Of(linkedTable);
            var second = db.Commit(2_000);
            f.SyncBackupAsync("db1", "b", None).GetAwaiter().GetResult();

            Assert.Equal(oldManifest, System.IO.File.ReadAllText(linkedManifest));
            Assert.NotEqual(oldManifest, System.IO.File.ReadAllText(manifest));
            Assert.EndsWith(":" + second.Name + ":" + second.ChunkCount, System.IO.File.ReadAllText(manifest));
            Assert.Equal(tableIdentity, DoltBackup.Tests.Infrastructure.FileIdentity.Of(System.IO.Path.Combine(store, first.Name)));
            Assert.Equal(new[] { "LOCK", first.Name, "manifest", second.Name }.OrderBy(n => n, System.StringComparer.Ordinal),
                System.IO.Directory.GetFiles(store).Select(System.IO.Path.GetFileName).OrderBy(n => n, System.StringComparer.Ordinal));
        }
    }
}
