using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// The skip decision of <see cref="BackupSetTransfer.Publish"/>: an unchanged re-publish reads no local file (the
    /// published-files record beside the set, compared with one remote listing), and every kind of change is still
    /// uploaded: new content with a new time, another size with the same time, a remote object deleted or replaced.
    /// Counted with the in-memory driver's requests and the transfer's count of files read; no timing.
    /// </summary>
    public class PublishSkipDecisionTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private static string LocalSet(TempDir dir, string archiveText = "archive-bytes")
        {
            string folder = dir.Combine("set-1");
            Directory.CreateDirectory(Path.Combine(folder, "data"));
            File.WriteAllText(Path.Combine(folder, "data", "a.tar"), archiveText);
            File.WriteAllText(Path.Combine(folder, "grants.sql"), "CREATE USER x;");
            var m = new BackupManifest { Id = "set-1", Name = "n", Method = BackupMethod.FileCopy, CreatedUtc = DateTime.UtcNow, Destination = { BackupFolder = folder } };
            m.Artifacts.Add(new BackupArtifact { Kind = "DataArchive", StoredPath = "data/a.tar", Size = archiveText.Length });
            ManifestStore.Write(m);
            return folder;
        }

        /// <summary>A local set published once to a new in-memory location.</summary>
        private static (string Folder, MemoryBackupLocation Store) PublishedOnce(TempDir dir, string archiveText = "archive-bytes")
        {
            string folder = LocalSet(dir, archiveText);
            var store = new MemoryBackupLocation();
            BackupSetTransfer.Publish(folder, store, "set-1", null, None);
            return (folder, store);
        }

        private static TransferResult Republish(string folder, IBackupLocation store) => BackupSetTransfer.Publish(folder, store, "set-1", null, None);

        private static string Read(IBackupLocation store, string key) => new StreamReader(store.OpenRead(key, None)).ReadToEnd();

        [Fact]
        public void An_unchanged_republish_reads_no_local_file_lists_once_and_sends_only_the_manifest()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir);
            var store = new MemoryBackupLocation();
            var first = BackupSetTransfer.Publish(folder, store, "set-1", null, None);
            Assert.Equal(3, first.Transferred);
            Assert.True(File.Exists(Path.Combine(folder, PublishRecord.FileName)));

            int before = store.Requests;
            var second = Republish(folder, store);
            Assert.Equal(0, second.FilesRead);
            Assert.Equal(2, second.Unchanged);
            Assert.Equal(1, second.Transferred);
            Assert.Equal(2, store.Requests - before); // one listing, one Put (manifest.json)
            // The record stays local: never part of the remote set.
            Assert.DoesNotContain(store.List("", None), o => o.Key.EndsWith(PublishRecord.FileName, StringComparison.Ordinal));
        }

        [Fact]
        public void Without_a_record_an_unchanged_file_is_read_once_then_recorded()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir);
            File.Delete(Path.Combine(folder, PublishRecord.FileName));
            var again = Republish(folder, store);
            Assert.Equal(2, again.FilesRead);
            Assert.Equal(2, again.Unchanged);
            Assert.Equal(0, Republish(folder, store).FilesRead);
        }

        [Fact]
        public void A_file_changed_to_the_same_size_with_a_new_time_is_uploaded()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir, "version-1");
            string archive = Path.Combine(folder, "data", "a.tar");
            var time = File.GetLastWriteTimeUtc(archive);
            File.WriteAllText(archive, "version-2");
            File.SetLastWriteTimeUtc(archive, time.AddSeconds(10));

            var again = Republish(folder, store);
            Assert.Equal(2, again.Transferred);
            Assert.Equal("version-2", Read(store, "set-1/data/a.tar"));
        }

        [Fact]
        public void A_file_replaced_with_the_same_time_but_another_size_is_uploaded_without_being_read_first()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir, "version-1");
            string archive = Path.Combine(folder, "data", "a.tar");
            var time = File.GetLastWriteTimeUtc(archive);
            File.WriteAllText(archive, "version-two");
            File.SetLastWriteTimeUtc(archive, time);

            var again = Republish(folder, store);
            Assert.Equal(2, again.Transferred);
            Assert.Equal(0, again.FilesRead);
            Assert.Equal("version-two", Read(store, "set-1/data/a.tar"));
        }

        [Fact]
        public void A_file_deleted_remotely_is_uploaded_again()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir);
            store.Delete("set-1/data/a.tar", None);

            var again = Republish(folder, store);
            Assert.Equal(2, again.Transferred);
            Assert.Equal("archive-bytes", Read(store, "set-1/data/a.tar"));
        }

        [Fact]
        public void A_remote_object_replaced_by_someone_else_with_the_same_size_is_not_trusted_and_is_uploaded()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir, "version-1");
            store.Put("set-1/data/a.tar", new MemoryStream(Encoding.UTF8.GetBytes("tampered!")), None);

            var again = Republish(folder, store);
            Assert.Equal(1, again.FilesRead);
            Assert.Equal(2, again.Transferred);
            Assert.Equal("version-1", Read(store, "set-1/data/a.tar"));
        }

        [Fact]
        public void Another_destination_of_the_same_local_set_has_its_own_record()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir);
            var copy = BackupSetTransfer.Publish(folder, store, "copy-of-set-1", null, None);
            Assert.Equal(3, copy.Transferred);
            Assert.Equal(0, Republish(folder, store).FilesRead);
            Assert.Equal(0, BackupSetTransfer.Publish(folder, store, "copy-of-set-1", null, None).FilesRead);
        }

        [Fact]
        public void A_corrupt_record_only_costs_reading_the_files()
        {
            using var dir = new TempDir();
            var (folder, store) = PublishedOnce(dir);
            File.WriteAllText(Path.Combine(folder, PublishRecord.FileName), "{ not json");
            var again = Republish(folder, store);
            Assert.Equal(2, again.FilesRead);
            Assert.Equal(1, again.Transferred);
        }

        [Fact]
        public void Dolt_table_files_named_by_hash_are_identified_by_name_and_size_but_the_journal_and_manifest_are_read()
        {
            using var dir = new TempDir();
            string folder = LocalSet(dir);
            string noms = Path.Combine(folder, "sales", ".dolt", "noms");
            Directory.CreateDirectory(noms);
            File.WriteAllText(Path.Combine(noms, "manifest"), "5:__DOLT__:...");
            File.WriteAllText(Path.Combine(noms, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"), "journal");
            File.WriteAllText(Path.Combine(noms, "0123456789abcdefghijklmnopqrstuv"), "table");
            File.WriteAllText(Path.Combine(noms, "0123456789abcdefghijklmnopqrstu0.darc"), "archive");
            var store = new MemoryBackupLocation();
            Republish(folder, store);
            File.Delete(Path.Combine(folder, PublishRecord.FileName));

            var again = Republish(folder, store);
            Assert.Equal(6, again.Unchanged);
            Assert.Equal(4, again.FilesRead); // a.tar, grants.sql, the store's manifest and journal; not the table file or archive

            // A table file whose remote copy has another size (a cut upload by another tool) is sent again.
            store.Put("set-1/sales/.dolt/noms/0123456789abcdefghijklmnopqrstuv", new MemoryStream(new byte[] { 1 }), None);
            File.Delete(Path.Combine(folder, PublishRecord.FileName));
            Assert.Equal(2, Republish(folder, store).Transferred);
            Assert.Equal("table", Read(store, "set-1/sales/.dolt/noms/0123456789abcdefghijklmnopqrstuv"));
        }
    }
}
