using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.FileCopy
{
    public class FileCopyBackupTests
    {
        [Theory]
        [InlineData(FileCopyFormat.Tar)]
        [InlineData(FileCopyFormat.TarGzip)]
        [InlineData(FileCopyFormat.Tree)]
        public void A_backup_records_every_file_and_restores_byte_identical(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            // A stale sql-server.info (its port does not answer): never copied, recorded as omitted.
            File.WriteAllText(Path.Combine(data, ".dolt-root-marker"), "x");
            Directory.CreateDirectory(Path.Combine(data, ".dolt"));
            File.WriteAllText(Path.Combine(data, ".dolt", "sql-server.info"), "4242:1:7d6c1d2e-secret-uuid");
            var manifest = NewManifest(dir.Combine("backup"));

            // The archive's own SHA-256 is optional: recorded for the plain tar here, left out for the gzip one.
            var result = FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format, HashArchive = format == FileCopyFormat.Tar });

            Assert.Equal(new[] { "inventory", "sales" }, result.Databases);
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
            Assert.Equal(BackupStatus.Completed, manifest.RefreshStatus());
            var files = manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind).ToList();
            int sourceFiles = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Length - 1; // minus sql-server.info
            Assert.Equal(sourceFiles, files.Count);
            Assert.Equal(result.Files, files.Count);
            Assert.DoesNotContain(files, a => a.StoredPath.Contains("sql-server.info"));
            Assert.Contains(manifest.Omitted, o => o.Kind == "ServerInfo");
            Assert.DoesNotContain("7d6c1d2e", ManifestStore.ToJson(manifest));
            var privileges = Assert.Single(files, a => a.StoredPath.EndsWith(".doltcfg/privileges.db"));
            Assert.True(privileges.Secret);
            Assert.True(files.Single(a => a.StoredPath.EndsWith("config.yaml")).Secret);
            var manifestFile = files.Single(a => a.StoredPath.EndsWith("sales/.dolt/noms/manifest"));
            Assert.Equal("sales", manifestFile.Database);
            Assert.Equal(Sha256Of(Path.Combine(data, "sales", ".dolt", "noms", "manifest")), manifestFile.Sha256);
            if (format == FileCopyFormat.Tree)
            {
                Assert.True(Directory.Exists(result.OutputPath));
                Assert.All(files, a => Assert.Null(a.Archive));
            }
            else
            {
                var archive = Assert.Single(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
                Assert.Equal(new FileInfo(result.OutputPath).Length, archive.Size);
                Assert.Equal(format == FileCopyFormat.Tar ? Sha256Of(result.OutputPath) : null, archive.Sha256);
                Assert.All(files, a => Assert.Equal(archive.StoredPath, a.Archive));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal("0600", DoltBackup.Common.OwnerOnlyFile.GetModeText(result.OutputPath));
                }
            }
            Assert.False(File.Exists(result.OutputPath + ".partial") || Directory.Exists(result.OutputPath + ".partial"));

            // Test-DoltBackup's checks pass on the backup (artifacts, and the Dolt stores of the tree or inside the archive).
            ManifestStore.Write(manifest);
            var verification = BackupVerifier.VerifyPath(manifest.BackupFolder, new VerificationOptions { Deep = true });
            Assert.DoesNotContain(verification, r => r.Status == VerificationStatus.Failed);
            Assert.Contains(verification, r => r.Level == VerificationLevel.Artifact && r.Status == VerificationStatus.Passed);
            Assert.Contains(verification, r => r.Level == VerificationLevel.Deep && r.Status == VerificationStatus.Passed);
            Assert.DoesNotContain(verification, r => r.Status == VerificationStatus.Skipped);

            // Restore into a new data dir: byte-identical, LOCK files empty, sql-server.info absent.
            string restored = dir.Combine("restored");
            var r = FileCopyRestore.Restore(ManifestStore.Read(manifest.BackupFolder), new FileCopyRestoreOptions { TargetDataDir = restored });
            Assert.Equal(files.Count, r.Files);
            File.Delete(Path.Combine(data, ".dolt", "sql-server.info"));
            AssertSameTree(data, restored);
        }

        [Fact]
        public void The_system_tar_reads_and_extracts_our_archives()
        {
            if (OperatingSystem.IsWindows() || ExternalTools.Find("tar", "/usr/bin", "/bin") == null)
            {
                return;
            }
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            // A path longer than ustar's 100-byte name field, and one longer than name+prefix (pax).
            string deep = Path.Combine(data, "sales", ".dolt", string.Join("/", Enumerable.Repeat("nested-folder-name", 6)));
            Directory.CreateDirectory(deep);
            File.WriteAllText(Path.Combine(deep, "long-file-name.txt"), "long");
            string longName = Path.Combine(data, "sales", new string('n', 180) + ".bin");
            File.WriteAllBytes(longName, Enumerable.Range(0, 70000).Select(i => (byte)i).ToArray());
            foreach (var format in new[] { FileCopyFormat.Tar, FileCopyFormat.TarGzip })
            {
                var manifest = NewManifest(dir.Combine("backup-" + format));
                var result = FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format });
                var list = Run("tar", dir.Path, format == FileCopyFormat.Tar ? "-tf" : "-tzf", result.OutputPath);
                Assert.True(list.ExitCode == 0, list.Output);
                var names = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(n => n.TrimEnd('/')).ToList();
                Assert.Contains("sales/.dolt/noms/manifest", names);
                Assert.Contains("sales/" + new string('n', 180) + ".bin", names);
                Assert.Contains(Path.GetRelativePath(data, Path.Combine(deep, "long-file-name.txt")).Replace('\\', '/'), names);
                string extracted = dir.Combine("extracted-" + format);
                Directory.CreateDirectory(extracted);
                var x = Run("tar", extracted, format == FileCopyFormat.Tar ? "-xf" : "-xzf", result.OutputPath);
                Assert.True(x.ExitCode == 0, x.Output);
                AssertSameTree(data, extracted);
            }
        }

        [Fact]
        public void A_lock_held_by_another_process_stops_the_copy_and_names_the_database()
        {
            if (!HasFlock)
            {
                return; // util-linux flock is on every Debian system; nothing else can hold the lock here.
            }
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string lockPath = Path.Combine(data, "sales", ".dolt", "noms", "LOCK");
            var holder = HoldFlock(lockPath, dir.Combine("ready"));
            try
            {
                var manifest = NewManifest(dir.Combine("backup"));
                int starts = 0;
                var e = Assert.Throws<FileCopyRefusedException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions
                {
                    DataDir = data,
                    StopCommand = () => { },
                    StartCommand = () => starts++,
                    LockWaitAfterStop = TimeSpan.FromMilliseconds(300),
                }));
                Assert.Equal(FileCopyRefusal.DatabaseLocked, e.Reason);
                Assert.Equal("sales", e.Database);
                Assert.Contains("'sales'", e.Message);
                Assert.Equal(1, starts); // the start command runs in a finally
                Assert.Contains(manifest.Errors, x => x.ErrorId == "DoltBackup.DatabaseInUse" && x.Target == "sales");
                Assert.False(Directory.Exists(dir.Combine("backup")) && Directory.EnumerateFileSystemEntries(dir.Combine("backup")).Any());
                // Our locks on the other databases were released.
                using (var inv = DoltBackup.Locking.NomsLock.TryAcquire(Path.Combine(data, "inventory", ".dolt", "noms", "LOCK")))
                {
                    Assert.NotNull(inv);
                }
            }
            finally
            {
                Kill(holder);
            }
        }

        [Fact]
        public void A_stop_command_that_releases_the_lock_lets_the_copy_run_and_the_start_command_follows()
        {
            if (!HasFlock)
            {
                return;
            }
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var holder = HoldFlock(Path.Combine(data, "inventory", ".dolt", "noms", "LOCK"), dir.Combine("ready"));
            var calls = new System.Collections.Generic.List<string>();
            try
            {
                var manifest = NewManifest(dir.Combine("backup"));
                var result = FileCopyBackup.Run(manifest, new FileCopyOptions
                {
                    DataDir = data,
                    Format = FileCopyFormat.Tar,
                    StopCommand = () => { calls.Add("stop"); Kill(holder); },
                    StartCommand = () => calls.Add("start"),
                    LockWaitAfterStop = TimeSpan.FromSeconds(10),
                });
                Assert.Equal(new[] { "stop", "start" }, calls);
                Assert.True(File.Exists(result.OutputPath));
                Assert.Equal(BackupStatus.Completed, manifest.RefreshStatus());
            }
            finally
            {
                Kill(holder);
            }
        }

        [Fact]
        public void Our_locks_are_held_during_the_copy_and_released_after()
        {
            if (!HasFlock)
            {
                return;
            }
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string lockPath = Path.Combine(data, "sales", ".dolt", "noms", "LOCK");
            int? exitDuringCopy = null;
            var manifest = NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(manifest, new FileCopyOptions
            {
                DataDir = data,
                Progress = p =>
                {
                    if (exitDuringCopy == null && p.CurrentFile != null)
                    {
                        exitDuringCopy = Run("flock", dir.Path, "-n", lockPath, "true").ExitCode;
                    }
                },
            });
            Assert.Equal(1, exitDuringCopy); // flock -n fails: we hold the lock, as a Dolt process would see it
            Assert.Equal(0, Run("flock", dir.Path, "-n", lockPath, "true").ExitCode);
        }

        [Fact]
        public void A_server_whose_port_answers_is_refused_naming_pid_and_port()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                Directory.CreateDirectory(Path.Combine(data, ".dolt"));
                File.WriteAllText(Path.Combine(data, ".dolt", "sql-server.info"), $"31337:{port}:0b0e6a0c-very-secret");
                var manifest = NewManifest(dir.Combine("backup"));
                var e = Assert.Throws<FileCopyRefusedException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data }));
                Assert.Equal(FileCopyRefusal.ServerRunning, e.Reason);
                Assert.Equal(31337, e.Pid);
                Assert.Equal(port, e.Port);
                Assert.Contains("pid 31337", e.Message);
                Assert.Contains($"port {port}", e.Message);
                Assert.DoesNotContain("very-secret", e.Message);
                Assert.Contains(manifest.Errors, x => x.ErrorId == "DoltBackup.ServerRunning");
            }
            finally
            {
                listener.Stop();
            }
        }

        [Theory]
        [InlineData(FileCopyFormat.TarGzip)]
        [InlineData(FileCopyFormat.Tree)]
        public void A_cancelled_copy_leaves_no_partial_output_and_releases_the_locks(FileCopyFormat format)
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = NewManifest(dir.Combine("backup"));
            using var cts = new System.Threading.CancellationTokenSource();
            int files = 0;
            Assert.ThrowsAny<OperationCanceledException>(() => FileCopyBackup.Run(manifest, new FileCopyOptions
            {
                DataDir = data,
                Format = format,
                CancellationToken = cts.Token,
                Progress = p =>
                {
                    if (p.CurrentFile != null && ++files == 5)
                    {
                        cts.Cancel();
                    }
                },
            }));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Combine("backup")));
            Assert.Contains(manifest.Errors, e => e.ErrorId == "DoltBackup.Cancelled");
            Assert.All(manifest.Databases, d => Assert.Equal(ItemStatus.Failed, d.Status));
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataFileKind);
            foreach (var (_, lockPath) in DataDirLockSet.LockFilesOf(data))
            {
                using var l = DoltBackup.Locking.NomsLock.TryAcquire(lockPath);
                Assert.NotNull(l);
            }
        }

        [Fact]
        public void A_missing_noms_LOCK_is_created_empty_and_owner_only_like_Dolt_does()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string lockPath = Path.Combine(data, "inventory", ".dolt", "noms", "LOCK");
            File.Delete(lockPath);
            using (var set = DataDirLockSet.Acquire(data, TimeSpan.Zero, default))
            {
                Assert.Contains(lockPath, set.LockFiles);
                Assert.Equal(new[] { "inventory", "sales" }, set.Databases);
            }
            Assert.True(File.Exists(lockPath));
            Assert.Equal(0, new FileInfo(lockPath).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal("0600", DoltBackup.Common.OwnerOnlyFile.GetModeText(lockPath));
            }
        }

        [Fact]
        public void A_backup_folder_inside_the_data_dir_is_refused()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var e = Assert.Throws<FileCopyRefusedException>(() => FileCopyBackup.Run(NewManifest(Path.Combine(data, "backups")), new FileCopyOptions { DataDir = data }));
            Assert.Equal(FileCopyRefusal.InvalidDataDir, e.Reason);
            Assert.False(Directory.Exists(Path.Combine(data, "backups")));
        }

        [Fact]
        public void An_existing_copy_in_the_backup_folder_is_not_replaced_without_overwrite()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var first = NewManifest(dir.Combine("backup"));
            var result = FileCopyBackup.Run(first, new FileCopyOptions { DataDir = data });
            long size = new FileInfo(result.OutputPath).Length;
            var second = NewManifest(dir.Combine("backup"));
            var e = Assert.Throws<IOException>(() => FileCopyBackup.Run(second, new FileCopyOptions { DataDir = data }));
            Assert.DoesNotContain("-Force", e.Message); // Sync-DoltBackup has no -Force: the advice is a new set
            Assert.Contains("New-DoltBackup", e.Message);
            Assert.Equal(size, new FileInfo(result.OutputPath).Length);
            Assert.Contains(second.Errors, e => e.ErrorId == "DoltBackup.FileCopyFailed");
            Assert.DoesNotContain(second.Databases, d => d.Status == ItemStatus.Running);
            FileCopyBackup.Run(second, new FileCopyOptions { DataDir = data, Overwrite = true });
            Assert.Equal(BackupStatus.PartiallyCompleted, second.RefreshStatus()); // the earlier error stays on record
            Assert.All(second.Databases, d => Assert.Equal(ItemStatus.Completed, d.Status));
        }

        private static string Sha256Of(string path)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            using var fs = File.OpenRead(path);
            return Convert.ToHexString(sha.ComputeHash(fs)).ToLowerInvariant();
        }
    }
}
