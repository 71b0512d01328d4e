using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Backup;
using DoltBackup.Manifest;
using DoltBackup.Restore.PointInTime;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore.PointInTime
{
    /// <summary>
    /// Restore-DoltBackup -AsOf -WhatIf over sets whose stores are the real backups of a Dolt 2.2.2 server
    /// (fixtures/dolt-server): per branch, the commit the restore would choose, read from the store offline; nothing restored.
    /// </summary>
    public sealed class PointInTimeWhatIfTests : IDisposable
    {
        // The server's history (expected.json; dates read from the stores):
        //   sales      tln0511o… 19:03:46.803 init, d2ajqa7h… 19:03:46.853 "orders" (main), 7353shqd… 19:03:46.857 "feature order" (feature)
        //   inventory  h3qke6l0… 19:03:46.819 init, uajr4e22… 19:03:46.889 "items" (main, tag v1)
        private const string SalesInit = "tln0511ojtv5rp3o9d9kg1f53gcm0oin", SalesMain = "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj", SalesFeature = "7353shqdgsussg7n1ie4qkgjm5mjtl29";
        private const string InventoryInit = "h3qke6l0ih7s008dkq5mo4dshqo0458t", InventoryMain = "uajr4e22o3s40glm9euvsm5gvk3johb6";
        private static readonly DateTime Moment = new DateTime(2026, 11, 23, 19, 3, 46, 855, DateTimeKind.Utc);

        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly TempDir _dir = new TempDir();
        private readonly string _server;
        private readonly string _root;

        public PointInTimeWhatIfTests()
        {
            _server = FakeServers.Register(_dolt);
            _root = _dir.Combine("root");
            var taken = new DateTime(2026, 11, 23, 19, 5, 0, DateTimeKind.Utc);
            var m = new BackupManifest
            {
                Id = "20261123T190500Z-nightly", Name = "nightly", Method = BackupMethod.DoltBackup, Status = BackupStatus.Completed, CreatedUtc = taken, CompletedUtc = taken,
                Destination = new BackupDestination { BaseUrl = BackupUrls.ToFileUrl(_dir.Combine("stores")), BackupFolder = Path.Combine(_root, "20261123T190500Z-nightly") },
            };
            m.Databases.Add(Item("sales", Store("sales"), taken, ("main", SalesMain), ("feature", SalesFeature)));
            m.Databases.Add(Item("inventory", Store("inventory"), taken, ("main", InventoryMain)));
            m.Databases[1].Tags.Add(new RefHead { Name = "v1", Hash = InventoryMain });
            m.Databases.Add(Item("remote", "aws://[dolt-table:dolt-bucket]/remote", taken, ("main", SalesMain)));
            ManifestStore.Write(m);
        }

        public void Dispose() => _dir.Dispose();

        private string Store(string database)
        {
            string copy = _dir.Combine("stores", database);
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", database), copy);
            return BackupUrls.ToFileUrl(copy);
        }

        private static DatabaseBackupItem Item(string name, string url, DateTime taken, params (string Name, string Hash)[] branches) => new DatabaseBackupItem
        {
            Name = name, Url = url, BackupName = "nightly", Status = ItemStatus.Completed, StartedUtc = taken, CompletedUtc = taken,
            Branches = branches.Select(b => new RefHead { Name = b.Name, Hash = b.Hash }).ToList(),
        };

        private string[] Writes => _dolt.Calls.Where(c => c.StartsWith("restore ", StringComparison.Ordinal) || c.StartsWith("move ", StringComparison.Ordinal)
                                                         || c.StartsWith("delete-", StringComparison.Ordinal) || c.StartsWith("drop ", StringComparison.Ordinal)).ToArray();

        private const string WhatIf = "Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -Prefix pit_ -WhatIf";

        [Fact]
        public void WhatIf_shows_per_branch_the_commit_read_from_the_real_backup_store_and_restores_nothing()
        {
            using var host = new PowerShellHost();
            var r = host.Run(WhatIf + " -Verbose", _root, Moment, _server);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Empty(r.Output);
            Assert.Empty(Writes);
            Assert.Empty(_dolt.Databases);
            Assert.Contains(r.Verbose, v => v.Contains("Read the history of 'sales' from its backup store offline: 2 commits"));

            string text = host.Render(WhatIf, _root, Moment, _server);
            Assert.Contains("main: stays at " + SalesMain + " (2026-11-23 19:03:46.853 UTC) \"orders\"", text);
            Assert.Contains("feature: deleted (it did not exist yet", text);
            Assert.Contains("main: moves to " + InventoryInit + " (2026-11-23 19:03:46.819 UTC) \"Initialize data repository\"", text);
            Assert.Contains("tags deleted (their commit is later): v1", text);
            Assert.DoesNotContain(SalesFeature + " (", text);
            Assert.Empty(Writes);
            Assert.Empty(_dolt.Databases);
        }

        [Fact]
        public void WhatIf_says_per_database_when_a_store_cannot_be_read_offline()
        {
            using var host = new PowerShellHost();
            string text = host.Render(WhatIf, _root, Moment, _server);

            // The aws:// store is named with the reason; the readable ones still get their commits.
            int remote = text.IndexOf("pit_remote", StringComparison.Ordinal);
            Assert.True(remote >= 0, text);
            string remoteBlock = text.Substring(text.LastIndexOf("What if:", remote, StringComparison.Ordinal));
            Assert.Contains("cannot be shown: the backup store could not be read without restoring it: its store aws://[dolt-table:dolt-bucket]/remote is a remote (aws://)", remoteBlock);
            Assert.Contains("main: stays at " + SalesMain, text);
            Assert.Empty(Writes);
        }

        [Fact]
        public void A_later_moment_keeps_everything_and_an_earlier_one_than_the_first_commit_is_announced_as_an_error()
        {
            using var host = new PowerShellHost();
            string text = host.Render(WhatIf, _root, new DateTime(2026, 11, 23, 19, 4, 0, DateTimeKind.Utc), _server);
            Assert.Contains("feature: stays at " + SalesFeature + " (2026-11-23 19:03:46.857 UTC) \"feature order\"", text);
            Assert.Contains("main: stays at " + InventoryMain, text);
            Assert.DoesNotContain("tags deleted", text);

            text = host.Render(WhatIf, _root, new DateTime(2026, 11, 23, 19, 0, 0, DateTimeKind.Utc), _server);
            Assert.Contains("The restore would stop here and restore nothing: 2026-11-23 19:00:00.000 UTC is before the first commit of this database (2026-11-23 19:03:46.803 UTC)", text);
            Assert.Empty(Writes);
        }

        [Fact]
        public void WhatIf_into_a_data_directory_reads_the_stores_without_dolt_and_creates_nothing()
        {
            // (As the Pester file checks on real pwsh: no dolt, no server.)
            string data = _dir.Combine("data");
            System.IO.Directory.CreateDirectory(data);
            using var host = new PowerShellHost();
            string text = host.Render("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -DataDir $args[2] -Database sales -NewName s -WhatIf", _root, Moment, data);

            Assert.Contains("feature: deleted (it did not exist yet", text);
            Assert.Contains("main: stays at " + SalesMain, text);
            Assert.Empty(System.IO.Directory.GetFileSystemEntries(data));
        }

        /// <summary>
        /// The fake gets the history the stores hold (same hashes, parents, dates, messages: what Dolt would restore),
        /// and then stands for the stores (it writes its own manifest over each).
        /// </summary>
        private void FakeRestoresFromTheStores()
        {
            foreach (var item in ManifestStore.Read(Path.Combine(_root, "20261123T190500Z-nightly")).Databases.Where(d => BackupUrls.IsFile(d.Url)))
            {
                using var h = DoltBackup.DoltStore.DoltStoreHistory.Open(BackupUrls.LocalPath(item.Url));
                foreach (var log in PointInTimeStorePlanner.FullLogs(h).Values)
                {
                    foreach (var c in log)
                    {
                        _dolt.Commits[c.Hash] = new FakeDoltEngine.FakeCommit { Hash = c.Hash, Parents = c.Parents.ToList(), DateUtc = c.DateUtc, Message = c.Message };
                    }
                }
                var db = new FakeDoltEngine.Db();
                foreach (var b in h.Branches)
                {
                    db.Branches[b.Key] = b.Value;
                }
                foreach (var t in h.Tags)
                {
                    db.Tags[t.Key] = t.Value;
                }
                _dolt.SyncTo(item.Url, item.Name, db);
            }
        }

        [Theory]
        [InlineData("2026-11-23T19:03:46.810Z")] // before inventory's first commit
        [InlineData("2026-11-23T19:03:46.855Z")]
        [InlineData("2026-11-23T19:03:46.870Z")]
        [InlineData("2026-11-23T19:04:00Z")]
        public void The_commits_WhatIf_shows_are_the_ones_the_restore_then_chooses(string moment)
        {
            var at = DateTime.Parse(moment, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
            using var host = new PowerShellHost();
            string text = host.Render(WhatIf + " -Database sales, inventory", _root, at, _server);
            Assert.Empty(Writes);

            FakeRestoresFromTheStores(); // (the fake then writes its own manifest over each store: read it first)
            var r = host.Run("Restore-DoltBackup -Path $args[0] -AsOf $args[1] -Server $args[2] -Prefix pit_ -Database sales, inventory -Confirm:$false -Verbose", _root, at, _server);

            Assert.All(r.Errors, e => Assert.Equal("DoltBackup.AsOfBeforeFirstCommit,DoltBackup.Cmdlets.RestoreDoltBackupCommand", e.FullyQualifiedErrorId));
            Assert.DoesNotContain(r.Verbose, v => v.Contains("backup store offline")); // the real restore reads the restored copy, as before
            var results = r.Output.Select(o => o.BaseObject).OfType<PointInTimeRestoreResult>().ToList();
            Assert.Equal(2, results.Count);
            foreach (var result in results)
            {
                if (result.ErrorId != null)
                {
                    // The error WhatIf announced, word for word (between the database's name and "Nothing was restored").
                    string why = result.Error.Substring(result.Error.IndexOf(": ", StringComparison.Ordinal) + 2);
                    Assert.Contains("The restore would stop here and restore nothing: " + why.Substring(0, why.IndexOf(" Nothing was restored", StringComparison.Ordinal)), text);
                    continue;
                }
                Assert.Equal(DoltBackup.Restore.RestoreStatus.Restored, result.Status);
                foreach (var b in result.Branches)
                {
                    Assert.True(text.Contains(PointInTimePreview.Line(b)), PointInTimePreview.Line(b) + "\n---\n" + text);
                }
                if (result.DeletedTags.Count > 0)
                {
                    Assert.Contains("tags deleted (their commit is later): " + string.Join(", ", result.DeletedTags), text);
                }
            }
        }
    }
}
