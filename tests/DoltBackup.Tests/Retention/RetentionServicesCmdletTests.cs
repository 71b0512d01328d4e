using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Server;
using DoltBackup.Tests.Catalog;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    /// <summary>Tests that set the process-wide RetentionServices factories run one at a time, apart from the others.</summary>
    [CollectionDefinition("RetentionServices", DisableParallelization = true)]
    public sealed class RetentionServicesCollection
    {
    }

    [Collection("RetentionServices")]
    public class RetentionServicesCmdletTests
    {
        private sealed class RecordingUnregistrar : IBackupUnregistrar
        {
            public RecordingUnregistrar(ServerConnectionSettings settings) => Settings = settings;
            public ServerConnectionSettings Settings { get; }
            public List<string> Removed { get; } = new List<string>();
            public void Unregister(string database, string backupName) => Removed.Add(database + "/" + backupName);
        }

        [Fact]
        public void Unregister_uses_the_wired_service_with_the_server_of_the_manifest_or_of_Server()
        {
            using var host = new PowerShellHost();
            Assert.Equal(typeof(RetentionServices).Assembly.Location,
                host.Invoke("[DoltBackup.Retention.RetentionServices].Assembly.Location").Single().ToString());

            var made = new List<RecordingUnregistrar>();
            var previousUnregistrar = RetentionServices.UnregistrarFactory;
            RetentionServices.UnregistrarFactory = (settings, set) =>
            {
                var u = new RecordingUnregistrar(settings.Clone());
                made.Add(u);
                return u;
            };
            try
            {
                using var dir = new TempDir();
                var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
                var old = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed, customize: m =>
                {
                    m.Source = new BackupSource { Server = "db7.example", Port = 3307 };
                    foreach (var db in m.Databases)
                    {
                        db.BackupName = "prod_" + m.Id.Substring(0, 16);
                    }
                });
                b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed);

                var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Unregister -Force", dir.Path);

                Assert.Empty(r.Errors);
                var u = made.Single();
                Assert.Equal("db7.example", u.Settings.Host);
                Assert.Equal(3307, u.Settings.Port);
                Assert.Equal(new[] { "db0/prod_" + old.Id.Substring(0, 16), "db1/prod_" + old.Id.Substring(0, 16) }, u.Removed);
                var result = (BackupRemovalResult)r.Output.Single(o => ((BackupRemovalResult)o.BaseObject).Id == old.Id).BaseObject;
                Assert.Equal(BackupRemovalAction.Deleted, result.Action);
                Assert.Equal(u.Removed, result.Unregistered);

                // -Server and -Credential win over the manifest; the password reaches the service, never the output.
                var again = b.Add("prod", TimeSpan.FromDays(5), BackupStatus.Completed, customize: m => m.Databases[0].BackupName = "solo");
                made.Clear();
                var r2 = host.Run(
                    "$c = [pscredential]::new('backup', [System.Net.NetworkCredential]::new('', 'S3cret-pw').SecurePassword); " +
                    "Remove-DoltBackup -Path $args[0] -KeepLast 1 -Unregister -Server 'db9.example:3310' -Credential $c -Force -Verbose", dir.Path);
                Assert.Empty(r2.Errors);
                var u2 = made.Single();
                Assert.Equal("db9.example", u2.Settings.Host);
                Assert.Equal(3310, u2.Settings.Port);
                Assert.Equal("backup", u2.Settings.UserName);
                Assert.True(u2.Settings.HasPassword);
                Assert.Equal(new[] { "db0/solo" }, u2.Removed);
                Assert.DoesNotContain("S3cret-pw", r2.AllText());
            }
            finally
            {
                RetentionServices.UnregistrarFactory = previousUnregistrar;
            }
        }

        [Fact]
        public void Ebs_snapshots_go_through_the_wired_service()
        {
            var deleted = new List<string>();
            var previousDeleter = RetentionServices.SnapshotDeleterFactory;
            RetentionServices.SnapshotDeleterFactory = set => new DelegateSnapshotDeleter(s => deleted.Add(s.SnapshotId));
            try
            {
                using var dir = new TempDir();
                var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
                var old = b.Add("prod", TimeSpan.FromDays(3), BackupStatus.Completed, BackupMethod.EbsSnapshot, m =>
                {
                    m.Databases.Clear();
                    m.Snapshots.Add(new VolumeSnapshot { SnapshotId = "snap-1", Status = ItemStatus.Completed });
                });
                b.Add("prod", TimeSpan.FromDays(1), BackupStatus.Completed, BackupMethod.EbsSnapshot, m =>
                {
                    m.Databases.Clear();
                    m.Snapshots.Add(new VolumeSnapshot { SnapshotId = "snap-2", Status = ItemStatus.Completed });
                });
                using var host = new PowerShellHost();

                var whatIf = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -WhatIf", dir.Path);
                Assert.Empty(deleted);
                Assert.Equal(new[] { "snap-1" }, ((BackupRemovalResult)whatIf.Output.Single(o => ((BackupRemovalResult)o.BaseObject).Id == old.Id).BaseObject).SnapshotIds);

                var r = host.Run("Remove-DoltBackup -Path $args[0] -KeepLast 1 -Force", dir.Path);
                Assert.Empty(r.Errors);
                Assert.Equal(new[] { "snap-1" }, deleted);
                Assert.False(System.IO.Directory.Exists(old.BackupFolder));
            }
            finally
            {
                RetentionServices.SnapshotDeleterFactory = previousDeleter;
            }
        }

        [Fact]
        public void By_default_the_services_are_the_EC2_deleter_and_the_Dolt_engine()
        {
            var deleter = RetentionServices.SnapshotDeleterFactory(new BackupManifest());
            Assert.IsType<EbsRetentionSnapshotDeleter>(deleter);
            ((System.IDisposable)deleter).Dispose();
            Assert.NotNull(RetentionServices.UnregistrarFactory);
        }

        private sealed class DelegateSnapshotDeleter : ISnapshotDeleter
        {
            private readonly Action<VolumeSnapshot> _delete;
            public DelegateSnapshotDeleter(Action<VolumeSnapshot> delete) => _delete = delete;
            public void DeleteSnapshot(VolumeSnapshot snapshot) => _delete(snapshot);
        }
    }
}
