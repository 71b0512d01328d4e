using System.Diagnostics;
using System.IO;
using System.Threading;
using DoltBackup.Locking;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Locking
{
    public class LockingTests
    {
        [Fact]
        public void A_lock_held_by_another_process_is_seen_and_not_taken()
        {
            if (!FlockHolder.IsAvailable)
            {
                return; // util-linux flock is part of every Debian system; nothing to hold the lock with elsewhere.
            }
            using var dir = new TempDir();
            string dataDir = dir.Combine("data");
            Directory.CreateDirectory(Path.Combine(dataDir, "db1", ".dolt", "noms"));
            Directory.CreateDirectory(Path.Combine(dataDir, "db2", ".dolt", "noms"));
            string lock1 = Path.Combine(dataDir, "db1", ".dolt", "noms", "LOCK");
            File.WriteAllBytes(lock1, new byte[0]);
            var holder = FlockHolder.Hold(lock1);
            try
            {
                Assert.Null(NomsLock.TryAcquire(lock1));
                Assert.True(NomsLock.IsHeld(lock1));
                var usage = DataDirUsage.Probe(dataDir);
                Assert.Equal(new[] { "db1" }, usage.LockedDatabases);
                Assert.True(usage.InUse);
            }
            finally
            {
                holder.Dispose();
            }
            // Once the holder is gone, the lock is free again.
            using var mine = NomsLock.TryAcquire(lock1);
            Assert.NotNull(mine);
        }

        [Fact]
        public void Our_lock_excludes_other_takers_until_released()
        {
            using var dir = new TempDir();
            string lockPath = dir.Combine("LOCK");
            var first = NomsLock.TryAcquire(lockPath);
            Assert.NotNull(first);
            if (!System.OperatingSystem.IsWindows() && ExternalTools.Find("flock", "/usr/bin") != null)
            {
                // Another process cannot take it (flock -n exits 1 when the lock is held).
                var p = Process.Start("flock", new[] { "-n", lockPath, "true" });
                p.WaitForExit();
                Assert.Equal(1, p.ExitCode);
            }
            first.Dispose();
            using var second = NomsLock.TryAcquire(lockPath);
            Assert.NotNull(second);
        }

        [Fact]
        public void SqlServerInfo_parses_the_three_fields_and_rejects_other_shapes()
        {
            var info = SqlServerInfo.Parse("12345:3306:1b4e28ba-2fa1-11d2-883f-0016d3cca427");
            Assert.Equal(12345, info.Pid);
            Assert.Equal(3306, info.Port);
            Assert.DoesNotContain("1b4e28ba", info.ToString());
            Assert.Null(SqlServerInfo.Parse("12345:3306"));
            Assert.Null(SqlServerInfo.Parse("a:b:c:d"));
            Assert.Null(SqlServerInfo.Parse("1:-:secret").Port);
        }

        [Fact]
        public void A_stale_info_file_whose_port_does_not_answer_is_not_in_use()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.Combine(".dolt"));
            // A freed port can be taken at once by another test's listener (they run in parallel): try a few ports.
            DataDirUsage usage = null;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                l.Start();
                int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
                File.WriteAllText(dir.Combine(".dolt", "sql-server.info"), $"999:{port}:secret");
                Assert.True(DataDirUsage.Probe(dir.Path).ServerAnswers);
                l.Stop();
                usage = DataDirUsage.Probe(dir.Path);
                if (!usage.ServerAnswers)
                {
                    break;
                }
            }
            Assert.NotNull(usage.ServerInfo);
            Assert.False(usage.ServerAnswers);
            Assert.False(usage.InUse);
        }

        [Fact]
        public void BackupSetLock_is_exclusive_while_held()
        {
            using var dir = new TempDir();
            using (var l = BackupSetLock.TryAcquire(dir.Path))
            {
                Assert.NotNull(l);
                Assert.True(BackupSetLock.IsHeld(dir.Path));
                Assert.Null(BackupSetLock.TryAcquire(dir.Path));
            }
            Assert.False(BackupSetLock.IsHeld(dir.Path));
        }
    }
}
