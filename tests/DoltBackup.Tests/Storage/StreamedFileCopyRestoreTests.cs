using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Backup;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Encryption;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Storage
{
    /// <summary>
    /// Restore-DoltBackup -Path s3://|az:// of a FileCopy set (issue 12, "restore onto a bare new host"): only the small
    /// files come down; the archive (plain, gzip, encrypted) or each tree file is streamed from the object store,
    /// checked and unpacked in one pass into the restore's staging folder beside the target, and moved into place only
    /// when every check passed. A damaged byte, a wrong key, a missing object or a transfer cut halfway is refused with
    /// the target untouched and the staging folder removed. Against Azurite and s3rver, through the hosted engine.
    /// </summary>
    public class StreamedFileCopyRestoreTests
    {
        private static readonly CancellationToken None = CancellationToken.None;
        private const string Pass = "streamed restore pass phrase";

        internal sealed class Published
        {
            public string Url;
            public string SetUrl;
            public StorageContext Context;
            public BackupManifest Manifest;
            public string Expected;
            public X509Certificate2 Certificate;
        }

        /// <summary>Publishes a FileCopy set of the server fixture's data dir (with <paramref name="bigFile"/> random bytes more) to the emulator.</summary>
        internal static Published Publish(string driver, TempDir dir, FileCopyFormat format, string encryption, int bigFile = 0, StorageContext context = null)
        {
            var (url, defaultContext) = OffHostSetTests.Root(driver);
            context ??= defaultContext;
            string data = bigFile > 0 ? StreamedFileCopyUploadTests.DataDirWithBigFile(dir, bigFile) : CopyServerDataDir(dir);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            manifest.Id = "20260104T000000Z-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            manifest.Destination.BackupFolder = dir.Combine("staging", manifest.Id);
            X509Certificate2 certificate = null;
            if (encryption == "passphrase")
            {
                SetEncryption.Record(manifest, TestKeys.Passphrase(Pass), hasDoltStores: false);
            }
            else if (encryption == "certificate")
            {
                certificate = TestKeys.NewCertificate("streamed-restore");
                SetEncryption.Record(manifest, new EncryptionKeys(new[] { TestKeys.PublicOnly(certificate) }, null), hasDoltStores: false);
            }
            using (var root = BackupLocations.Open(url, defaultContext))
            using (var at = new StagedDestinationTests.PrefixedLocation(root, manifest.Id))
            {
                FileCopySync.SyncOffHost(manifest, new FileCopyOptions { DataDir = data, Format = format }, null, null, at, null, out var published);
                Assert.NotNull(published);
            }
            Assert.Equal(BackupStatus.Completed, manifest.Status);
            var archive = manifest.Artifacts.SingleOrDefault(a => a.Kind == FileCopyLayout.DataArchiveKind);
            if (manifest.Encryption != null && archive != null)
            {
                // As New-DoltBackup writes it: the archive records its ciphertext SHA-256 and plaintext size, no plaintext SHA-256.
                Assert.Null(archive.PlaintextSha256);
                Assert.All(archive.Parts ?? new List<ArchivePart>(), p => Assert.Null(p.PlaintextSha256));
            }
            string expected = dir.Combine("expected");
            TempDir.CopyTree(data, expected);
            Directory.Delete(dir.Combine("staging"), recursive: true); // a bare new host: nothing local
            Directory.Delete(data, recursive: true);
            return new Published { Url = url, SetUrl = url + "/" + manifest.Id, Context = context, Manifest = manifest, Expected = expected, Certificate = certificate };
        }

        internal static PowerShellResult Restore(PowerShellHost host, Published set, string target, string extra = "", string passphrase = Pass, X509Certificate2 certificate = null, StorageContext context = null)
        {
            FakeServers.Register(new FakeDoltEngine(), target);
            string key = set.Manifest.Encryption == null ? "" : set.Certificate != null ? " -DecryptionCertificate $args[4]" : " -Passphrase $args[3]";
            return host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -Confirm:$false -Verbose" + key + " " + extra,
                set.SetUrl, context ?? set.Context, target, TestKeys.Secure(passphrase), certificate ?? set.Certificate);
        }

        /// <summary>The folder the set's small files were fetched into (the verbose text names it).</summary>
        private static string FetchedFolder(PowerShellResult r)
        {
            var m = r.Verbose.Select(v => Regex.Match(v, @"Fetched the small files of .* into (\S+) \(")).FirstOrDefault(x => x.Success);
            return m?.Groups[1].Value;
        }

        /// <summary>Replaces the set's archive object with a copy whose byte at <paramref name="at"/>(length) is flipped.</summary>
        private static void FlipByte(Published set, Func<int, int> at)
        {
            var archive = set.Manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            using var root = BackupLocations.Open(set.Url, set.Context);
            string key = set.Manifest.Id + "/" + archive.StoredPath;
            byte[] bytes = BackupLocationContractTests.ReadAll(root, key);
            bytes[at(bytes.Length)] ^= 0x01;
            root.Put(key, new MemoryStream(bytes), None);
        }

        /// <summary>A target holding one file, as a data dir the restore must leave exactly as it was when it refuses.</summary>
        private static string OccupiedTarget(TempDir dir)
        {
            string target = dir.Combine("live", "data");
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "keep.txt"), "the live data dir");
            return target;
        }

        private static void AssertUntouched(string target)
        {
            Assert.Equal(new[] { "keep.txt" }, Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
            Assert.Equal("the live data dir", File.ReadAllText(Path.Combine(target, "keep.txt")));
            // No staging folder (.data.restore-*) and no replaced copy beside it.
            Assert.Equal(new[] { "data" }, Directory.GetFileSystemEntries(Path.GetDirectoryName(target)).Select(Path.GetFileName));
        }

        public static IEnumerable<object[]> Variants()
        {
            foreach (var driver in OffHostSetTests.Emulators().Select(e => (string)e[0]))
            {
                yield return new object[] { driver, FileCopyFormat.Tar, "none" };
                yield return new object[] { driver, FileCopyFormat.TarGzip, "none" };
                yield return new object[] { driver, FileCopyFormat.TarGzip, "certificate" };
                yield return new object[] { driver, FileCopyFormat.TarGzip, "passphrase" };
                yield return new object[] { driver, FileCopyFormat.Tree, "none" };
                yield return new object[] { driver, FileCopyFormat.Tree, "passphrase" };
            }
        }

        [Theory]
        [MemberData(nameof(Variants))]
        public void A_set_restores_from_its_url_streaming_its_data_without_a_temporary_copy(string driver, FileCopyFormat format, string encryption)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, format, encryption);
            using var host = new PowerShellHost();
            string target = dir.Combine("restored", "data");
            var r = Restore(host, set, target);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            AssertSameTree(set.Expected, target);
            Assert.Equal(new[] { "data" }, Directory.GetFileSystemEntries(dir.Combine("restored")).Select(Path.GetFileName));
            var group = Assert.Single(r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>());
            Assert.Equal(RestoreStatus.Restored, group.Status);
            Assert.Contains(r.Verbose, v => v.Contains("stays in the object store"));
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Downloading and unpacking ") && p.PercentComplete > 0);
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Downloading and unpacking ") && p.RecordType == System.Management.Automation.ProgressRecordType.Completed);
            string fetched = FetchedFolder(r);
            Assert.NotNull(fetched);
            Assert.False(Directory.Exists(fetched)); // removed when the cmdlet ended
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_damaged_byte_is_refused_with_the_target_untouched_and_the_staging_removed(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.Tar, "none", bigFile: 2 << 20);
            FlipByte(set, length => length - 4096); // inside the last file's data: same size, another SHA-256
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-Force");
            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.RestoreDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Contains("staging folder was removed", error.Exception.Message);
            AssertUntouched(target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_restore_stopped_by_its_error_still_deletes_the_folder_it_fetched_into(string driver)
        {
            // -ErrorAction Stop turns the refusal into a terminating error: EndProcessing never runs, yet the owner-only
            // folder holding the set's small files (grants, configuration, keys) must not stay behind.
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.Tar, "none", bigFile: 2 << 20);
            FlipByte(set, length => length - 4096);
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-Force -ErrorAction Stop");
            Assert.NotNull(r.Terminating);
            string fetched = FetchedFolder(r);
            Assert.NotNull(fetched);
            Assert.False(Directory.Exists(fetched), fetched + " was left behind");
            AssertUntouched(target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_damaged_byte_of_an_encrypted_archive_fails_its_authentication_and_nothing_moves(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.TarGzip, "passphrase", bigFile: 1 << 20);
            FlipByte(set, length => length / 2);
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-Force");
            Assert.NotEmpty(r.Errors);
            Assert.All(r.Errors, e => Assert.Matches("^DoltBackup\\.Artifact(DecryptionFailed|HashMismatch),", e.FullyQualifiedErrorId));
            AssertUntouched(target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_wrong_passphrase_or_certificate_is_refused_with_the_target_untouched(string driver)
        {
            using var dir = new TempDir();
            var byPass = Publish(driver, dir, FileCopyFormat.TarGzip, "passphrase");
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            PowerShellResult r;
            using (var watch = new StreamedFileCopyUploadTests.FolderWatch(dir.Combine("live")))
            {
                r = Restore(host, byPass, target, "-Force", passphrase: "not the pass phrase");
                watch.Settle();
                Assert.DoesNotContain(watch.Names, n => n.Contains(".restore-")); // refused before the first write: no staging folder at all
            }
            Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId == "DoltBackup.ArtifactDecryptionFailed,DoltBackup.Cmdlets.RestoreDoltBackupCommand" && e.Exception.Message.Contains("does not open"));
            Assert.DoesNotContain(r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>(), g => g.Status == RestoreStatus.Restored);
            AssertUntouched(target);

            using var other = new TempDir();
            var byCert = Publish(driver, other, FileCopyFormat.Tar, "certificate");
            string target2 = OccupiedTarget(other);
            var r2 = Restore(host, byCert, target2, "-Force", certificate: TestKeys.NewCertificate("someone-else"));
            Assert.Contains(r2.Errors, e => e.FullyQualifiedErrorId == "DoltBackup.ArtifactDecryptionFailed,DoltBackup.Cmdlets.RestoreDoltBackupCommand" && e.Exception.Message.Contains("does not open"));
            Assert.DoesNotContain(r2.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>(), g => g.Status == RestoreStatus.Restored);
            AssertUntouched(target2);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_missing_archive_object_is_refused_before_anything_is_written(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.TarGzip, "none");
            var archive = set.Manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            using (var root = BackupLocations.Open(set.Url, set.Context))
            {
                root.Delete(set.Manifest.Id + "/" + archive.StoredPath, None);
            }
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-Force");
            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageObjectMissing,DoltBackup.Cmdlets.RestoreDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Contains(archive.StoredPath, error.Exception.Message);
            AssertUntouched(target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_transfer_cut_halfway_is_refused_with_the_target_untouched_and_the_staging_removed(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.Tar, "none", bigFile: 12 << 20);
            using var relay = new CuttingRelay(driver == "azurite" ? ObjectStoreServers.AzuritePort : ObjectStoreServers.S3rverPort, path => path.Contains("datadir"), 3 << 20);
            var context = driver == "azurite" ? ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString(relay.Port)) : ObjectStoreServers.S3rverContext(endpoint: relay.Endpoint);
            string target = OccupiedTarget(dir);
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-Force", context: context);
            Assert.True(relay.Cuts > 0, "the relay cut the archive's download");
            Assert.NotEmpty(r.Errors);
            Assert.DoesNotContain(r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>(), g => g.Status == RestoreStatus.Restored);
            Assert.Contains(r.Errors, e => e.Exception.Message.Contains("datadir") || e.TargetObject?.ToString()?.Contains("datadir") == true);
            AssertUntouched(target);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void WhatIf_never_downloads_the_archive(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.TarGzip, "none");
            using var relay = new CuttingRelay(driver == "azurite" ? ObjectStoreServers.AzuritePort : ObjectStoreServers.S3rverPort, path => path.Contains("datadir"), long.MaxValue);
            var context = driver == "azurite" ? ObjectStoreServers.AzuriteContext(ObjectStoreServers.AzuriteConnectionString(relay.Port)) : ObjectStoreServers.S3rverContext(endpoint: relay.Endpoint);
            string target = dir.Combine("restored", "data");
            using var host = new PowerShellHost();
            var r = Restore(host, set, target, "-WhatIf", context: context);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.True(relay.Gets > 0, "the small files came through the relay");
            Assert.Equal(0, relay.ArchiveGets);
            Assert.False(Directory.Exists(target));
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Test_DoltBackup_RestoreTest_streams_the_archive_and_restore_tests_it(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.TarGzip, "passphrase");
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1] -RestoreTest -Passphrase $args[2] -Confirm:$false -Verbose",
                set.SetUrl, set.Context, TestKeys.Secure(Pass));
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            var results = r.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>().ToList();
            Assert.Contains(results, x => x.Level == DoltBackup.Verification.VerificationLevel.RestoreTest && x.Status == DoltBackup.Verification.VerificationStatus.Passed);
            Assert.DoesNotContain(results, x => x.Status == DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(r.Verbose, v => v.Contains("stays in the object store"));
            string fetched = FetchedFolder(r);
            Assert.NotNull(fetched); // else Directory.Exists(null) is false whatever was left
            Assert.False(Directory.Exists(fetched));

            // Piped from Get-DoltBackup: the same streamed restore test.
            var piped = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Test-DoltBackup -StorageContext $args[1] -RestoreTest -Passphrase $args[2] -Confirm:$false -Verbose",
                set.SetUrl, set.Context, TestKeys.Secure(Pass));
            Assert.True(piped.Errors.Count == 0 && piped.Terminating == null, piped.AllText());
            Assert.Contains(piped.Verbose, v => v.Contains("stays in the object store"));
            Assert.Contains(piped.Output.Select(o => o.BaseObject).OfType<DoltBackup.Verification.VerificationResult>(),
                x => x.Level == DoltBackup.Verification.VerificationLevel.RestoreTest && x.Status == DoltBackup.Verification.VerificationStatus.Passed);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_manifest_piped_from_Get_DoltBackup_restores_by_streaming_too(string driver)
        {
            using var dir = new TempDir();
            var set = Publish(driver, dir, FileCopyFormat.TarGzip, "none");
            string target = dir.Combine("restored", "data");
            FakeServers.Register(new FakeDoltEngine(), target);
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] -StorageContext $args[1] | Restore-DoltBackup -StorageContext $args[1] -DataDir $args[2] -Confirm:$false -Verbose", set.SetUrl, set.Context, target);
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.Contains(r.Verbose, v => v.Contains("stays in the object store"));
            AssertSameTree(set.Expected, target);
        }

        /// <summary>
        /// A TCP relay on 127.0.0.1 in front of an emulator: passes every byte as it is (signatures stay valid), counts
        /// the GET requests, and closes the connection after <c>cutAfter</c> bytes of the answer to a GET whose path
        /// matches (a transfer cut halfway); after that first cut the connection stays down: the answer to every later
        /// matching GET (the Azure SDK resumes a cut download with a ranged GET) is cut before its first byte.
        /// </summary>
        internal sealed class CuttingRelay : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly int _target;
            private readonly Func<string, bool> _matches;
            private readonly long _cutAfter;
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            private int _cuts;
            private int _gets;
            private int _archiveGets;

            public CuttingRelay(int targetPort, Func<string, bool> matches, long cutAfter)
            {
                _target = targetPort;
                _matches = matches;
                _cutAfter = cutAfter;
                _listener.Start();
                Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
                Task.Run(Accept);
            }

            public int Port { get; }
            public string Endpoint => $"http://127.0.0.1:{Port}";
            public int Cuts => Volatile.Read(ref _cuts);
            public int Gets => Volatile.Read(ref _gets);
            public int ArchiveGets => Volatile.Read(ref _archiveGets);

            public void Dispose()
            {
                _stop.Cancel();
                _listener.Stop();
            }

            private async Task Accept()
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        return;
                    }
                    _ = Task.Run(() => Relay(client));
                }
            }

            private async Task Relay(TcpClient client)
            {
                using (client)
                using (var server = new TcpClient())
                {
                    try
                    {
                        await server.ConnectAsync(IPAddress.Loopback, _target).ConfigureAwait(false);
                        var fromClient = client.GetStream();
                        var toServer = server.GetStream();
                        long armed = 0; // 1 after a matching GET: its answer is counted and cut
                        var up = Task.Run(async () =>
                        {
                            var buffer = new byte[65536];
                            int n;
                            while ((n = await fromClient.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
                            {
                                foreach (Match m in Regex.Matches(Encoding.ASCII.GetString(buffer, 0, n), @"(?m)^GET (\S+) HTTP/1\.1"))
                                {
                                    Interlocked.Increment(ref _gets);
                                    if (_matches(m.Groups[1].Value))
                                    {
                                        Interlocked.Increment(ref _archiveGets);
                                        Interlocked.Exchange(ref armed, 1);
                                    }
                                }
                                await toServer.WriteAsync(buffer, 0, n).ConfigureAwait(false);
                            }
                        });
                        var down = new byte[65536];
                        long counted = 0;
                        int read;
                        while ((read = await toServer.ReadAsync(down, 0, down.Length).ConfigureAwait(false)) > 0)
                        {
                            if (Interlocked.Read(ref armed) == 1)
                            {
                                long limit = Volatile.Read(ref _cuts) > 0 ? 0 : _cutAfter;
                                if (counted + read > limit)
                                {
                                    await fromClient.WriteAsync(down, 0, (int)(limit - counted)).ConfigureAwait(false);
                                    Interlocked.Increment(ref _cuts);
                                    client.Client.LingerState = new LingerOption(true, 0); // a reset, as a dropped connection
                                    return;
                                }
                                counted += read;
                            }
                            await fromClient.WriteAsync(down, 0, read).ConfigureAwait(false);
                        }
                        await up.ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // A side closed: the relay ends with it.
                    }
                }
            }
        }
    }

    /// <summary>
    /// The streamed restore's bounds (issue 12): a 200 MB archive streamed from a location and unpacked allocates far
    /// less than its size, and no temporary copy of the archive is written anywhere (the temp folder and the target's
    /// parent watched while it runs). Alone: the allocation count and the temp folder are the process's.
    /// </summary>
    [Collection("StreamedUploadMemory")]
    public class StreamedRestoreBoundsTests
    {
        [Fact]
        public void A_200_MB_archive_is_streamed_checked_and_unpacked_with_bounded_managed_memory_and_no_temporary_copy()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            string db = Directory.GetDirectories(data).Select(Path.GetFileName).First(n => !n.StartsWith("."));
            const long big = 200L << 20;
            using (var f = File.Create(Path.Combine(data, db, "big.bin")))
            {
                f.SetLength(big); // sparse: read as zeros
            }
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(dir.Combine("staging", "set"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.Tar, UploadTo = store, UploadSetKey = "m" });
            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Size > big);
            File.Delete(Path.Combine(data, db, "big.bin"));

            string target = dir.Combine("restored", "data");
            Directory.CreateDirectory(dir.Combine("restored"));
            var source = new StreamedDownload(new RemoteSetFiles(store, "m", CancellationToken.None), archive.Size, null);
            FileCopyRestoreResult result;
            long allocated;
            using (var watchTarget = new StreamedFileCopyUploadTests.FolderWatch(dir.Combine("restored")))
            {
                GC.Collect();
                long before = GC.GetTotalAllocatedBytes(precise: true);
                result = FileCopyRestore.Restore(manifest, new FileCopyRestoreOptions { TargetDataDir = target, Source = source });
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                watchTarget.Settle();
                Assert.Contains(watchTarget.Names, n => n.Contains("big.bin")); // unpacked in the staging folder beside the target
                Assert.DoesNotContain(watchTarget.Names, n => n.Contains("datadir"));
            }
            Assert.Equal(archive.Size, source.BytesDownloaded); // read once
            Assert.True(allocated < 64L << 20, $"{allocated >> 20} MiB allocated to restore a {archive.Size >> 20} MiB archive");
            Assert.Equal(big, new FileInfo(Path.Combine(target, db, "big.bin")).Length);
            Assert.Equal(new[] { "data" }, Directory.GetFileSystemEntries(dir.Combine("restored")).Select(Path.GetFileName));
            Assert.True(result.Files > 0);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void Restore_DoltBackup_from_a_url_writes_no_copy_of_the_archive_in_the_temporary_folder(string driver)
        {
            using var dir = new TempDir();
            var set = StreamedFileCopyRestoreTests.Publish(driver, dir, FileCopyFormat.TarGzip, "none", bigFile: 4 << 20);
            string temp = dir.Combine("tmp");
            string target = dir.Combine("restored", "data");
            Directory.CreateDirectory(dir.Combine("restored"));
            string previous = Environment.GetEnvironmentVariable("TMPDIR");
            PowerShellResult r;
            StreamedFileCopyUploadTests.FolderWatch watchTemp = null, watchTarget = null;
            try
            {
                watchTemp = new StreamedFileCopyUploadTests.FolderWatch(temp);
                watchTarget = new StreamedFileCopyUploadTests.FolderWatch(dir.Combine("restored"));
                Environment.SetEnvironmentVariable("TMPDIR", temp); // this collection runs alone: the set is fetched under it
                using var host = new PowerShellHost();
                r = StreamedFileCopyRestoreTests.Restore(host, set, target);
                watchTemp.Settle();
                watchTarget.Settle();
            }
            finally
            {
                Environment.SetEnvironmentVariable("TMPDIR", previous);
                watchTemp?.Dispose();
                watchTarget?.Dispose();
            }
            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.AllText());
            Assert.Contains(watchTemp.Names, n => n.StartsWith("doltbackup-set-")); // the small files came down there
            Assert.DoesNotContain(watchTemp.Names, n => n.Contains("datadir"));
            Assert.DoesNotContain(watchTarget.Names, n => n.Contains("datadir"));
            AssertSameTree(set.Expected, target);
        }
    }
}

