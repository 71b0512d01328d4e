using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using DoltBackup.Encryption;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using static DoltBackup.Tests.FileCopy.FileCopyTestSupport;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// An encrypted FileCopy archive (single .p7m or each part) records its ciphertext's size and SHA-256 and its
    /// plaintext size always, its plaintext SHA-256 only with <see cref="FileCopyOptions.HashArchive"/>: the same rule as
    /// an unencrypted archive's own SHA-256, which is exactly that plaintext. Readers accept an archive without it, and a
    /// set written before (with it) still reads; the recorded plaintext hash is checked when it is the only hash of the
    /// archive, and not computed again when the stored bytes' SHA-256 is recorded (the tag and that hash prove the contents).
    /// </summary>
    public class EncryptedArchivePlaintextHashTests
    {
        /// <summary>
        /// The server fixture's data dir plus 3 MiB of random bytes: several pipeline blocks (the threaded path); in
        /// parts, 1 MiB segments (4 parts) while the returned override lasts (null otherwise).
        /// </summary>
        private static (string Data, IDisposable Segments) BigDataDir(TempDir dir, bool inParts)
        {
            string data = EncryptedArchivePartsTests.DataDir(dir);
            return (data, inParts ? new ArchiveSegmentOverride(data, EncryptedArchivePartsTests.Segment) : null);
        }

        private static string Sha(byte[] bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();

        private static byte[] Decrypt(string file, EncryptionKeys keys)
        {
            using var reader = SetEncryption.OpenDecrypting(File.OpenRead(file), keys, Path.GetFileName(file));
            using var plain = new MemoryStream();
            reader.CopyTo(plain);
            return plain.ToArray();
        }

        public static IEnumerable<object[]> Shapes()
            => from format in new[] { FileCopyFormat.Tar, FileCopyFormat.TarGzip }
               from parts in new[] { false, true }
               from hash in new[] { false, true }
               select new object[] { format, parts, hash };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void The_plaintext_SHA256_of_an_encrypted_archive_and_its_parts_is_recorded_only_with_HashArchive(FileCopyFormat format, bool inParts, bool hashArchive)
        {
            using var dir = new TempDir();
            var (data, segments) = BigDataDir(dir, inParts);
            using var segmentOverride = segments;
            var keys = TestKeys.Passphrase("plaintext hash");
            var manifest = NewManifest(dir.Combine("backups", "set"));
            SetEncryption.Record(manifest, keys, hasDoltStores: false);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = format, HashArchive = hashArchive });

            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.True(archive.Encrypted);
            byte[] whole;
            if (inParts)
            {
                Assert.True(archive.Parts.Count >= 3, archive.Parts.Count.ToString());
                Assert.Null(archive.Sha256);
                using (var plain = new MemoryStream())
                {
                    foreach (var p in archive.Parts)
                    {
                        string file = Path.Combine(manifest.BackupFolder, p.StoredPath);
                        Assert.Equal(Sha(File.ReadAllBytes(file)), p.Sha256);
                        Assert.Equal(new FileInfo(file).Length, p.Size);
                        byte[] part = Decrypt(file, keys);
                        Assert.Equal(part.Length, p.PlaintextSize);
                        Assert.Equal(hashArchive ? Sha(part) : null, p.PlaintextSha256);
                        plain.Write(part, 0, part.Length);
                    }
                    whole = plain.ToArray();
                }
            }
            else
            {
                Assert.Null(archive.Parts);
                string file = Path.Combine(manifest.BackupFolder, archive.StoredPath);
                Assert.Equal(Sha(File.ReadAllBytes(file)), archive.Sha256);
                Assert.Equal(new FileInfo(file).Length, archive.Size);
                whole = Decrypt(file, keys);
            }
            Assert.True(whole.Length > 3 << 20);
            Assert.Equal(whole.Length, archive.PlaintextSize);
            Assert.Equal(hashArchive ? Sha(whole) : null, archive.PlaintextSha256);
            // The contents are every file's, each with its own SHA-256 recorded.
            DoltBackup.Tests.Storage.StreamedFileCopyUploadTests.AssertArchiveHolds(whole, format == FileCopyFormat.TarGzip, data, dir);
            Assert.All(manifest.Artifacts.Where(a => a.Kind == FileCopyLayout.DataFileKind), a => Assert.Matches("^[0-9a-f]{64}$", a.Sha256));

            // Through manifest.json and back: absent stays absent (not an empty string), present stays as it was.
            ManifestStore.Write(manifest);
            var read = ManifestStore.Read(manifest.BackupFolder).Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal(archive.PlaintextSha256, read.PlaintextSha256);
            string json = File.ReadAllText(Path.Combine(manifest.BackupFolder, "manifest.json"));
            var archiveJson = ArchiveNode(JsonNode.Parse(json));
            Assert.Equal(hashArchive, archiveJson["plaintextSha256"] != null);
        }

        private static JsonObject ArchiveNode(JsonNode manifest)
            => manifest["artifacts"].AsArray().Select(a => a.AsObject()).Single(a => (string)a["kind"] == FileCopyLayout.DataArchiveKind);

        private static BackupManifest MakeSet(PowerShellHost shell, string data, string backups, X509Certificate2 cert, string format)
        {
            var made = shell.Run("New-DoltBackup -Method FileCopy -DataDir $args[0] -Path $args[1] -Name hashes -EncryptionCertificate $args[2] | Sync-DoltBackup -SkipConfiguration -Format $args[3]",
                data, backups, TestKeys.PublicOnly(cert), format);
            Assert.True(made.Errors.Count == 0 && made.Terminating == null, made.AllText());
            return (BackupManifest)made.Output.Single().BaseObject;
        }

        private static List<VerificationResult> Test(PowerShellHost shell, string folder, X509Certificate2 cert)
        {
            var r = cert == null ? shell.Run("Test-DoltBackup -Path $args[0]", folder) : shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", folder, cert);
            Assert.True(r.Terminating == null, r.AllText());
            return r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();
        }

        private static string Failures(IEnumerable<VerificationResult> results)
            => string.Join("\n", results.Where(x => x.Status == VerificationStatus.Failed).Select(x => x.Target + " " + x.Check + ": " + x.Message));

        /// <summary>Rewrites the archive's entry in manifest.json (an older set's manifest, or one edited).</summary>
        private static void EditArchive(string folder, Action<JsonObject> edit)
        {
            string path = Path.Combine(folder, "manifest.json");
            var root = JsonNode.Parse(File.ReadAllText(path));
            edit(ArchiveNode(root));
            File.WriteAllText(path, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }

        [Theory]
        [InlineData("Tar", false)]
        [InlineData("TarGzip", false)]
        [InlineData("TarGzip", true)]
        public void A_set_without_the_archives_plaintext_SHA256_passes_Test_DoltBackup_with_and_without_the_key_and_restores(string format, bool inParts)
        {
            using var dir = new TempDir();
            var (data, segments) = BigDataDir(dir, inParts);
            using var segmentOverride = segments;
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var m = MakeSet(shell, data, dir.Combine("backups"), cert, format);
            var archive = m.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Equal(inParts, archive.Parts != null);
            Assert.Null(archive.PlaintextSha256);
            Assert.Null(ArchiveNode(JsonNode.Parse(File.ReadAllText(Path.Combine(m.BackupFolder, "manifest.json"))))["plaintextSha256"]);

            var withKey = TestsAndRestores(shell, m.BackupFolder, cert, data, dir.Combine("restored"));
            Assert.Contains(withKey, x => x.Target.StartsWith(archive.StoredPath, StringComparison.Ordinal) && x.Check == "Artifact.Sha256" && x.Status == VerificationStatus.Passed);
        }

        /// <summary>Test-DoltBackup without and with the key pass, and Restore-DoltBackup gives the data dir back; returns the results with the key.</summary>
        private static List<VerificationResult> TestsAndRestores(PowerShellHost shell, string folder, X509Certificate2 cert, string data, string target)
        {
            var noKey = Test(shell, folder, null);
            Assert.True(Failures(noKey).Length == 0, Failures(noKey));
            var withKey = Test(shell, folder, cert);
            Assert.True(Failures(withKey).Length == 0, Failures(withKey));
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", folder, target, cert);
            Assert.True(restore.Errors.Count == 0 && restore.Terminating == null, restore.AllText());
            AssertSameTree(data, target);
            return withKey;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void An_older_set_that_records_the_plaintext_SHA256_still_tests_and_restores(bool inParts)
        {
            // A set written before (or with HashArchive) records the plaintext SHA-256 of the archive and of each part.
            using var dir = new TempDir();
            var (data, segments) = BigDataDir(dir, inParts);
            using var segmentOverride = segments;
            var cert = TestKeys.NewCertificate("ops");
            var manifest = NewManifest(dir.Combine("backups", "older"));
            SetEncryption.Record(manifest, new EncryptionKeys(new[] { TestKeys.PublicOnly(cert) }, null), hasDoltStores: false);
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.TarGzip, HashArchive = true });
            manifest.Status = BackupStatus.Completed;
            ManifestStore.Write(manifest);
            var archive = manifest.Artifacts.Single(a => a.Kind == FileCopyLayout.DataArchiveKind);
            Assert.Matches("^[0-9a-f]{64}$", archive.PlaintextSha256);
            Assert.All(archive.Parts ?? new List<ArchivePart>(), p => Assert.Matches("^[0-9a-f]{64}$", p.PlaintextSha256));

            using var shell = new PowerShellHost();
            TestsAndRestores(shell, manifest.BackupFolder, cert, data, dir.Combine("restored"));
        }

        [Fact]
        public void A_recorded_plaintext_SHA256_that_differs_is_not_computed_again_when_the_stored_bytes_SHA256_is_recorded_but_is_checked_when_it_is_the_only_hash()
        {
            using var dir = new TempDir();
            var (data, _) = BigDataDir(dir, inParts: false);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var m = MakeSet(shell, data, dir.Combine("backups"), cert, "TarGzip");
            string wrong = new string('0', 64);

            // With the ciphertext's SHA-256 recorded (every set DoltBackup writes): stored bytes with that hash whose tag
            // verifies can only decrypt to what was written, so a third hash pass is not made and a differing recorded
            // plaintext hash (a manifest edited by hand) is not what the data is judged by.
            EditArchive(m.BackupFolder, a => a["plaintextSha256"] = wrong);
            var withKey = Test(shell, m.BackupFolder, cert);
            Assert.True(Failures(withKey).Length == 0, Failures(withKey));
            Assert.Contains(withKey, x => x.Check == "Artifact.Decrypted" && x.Status == VerificationStatus.Passed && x.Message.Contains("stored bytes with the recorded SHA-256"));

            // Without it, the plaintext hash is the archive's only proof: computed and compared, and a mismatch refused.
            EditArchive(m.BackupFolder, a => a.Remove("sha256"));
            withKey = Test(shell, m.BackupFolder, cert);
            Assert.Contains(withKey, x => x.Status == VerificationStatus.Failed && x.Message.Contains(wrong));
            Assert.DoesNotContain(withKey, x => x.Check == "Artifact.Decrypted" && x.Status == VerificationStatus.Passed);
            string target = dir.Combine("restored");
            FakeServers.Register(new FakeDoltEngine(), target);
            var restore = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
            Assert.True(restore.Errors.Count > 0 || restore.Terminating != null, restore.AllText());
            Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any(), "something was restored");
        }

        [Fact]
        public void A_part_whose_recorded_plaintext_SHA256_is_malformed_is_refused_but_one_without_it_is_not()
        {
            var archive = new BackupArtifact
            {
                Kind = FileCopyLayout.DataArchiveKind, StoredPath = "datadir.tar.p7m", Encrypted = true,
                Parts = new List<ArchivePart>
                {
                    new ArchivePart { Index = 1, StoredPath = "datadir.tar.part0001.p7m", Size = 10, Sha256 = new string('a', 64), PlaintextSize = 5 },
                },
            };
            Assert.Null(ArchiveParts.RecordProblem(archive));
            archive.Parts[0].PlaintextSha256 = new string('b', 64);
            Assert.Null(ArchiveParts.RecordProblem(archive));
            archive.Parts[0].PlaintextSha256 = "not a hash";
            Assert.Contains("no valid size and SHA-256", ArchiveParts.RecordProblem(archive));
        }
    }
}
