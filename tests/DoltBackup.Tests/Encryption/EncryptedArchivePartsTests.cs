using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Threading;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Storage;
using DoltBackup.Verification;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// An encrypted FileCopy archive larger than one segment (one AES-GCM message holds at most 64 GiB) is stored as
    /// several standalone CMS files, datadir.tar.gz.part0001.p7m..., each with its own key and nonce; the manifest
    /// records them in order. Segments of 1 MiB stand for 32 GiB here (a test-only override by data dir).
    /// </summary>
    public class EncryptedArchivePartsTests
    {
        internal const long Segment = 1 << 20;

        /// <summary>
        /// A copy of the server fixture's data dir plus 3 MiB of random bytes (gzip cannot shrink them): 4 parts of
        /// <see cref="Segment"/> bytes while the <see cref="ArchiveSegmentOverride"/> the caller holds for it lasts.
        /// </summary>
        internal static string DataDir(TempDir dir)
        {
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), dir.Combine("data"));
            var random = new byte[3 << 20];
            new Random(13).NextBytes(random);
            File.WriteAllBytes(dir.Combine("data", "big.bin"), random);
            return dir.Combine("data");
        }

        private static BackupManifest MakeSet(PowerShellHost shell, string data, string backups, X509Certificate2 cert, string name)
        {
            var made = shell.Run("New-DoltBackup -Method FileCopy -DataDir $args[0] -Path $args[1] -Name $args[2] -EncryptionCertificate $args[3] | Sync-DoltBackup -SkipConfiguration -Format TarGzip",
                data, backups, name, TestKeys.PublicOnly(cert));
            Assert.True(made.Errors.Count == 0 && made.Terminating == null, made.AllText());
            return (BackupManifest)made.Output.Single().BaseObject;
        }

        private static List<VerificationResult> Results(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();

        private static string Failures(IEnumerable<VerificationResult> results)
            => string.Join("\n", results.Where(x => x.Status == VerificationStatus.Failed).Select(x => x.Target + " " + x.Check + ": " + x.Message));

        [Fact]
        public void A_tests_segment_size_override_ends_with_its_scope()
        {
            using var dir = new TempDir();
            string data = Path.GetFullPath(dir.Combine("data"));
            using (new ArchiveSegmentOverride(data, Segment))
            {
                Assert.Equal(Segment, FileCopyOptions.SegmentBytesOverride(data));
                Assert.Throws<InvalidOperationException>(() => new ArchiveSegmentOverride(data, 2 * Segment));
            }
            Assert.Null(FileCopyOptions.SegmentBytesOverride(data));
            Assert.False(FileCopyOptions.SegmentBytesForTests.ContainsKey(data));
        }

        [Fact]
        public void A_large_encrypted_archive_is_stored_in_ordered_parts_that_Test_Restore_and_RestoreTest_read_across_their_boundaries()
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var m = MakeSet(shell, data, dir.Combine("backups"), cert, "parts");

            var archive = m.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal("datadir.tar.gz.p7m", archive.StoredPath);
            Assert.True(archive.Encrypted);
            Assert.True(archive.Parts.Count >= 3, archive.Parts.Count.ToString());
            Assert.False(File.Exists(Path.Combine(m.BackupFolder, "datadir.tar.gz.p7m")));
            Assert.Empty(Directory.GetFiles(m.BackupFolder, "*.partial"));
            for (int i = 0; i < archive.Parts.Count; i++)
            {
                var p = archive.Parts[i];
                Assert.Equal(i + 1, p.Index);
                Assert.Equal($"datadir.tar.gz.part{i + 1:D4}.p7m", p.StoredPath);
                string file = Path.Combine(m.BackupFolder, p.StoredPath);
                Assert.Equal(p.Sha256, EncryptedSetCmdletTests.Sha256(file));
                Assert.Equal(p.Size, new FileInfo(file).Length);
                Assert.Equal(i < archive.Parts.Count - 1 ? Segment : archive.PlaintextSize - Segment * (archive.Parts.Count - 1), p.PlaintextSize);
            }
            Assert.Equal(archive.Parts.Sum(p => p.Size), archive.Size);
            Assert.Null(archive.Sha256);
            // The plaintext SHA-256 (the archive's and each part's) only with HashArchive, as for an unencrypted archive.
            Assert.Null(archive.PlaintextSha256);
            Assert.All(archive.Parts, p => Assert.Null(p.PlaintextSha256));
            // The parts survive the manifest's round trip through manifest.json.
            var read = ManifestStore.Read(m.BackupFolder).Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal(archive.Parts.Select(p => p.StoredPath + p.Sha256 + p.PlaintextSha256), read.Parts.Select(p => p.StoredPath + p.Sha256 + p.PlaintextSha256));

            // Without the key: every part's stored bytes, each its own result.
            var noKey = Results(shell.Run("Test-DoltBackup -Path $args[0]", m.BackupFolder));
            Assert.True(Failures(noKey).Length == 0, Failures(noKey));
            foreach (var p in archive.Parts)
            {
                Assert.Contains(noKey, x => x.Target == p.StoredPath && x.Check == "Artifact.Sha256" && x.Status == VerificationStatus.Passed);
            }
            // With the key, -Deep: decrypted part after part, the files and Dolt stores checked across the boundaries.
            var withKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1] -Deep", m.BackupFolder, cert));
            Assert.True(Failures(withKey).Length == 0, Failures(withKey));
            Assert.Contains(withKey, x => x.Check == "Artifact.Parts" && x.Status == VerificationStatus.Passed);
            Assert.Contains(withKey, x => x.Target == "datadir.tar.gz.p7m:big.bin" && x.Check == "Artifact.Sha256" && x.Status == VerificationStatus.Passed);
            Assert.Contains(withKey, x => x.Level == VerificationLevel.Deep && x.Status == VerificationStatus.Passed);

            var restoreTest = shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1] -RestoreTest -Confirm:$false", m.BackupFolder, cert);
            Assert.True(restoreTest.Errors.Count == 0, restoreTest.AllText());
            Assert.True(Failures(Results(restoreTest)).Length == 0, Failures(Results(restoreTest)));
            Assert.Contains(Results(restoreTest), x => x.Status == VerificationStatus.Passed);

            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
            Assert.True(restore.Errors.Count == 0, restore.AllText());
            AssertSameTree(data, target);

            // Remove-DoltBackup takes every part with the set.
            // (The newest set of a name is always kept: a newer one first, in a later second so that its label differs.)
            System.Threading.Thread.Sleep(1100);
            MakeSet(shell, data, dir.Combine("backups"), cert, "parts");
            var removed = shell.Run("Get-DoltBackup $args[0] | Where-Object Id -eq $args[1] | Remove-DoltBackup -Force", Path.GetDirectoryName(m.BackupFolder), m.Id);
            Assert.True(removed.Errors.Count == 0, removed.AllText());
            Assert.False(Directory.Exists(m.BackupFolder), removed.AllText());
        }

        [OpenSslFact]
        public void The_documented_openssl_loop_opens_the_parts_without_DoltBackup()
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, keyPem) = TestKeys.WritePem(cert, dir.Path);
            using var shell = new PowerShellHost();
            var m = MakeSet(shell, data, dir.Combine("backups"), cert, "openssl");
            var archive = m.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Parts.Count >= 3);
            string openssl = ExternalTools.OpenSsl ?? "openssl";
            string output = dir.Combine("out");
            Directory.CreateDirectory(output);

            // Exactly the loop of README.md and docs/encryption.md (the parts sort in order by name).
            string loop = $"for f in datadir.tar.gz.part*.p7m; do \"$OPENSSL\" cms -decrypt -binary -inform DER -in \"$f\" -recip '{certPem}' -inkey '{keyPem}' || exit 1; done";
            var x = Bash(m.BackupFolder, loop + $" | tar -xz -C '{output}'", openssl);
            Assert.True(x.ExitCode == 0, x.Output);
            AssertSameTree(data, output);
            // The concatenated plaintext is the archive the manifest describes.
            x = Bash(m.BackupFolder, loop + " | wc -c", openssl);
            Assert.True(x.ExitCode == 0, x.Output);
            Assert.Equal(archive.PlaintextSize.ToString(), x.Output.Trim());
        }

        private static (int ExitCode, string Output) Bash(string workingDir, string script, string openssl)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("bash", new[] { "-c", "set -o pipefail; " + script })
            {
                WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            psi.Environment["OPENSSL"] = openssl;
            using var p = System.Diagnostics.Process.Start(psi);
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }

        public static IEnumerable<object[]> Damages() => new[] { "missing", "truncated", "swapped", "extra", "other-set", "reordered-manifest" }.Select(d => new object[] { d });

        [Theory]
        [MemberData(nameof(Damages))]
        public void A_missing_truncated_swapped_extra_or_foreign_part_is_refused_naming_the_part_and_nothing_is_restored(string damage)
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var m = MakeSet(shell, data, dir.Combine("backups"), cert, "a");
            var parts = m.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts;
            string Part(int i) => Path.Combine(m.BackupFolder, $"datadir.tar.gz.part{i:D4}.p7m");
            string named;
            switch (damage)
            {
                case "missing":
                    File.Delete(Part(2));
                    named = "part0002";
                    break;
                case "truncated":
                    byte[] whole = File.ReadAllBytes(Part(3));
                    File.WriteAllBytes(Part(3), whole.Take(whole.Length - 100).ToArray());
                    named = "part0003";
                    break;
                case "swapped":
                    File.Move(Part(1), Part(1) + ".x");
                    File.Move(Part(2), Part(1));
                    File.Move(Part(1) + ".x", Part(2));
                    named = "part0001";
                    break;
                case "extra":
                    File.Copy(Part(parts.Count), Part(parts.Count + 1));
                    named = $"part{parts.Count + 1:D4}";
                    break;
                case "other-set":
                    // The same data, the same certificate: its part 2 decrypts, but is not this set's.
                    var other = MakeSet(shell, data, dir.Combine("backups"), cert, "b");
                    File.Copy(Path.Combine(other.BackupFolder, "datadir.tar.gz.part0002.p7m"), Part(2), overwrite: true);
                    named = "part0002";
                    break;
                default:
                    string path = Path.Combine(m.BackupFolder, BackupManifest.FileName);
                    var json = JsonNode.Parse(File.ReadAllText(path));
                    var archive = json["artifacts"].AsArray().Single(a => (string)a["kind"] == "DataArchive");
                    var list = archive["parts"].AsArray();
                    var first = list[0].DeepClone();
                    list[0] = list[1].DeepClone();
                    list[1] = first;
                    File.WriteAllText(path, json.ToJsonString());
                    named = "out of order";
                    break;
            }

            // Refused before any dolt command is needed (tests/pester/Encryption.Tests.ps1 runs its missing-part restore
            // without dolt): no fake engine, and -DoltPath names a binary that does not exist.
            string target = dir.Combine("restored");
            var restore = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -DoltPath $args[3] -Confirm:$false",
                m.BackupFolder, target, cert, dir.Combine("no-dolt", "dolt"));
            Assert.NotEmpty(restore.Errors);
            Assert.Null(restore.Terminating);
            Assert.Contains(restore.Errors, e => e.Exception.Message.Contains(named));
            Assert.DoesNotContain(restore.Errors, e => e.Exception.Message.Contains("no-dolt"));
            Assert.False(Directory.Exists(target));
            Assert.Empty(Directory.GetDirectories(dir.Path, ".restored.restore-*"));

            var withKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1] -Deep", m.BackupFolder, cert));
            Assert.Contains(withKey, x => x.Status == VerificationStatus.Failed && (x.Target + x.Message).Contains(named));
            var noKey = Results(shell.Run("Test-DoltBackup -Path $args[0]", m.BackupFolder));
            Assert.Contains(noKey, x => x.Status == VerificationStatus.Failed && (x.Target + x.Message).Contains(named));

            var restoreTest = shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1] -RestoreTest -Confirm:$false", m.BackupFolder, cert);
            Assert.Contains(Results(restoreTest), x => x.Status == VerificationStatus.Failed && x.Message.Contains(named));
        }

        [Fact]
        public void A_cut_upload_of_a_later_part_leaves_none_of_the_parts_in_the_object_store()
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var store = new MemoryBackupLocation();
            var puts = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var cutting = new StreamedFileCopyUploadTests.CuttingLocation(store, key => { puts.Enqueue(key); return key.EndsWith("part0003.p7m", StringComparison.Ordinal); }, 1000);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("cut parts"), hasDoltStores: false);

            var e = Assert.ThrowsAny<Exception>(() => FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, UploadTo = cutting, UploadSetKey = "s" }));

            Assert.Contains("The source was cut (test).", e.ToString()); // the cut, not another failure
            Assert.Contains("s/datadir.tar.gz.part0001.p7m", puts); // parts 1 and 2 had gone up, and were taken back
            Assert.Contains("s/datadir.tar.gz.part0002.p7m", puts);
            Assert.Empty(store.List("s/", CancellationToken.None));
            Assert.DoesNotContain(manifest.Artifacts, a => a.Kind == FileCopyLayout.DataArchiveKind);
        }

        [Fact]
        public void Off_the_host_every_part_is_stored_before_manifest_json_and_a_failing_service_is_reported_as_such()
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var store = new MemoryBackupLocation();
            var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var recording = new StreamedFileCopyUploadTests.CuttingLocation(store, key => { order.Enqueue(key); return false; }, 0);
            var manifest = NewManifest(dir.Combine("staging", "set"));
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("ordered parts"), hasDoltStores: false);
            DoltBackup.Backup.FileCopySync.SyncOffHost(manifest, new FileCopyOptions { DataDir = data }, null, null, recording, null, out var published);
            Assert.NotNull(published);
            var parts = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind).Parts;
            Assert.True(parts.Count >= 3);
            var puts = order.ToList();
            Assert.Equal(parts.Select(p => p.StoredPath), puts.Where(k => k.Contains(".part")));
            Assert.All(parts, p => Assert.True(puts.IndexOf(p.StoredPath) < puts.IndexOf(BackupManifest.FileName), string.Join(",", puts)));

            // A service that refuses part 2: its own error, and part 1 taken back.
            var refusing = new MemoryBackupLocation
            {
                FailPut = key => key.Contains("part0002") ? new StorageException("StorageAccessDenied", System.Management.Automation.ErrorCategory.PermissionDenied, key, "Access denied to '" + key + "' (test).", "Grant write access.") : null,
            };
            var next = NewManifest(dir.Combine("staging", "next"));
            global::DoltBackup.Encryption.SetEncryption.Record(next, TestKeys.Passphrase("ordered parts"), hasDoltStores: false);
            var e = Assert.Throws<StorageException>(() => FileCopyBackup.Run(next, new FileCopyOptions { DataDir = data, UploadTo = refusing, UploadSetKey = "x" }));
            Assert.Equal("StorageAccessDenied", e.ErrorId);
            Assert.Empty(refusing.List("x/", CancellationToken.None));
        }

        [Fact]
        public void Memory_stays_flat_one_part_is_open_at_a_time_while_many_parts_are_written_and_read()
        {
            // 48 MiB through 1 MiB parts and back. Each part is one bounded CMS pipeline (about 12 MiB whatever its size,
            // see the encryption benchmarks); the writer and the reader hold one part at a time and close it before the
            // next, so nothing they hold grows with the archive.
            var keys = TestKeys.Passphrase("flat");
            var stored = new Dictionary<string, byte[]>();
            var target = new MemoryParts(stored);
            const int Total = 48 << 20;
            var chunk = new byte[1 << 20];
            new Random(3).NextBytes(chunk);
            List<ArchivePart> parts;
            using (var writer = ArchiveParts.StartWriting("a.tar.p7m", Segment, keys, target, hashPlaintext: true))
            {
                for (int done = 0; done < Total; done += chunk.Length)
                {
                    writer.Write(chunk, 0, chunk.Length);
                }
                parts = writer.Complete().Parts;
            }
            Assert.Equal(48, parts.Count);
            Assert.Equal(1, target.MostOpen);
            Assert.Equal(0, target.Open);

            var archive = new BackupArtifact { Kind = FileCopyLayout.DataArchiveKind, StoredPath = "a.tar.p7m", Encrypted = true, Parts = parts };
            int open = 0, mostOpen = 0, opened = 0;
            using (var plain = ArchiveParts.OpenPlaintext(archive, name =>
            {
                opened++;
                mostOpen = Math.Max(mostOpen, ++open);
                return new DisposeCounting(stored[name], () => open--);
            }, keys))
            {
                var buffer = new byte[1 << 20];
                long read = 0;
                int n;
                while ((n = plain.Read(buffer, 0, buffer.Length)) > 0)
                {
                    Assert.Equal(chunk[(int)(read % chunk.Length)], buffer[0]);
                    read += n;
                }
                Assert.Equal(Total, read);
            }
            Assert.Equal(48, opened);
            Assert.Equal(1, mostOpen);
            Assert.Equal(0, open);
        }

        private sealed class DisposeCounting : MemoryStream
        {
            private Action _disposed;

            public DisposeCounting(byte[] bytes, Action disposed) : base(bytes, writable: false) => _disposed = disposed;

            protected override void Dispose(bool disposing)
            {
                _disposed?.Invoke();
                _disposed = null;
                base.Dispose(disposing);
            }
        }

        /// <summary>Parts kept in memory by name, counting the parts open at once.</summary>
        private sealed class MemoryParts : ArchiveParts.IPartTarget
        {
            private readonly Dictionary<string, byte[]> _stored;
            private MemoryStream _current;

            public MemoryParts(Dictionary<string, byte[]> stored) => _stored = stored;

            public int Open { get; private set; }

            public int MostOpen { get; private set; }

            Stream ArchiveParts.IPartTarget.Open(string storedName)
            {
                MostOpen = Math.Max(MostOpen, ++Open);
                return _current = new MemoryStream();
            }

            public StoredObject Complete(string storedName, Stream output)
            {
                _stored[storedName] = _current.ToArray();
                _current = null;
                Open--;
                return null;
            }

            public void Abandon(string storedName, Stream output)
            {
                _current = null;
                Open--;
            }
        }

        [Fact]
        public void Parts_stream_into_the_object_store_each_its_own_object_and_read_back_in_order()
        {
            using var dir = new TempDir();
            string data = DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, Segment);
            var store = new MemoryBackupLocation();
            var manifest = NewManifest(dir.Combine("staging", "set"));
            var keys = TestKeys.Passphrase("streamed parts");
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, keys, hasDoltStores: false);
            // A longer archive of an earlier run under the same name: replaced whole with -Force.
            store.Put("s/datadir.tar.gz.part0009.p7m", new MemoryStream(new byte[] { 1 }), CancellationToken.None);

            var result = FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, UploadTo = store, UploadSetKey = "s", Overwrite = true });

            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            var keysStored = store.List("s/", CancellationToken.None).Select(o => o.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.Equal(archive.Parts.Select(p => "s/" + p.StoredPath), keysStored);
            Assert.Equal("memory://test/s/datadir.tar.gz.part0001.p7m", result.OutputPath);
            Assert.False(Directory.Exists(dir.Combine("staging", "set")) && Directory.GetFiles(dir.Combine("staging", "set")).Length > 0);
            using var plain = ArchiveParts.OpenPlaintext(archive, name => store.OpenRead("s/" + name, CancellationToken.None), keys);
            using var whole = new MemoryStream();
            plain.CopyTo(whole);
            Assert.Null(archive.PlaintextSha256);
            Assert.Equal(archive.PlaintextSize, whole.Length);
            Assert.Equal(archive.Parts.Sum(p => p.PlaintextSize), whole.Length);
            StreamedFileCopyUploadTests.AssertArchiveHolds(whole.ToArray(), gzip: true, data, dir);
        }

        [Fact]
        public void An_archive_that_fits_one_segment_keeps_its_single_name()
        {
            using var dir = new TempDir();
            string data = CopyServerDataDir(dir);
            var manifest = NewManifest(dir.Combine("backup"));
            global::DoltBackup.Encryption.SetEncryption.Record(manifest, TestKeys.Passphrase("one part"), hasDoltStores: false);
            // Left by an earlier, larger archive of the name (replaced with -Force): removed with it.
            Directory.CreateDirectory(dir.Combine("backup"));
            File.WriteAllBytes(dir.Combine("backup", "datadir.tar.gz.part0001.p7m"), new byte[] { 1 });
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, SegmentBytes = 64L << 20, Overwrite = true });
            Assert.False(File.Exists(dir.Combine("backup", "datadir.tar.gz.part0001.p7m")));
            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal("datadir.tar.gz.p7m", archive.StoredPath);
            Assert.Null(archive.Parts);
            Assert.True(File.Exists(dir.Combine("backup", "datadir.tar.gz.p7m")));
            Assert.DoesNotContain("\"parts\"", File.Exists(dir.Combine("backup", "manifest.json")) ? File.ReadAllText(dir.Combine("backup", "manifest.json")) : "");
        }
    }

    /// <summary>The same sets streamed straight to Azurite and s3rver, each part its own object.</summary>
    public class EncryptedArchivePartsEmulatorTests
    {
        /// <summary>Test-DoltBackup -Deep with the key reads the set at <paramref name="setUrl"/>: nothing fails and its parts pass.</summary>
        private static void AssertPassesDeepWithKey(PowerShellHost host, string setUrl, StorageContext context, X509Certificate2 cert)
        {
            var withKey = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1] -DecryptionCertificate $args[2] -Deep", setUrl, context, cert);
            var results = withKey.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();
            Assert.True(!results.Any(r => r.Status == VerificationStatus.Failed), withKey.AllText());
            Assert.Contains(results, r => r.Check == "Artifact.Parts" && r.Status == VerificationStatus.Passed);
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void An_archive_in_parts_streams_to_the_object_store_and_Test_and_Restore_read_it_from_the_url(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            string data = EncryptedArchivePartsTests.DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment);
            var cert = TestKeys.NewCertificate("ops");
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name parts -DataDir $args[0] -Destination $args[1] -StagingPath $args[2] -StorageContext $args[3] -EncryptionCertificate $args[4] | Sync-DoltBackup -SkipConfiguration",
                data, url, dir.Combine("staging"), context, TestKeys.PublicOnly(cert));
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            var local = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, local.Status);
            var archive = local.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Parts.Count >= 3);
            using (var location = BackupLocations.Open(url, context))
            {
                var keys = location.List(local.Id + "/", CancellationToken.None).ToDictionary(o => o.Key, o => o.Size);
                foreach (var p in archive.Parts)
                {
                    Assert.Equal(p.Size, keys[local.Id + "/" + p.StoredPath]);
                }
                Assert.DoesNotContain(local.Id + "/datadir.tar.gz.p7m", keys.Keys);
                Assert.Contains(local.Id + "/manifest.json", keys.Keys);
            }
            string setUrl = url + "/" + local.Id;
            var noKey = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", setUrl, context);
            var noKeyResults = noKey.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();
            Assert.DoesNotContain(noKeyResults, r => r.Status == VerificationStatus.Failed);
            Assert.Contains(noKeyResults, r => r.Target == archive.Parts[1].StoredPath && r.Check == "Artifact.Sha256" && r.Status == VerificationStatus.Passed);
            AssertPassesDeepWithKey(host, setUrl, context, cert);

            string expected = dir.Combine("expected");
            TempDir.CopyTree(data, expected);
            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -DecryptionCertificate $args[3] -Confirm:$false -Verbose", setUrl, context, target, cert);
            Assert.True(restore.Errors.Count == 0, restore.AllText());
            AssertSameTree(expected, target);
            // The parts are streamed from the object store, never downloaded first: only the small files came down.
            long partBytes = archive.Parts.Sum(p => p.Size);
            Assert.Contains(restore.Verbose, v => v.Contains($"the FileCopy data ({partBytes} bytes) stays in the object store"));
        }

        [Theory]
        [MemberData(nameof(OffHostSetTests.Emulators), MemberType = typeof(OffHostSetTests))]
        public void A_local_set_in_parts_copied_with_CopyTo_is_checked_from_the_url_and_a_missing_part_is_named(string driver)
        {
            var (url, context) = OffHostSetTests.Root(driver);
            using var dir = new TempDir();
            string data = EncryptedArchivePartsTests.DataDir(dir);
            using var segments = new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment);
            var cert = TestKeys.NewCertificate("ops");
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name copied -DataDir $args[0] -Path $args[1] -EncryptionCertificate $args[4] | Sync-DoltBackup -SkipConfiguration -CopyTo $args[2] -StorageContext $args[3]",
                data, dir.Combine("backups"), url, context, TestKeys.PublicOnly(cert));
            Assert.True(backup.Errors.Count == 0 && backup.Terminating == null, backup.AllText());
            var local = (BackupManifest)backup.Output.Single().BaseObject;
            var archive = local.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Parts.Count >= 3);
            string setUrl = url + "/" + local.Id;
            AssertPassesDeepWithKey(host, setUrl, context, cert);

            using (var location = BackupLocations.Open(url, context))
            {
                location.Delete(local.Id + "/" + archive.Parts[1].StoredPath, CancellationToken.None);
            }
            var damaged = host.Run("Test-DoltBackup -Path $args[0] -StorageContext $args[1]", setUrl, context);
            Assert.Contains(damaged.Output.Select(o => o.BaseObject).OfType<VerificationResult>(), r => r.Status == VerificationStatus.Failed && (r.Target + r.Message).Contains("part0002"));
            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = host.Run("Restore-DoltBackup -Path $args[0] -StorageContext $args[1] -DataDir $args[2] -DecryptionCertificate $args[3] -Confirm:$false", setUrl, context, target, cert);
            Assert.Contains(restore.Errors, e => e.Exception.Message.Contains("part0002"));
            Assert.False(Directory.Exists(target));
        }
    }
}