namespace DoltBackup.Tests.Storage
{
    /// <summary>The check of tests/pester/Storage.Tests.ps1 "Restore-DoltBackup of an object-store set", with the same cmdlet calls.</summary>
    public class StreamedFileCopyRestoreMirrorTests
    {
        [Fact]
        public void An_unreachable_object_store_leaves_an_occupied_target_untouched_with_no_staging_folder()
        {
            using var dir = new TempDir();
            string target = dir.Combine("streamed-restore-down", "data");
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, "keep.txt"), "the live data dir");
            using var host = new PowerShellHost();
            var r = host.Run(@"
                $key = [securestring]::new(); foreach ($ch in 'Sup3rSecretKeyValue-xyz'.ToCharArray()) { $key.AppendChar($ch) }
                $cred = [pscredential]::new('AKIAEXAMPLE', $key)
                $ctx = New-DoltBackupStorageContext -S3EndpointUrl 'http://127.0.0.1:1' -S3Region 'us-east-1' -S3Credential $cred
                Restore-DoltBackup -Path 's3://bucket-x/prod/20260101T000000Z-n' -StorageContext $ctx -DataDir $args[0] -Force -Confirm:$false", target);
            Assert.Null(r.Terminating);
            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.StorageEndpointUnreachable,DoltBackup.Cmdlets.RestoreDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Equal(new[] { "data" }, Directory.GetFileSystemEntries(dir.Combine("streamed-restore-down")).Select(Path.GetFileName));
            Assert.Equal(new[] { "keep.txt" }, Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
            Assert.Equal("the live data dir", File.ReadAllText(Path.Combine(target, "keep.txt")));
            Assert.DoesNotContain("Sup3rSecretKeyValue-xyz", r.AllText() + error.Exception.Message);
        }
    }
}

namespace DoltBackup.Tests.Storage
{
    /// <summary>A download cut midway names the object and what to do, never a secret the driver's error carried.</summary>
    public class StreamedDownloadErrorTests
    {
        private sealed class BreakingSource : DoltBackup.Verification.SetFileSource
        {
            public override string Display(string storedPath) => "s3://bucket/set/" + storedPath;
            public override long? SizeOf(string storedPath) => 10;
            public override Stream Open(string storedPath, CancellationToken cancellationToken) => new Breaking();

            private sealed class Breaking : MemoryStream
            {
                public override int Read(byte[] buffer, int offset, int count)
                    => throw new IOException("connection reset at https://a.blob.core.windows.net/c/x?sv=1&sig=Abc123SasSig%3D with key S3secretPasswordValue");
            }
        }

        [Fact]
        public void A_read_that_fails_midway_is_StorageReadFailed_with_the_context_secrets_and_any_signature_scrubbed()
        {
            var context = new StorageContext { S3Credential = new System.Management.Automation.PSCredential("AKIAEXAMPLE", TestKeys.Secure("S3secretPasswordValue")) };
            var download = new StreamedDownload(new BreakingSource(), 10, null, context);
            using var stream = download.Open("data.tar", CancellationToken.None);
            var e = Assert.Throws<StorageException>(() => stream.Read(new byte[4], 0, 4));
            Assert.Equal("StorageReadFailed", e.ErrorId);
            Assert.Contains("s3://bucket/set/data.tar", e.Message);
            Assert.Contains("connection reset", e.Message);
            Assert.DoesNotContain("S3secretPasswordValue", e.ToString());
            Assert.DoesNotContain("Abc123SasSig", e.ToString());
        }
    }
}
