using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>Encrypted backup sets through the cmdlets (hosted engine): what is written, and what needs a key.</summary>
    public class EncryptedSetCmdletTests
    {
        private const string Passphrase = "Tr0ub4dor&3-not-in-output";

        private static string SetUp(TempDir dir)
        {
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), dir.Combine("data"));
            Directory.CreateDirectory(dir.Combine("globalcfg"));
            File.WriteAllText(dir.Combine("server.yaml"), "log_level: info\nlistener:\n  host: 127.0.0.1\n  port: 3391\ndata_dir: " + dir.Combine("data") + "\n");
            return dir.Combine("backups");
        }

        private const string NewFileCopy = "New-DoltBackup -Method FileCopy -DataDir $args[0] -ConfigPath $args[1] -Path $args[2]";
        private const string SyncArgs = "-Format TarGzip -GlobalConfigDir $args[3]";


        internal static string Sha256(string path)
        {
            using var s = File.OpenRead(path);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s)).ToLowerInvariant();
        }

        [OpenSslFact]
        public void A_FileCopy_set_encrypted_to_a_certificate_file_stores_only_p7m_files_that_openssl_opens()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, keyPem) = TestKeys.WritePem(cert, dir.Path);
            using var shell = new PowerShellHost();

            var r = shell.Run(NewFileCopy + " -EncryptionCertificate $args[4] | Sync-DoltBackup " + SyncArgs,
                dir.Combine("data"), dir.Combine("server.yaml"), backups, dir.Combine("globalcfg"), certPem);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(cert.Thumbprint, m.Encryption.Recipients.Single().Thumbprint);
            Assert.Empty(r.Warnings.Where(w => w.Contains("SSE-KMS"))); // FileCopy: no Dolt stores, nothing unencrypted.
            var archive = m.Artifacts.Single(a => a.Kind == "DataArchive");
            Assert.Equal("datadir.tar.gz.p7m", archive.StoredPath);
            Assert.True(archive.Encrypted);
            var config = m.Artifacts.Single(a => a.Kind == "ServerConfig");
            Assert.EndsWith(".p7m", config.StoredPath);
            Assert.True(config.Encrypted);
            // Nothing of the set is stored in plaintext but its manifest.
            var stored = Directory.GetFiles(m.BackupFolder, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Where(f => f != ".doltbackup.lock").ToList();
            Assert.All(stored.Where(f => f != "manifest.json"), f => Assert.True(f.EndsWith(".p7m"), string.Join(", ", stored)));
            Assert.Equal(archive.Sha256, Sha256(Path.Combine(m.BackupFolder, archive.StoredPath)));

            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", Path.Combine(m.BackupFolder, archive.StoredPath),
                "-recip", certPem, "-inkey", keyPem, "-out", dir.Combine("datadir.tar.gz"));
            Assert.True(code == 0, error);
            Assert.Null(archive.PlaintextSha256); // the archive's plaintext hash only with HashArchive; the configuration's below
            Assert.Equal(archive.PlaintextSize, new FileInfo(dir.Combine("datadir.tar.gz")).Length);

            (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", Path.Combine(m.BackupFolder, config.StoredPath.Replace('/', Path.DirectorySeparatorChar)),
                "-recip", certPem, "-inkey", keyPem, "-out", dir.Combine("server.out.yaml"));
            Assert.True(code == 0, error);
            Assert.Equal(File.ReadAllText(dir.Combine("server.yaml")), File.ReadAllText(dir.Combine("server.out.yaml")));
            Assert.Equal(config.PlaintextSha256, Sha256(dir.Combine("server.out.yaml"))); // small files keep both hashes

            // The manifest names the recipient and carries its public certificate, never the private key.
            string json = File.ReadAllText(Path.Combine(m.BackupFolder, "manifest.json"));
            Assert.Equal(Convert.ToBase64String(cert.RawData), ManifestStore.Read(m.BackupFolder).Encryption.Recipients.Single().Certificate);
            Assert.DoesNotContain("PRIVATE", json);
        }

        [OpenSslFact]
        public void A_passphrase_set_needs_the_passphrase_again_to_sync_and_openssl_opens_it_with_the_passphrase()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            using var shell = new PowerShellHost();
            shell.Invoke("$global:pw = $args[0]", TestKeys.Secure(Passphrase));

            var created = shell.Run(NewFileCopy + " -EncryptionPassphrase $global:pw", dir.Combine("data"), dir.Combine("server.yaml"), backups);
            Assert.Empty(created.Errors);
            var folder = ((BackupManifest)created.Output.Single().BaseObject).BackupFolder;
            Assert.Contains("\"passphrase\"", File.ReadAllText(Path.Combine(folder, "manifest.json")).ToLowerInvariant());

            // A later session without the passphrase: a clear error, nothing written.
            var refused = shell.Run("Get-DoltBackup $args[0] | Sync-DoltBackup -Format TarGzip -GlobalConfigDir $args[1] -Verbose", folder, dir.Combine("globalcfg"));
            Assert.True(refused.Errors.Count == 1, refused.AllText());
            Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.SyncDoltBackupCommand", refused.Errors[0].FullyQualifiedErrorId);
            Assert.Contains("-EncryptionPassphrase", refused.Errors[0].Exception.Message);
            Assert.Equal(new[] { "manifest.json" }, Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray());

            var synced = shell.Run("Get-DoltBackup $args[0] | Sync-DoltBackup -Format TarGzip -GlobalConfigDir $args[1] -EncryptionPassphrase $global:pw -Verbose", folder, dir.Combine("globalcfg"));
            Assert.Empty(synced.Errors);
            var m = (BackupManifest)synced.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Equal(global::DoltBackup.Encryption.EncryptionRecipientKind.Passphrase, m.Encryption.Recipients.Single().Kind);
            var archive = m.Artifacts.Single(a => a.Kind == "DataArchive");

            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", Path.Combine(folder, archive.StoredPath), "-pwri_password", Passphrase, "-out", dir.Combine("d.tar.gz"));
            Assert.True(code == 0, error);
            Assert.Equal(archive.PlaintextSize, new FileInfo(dir.Combine("d.tar.gz")).Length);

            // The passphrase never reaches output, verbose text, warnings, errors or the manifest.
            Assert.DoesNotContain(Passphrase, created.AllText() + refused.AllText() + synced.AllText());
            Assert.DoesNotContain(Passphrase, File.ReadAllText(Path.Combine(folder, "manifest.json")));
        }

        private static System.Collections.Generic.List<global::DoltBackup.Verification.VerificationResult> Results(PowerShellResult r)
            => r.Output.Select(o => o.BaseObject).OfType<global::DoltBackup.Verification.VerificationResult>().ToList();

        [Fact]
        public void Deep_checks_the_Dolt_stores_inside_an_encrypted_archive_with_the_key_and_says_why_not_without_it()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            using var shell = new PowerShellHost();
            shell.Invoke("$global:pw = $args[0]", TestKeys.Secure(Passphrase));
            var r = shell.Run(NewFileCopy + " -EncryptionPassphrase $global:pw | Sync-DoltBackup " + SyncArgs,
                dir.Combine("data"), dir.Combine("server.yaml"), backups, dir.Combine("globalcfg"));
            Assert.True(r.Errors.Count == 0, r.AllText());
            var m = (BackupManifest)r.Output.Single().BaseObject;

            var noKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -Deep", m.BackupFolder));
            Assert.Contains(noKey, x => x.Check == "Store.Structure" && x.Status == global::DoltBackup.Verification.VerificationStatus.Skipped && x.Message.Contains("encrypted"));

            var withKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -Deep -Passphrase $global:pw", m.BackupFolder));
            Assert.DoesNotContain(withKey, x => x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.DoesNotContain(withKey, x => x.Level != global::DoltBackup.Verification.VerificationLevel.Artifact && x.Status == global::DoltBackup.Verification.VerificationStatus.Skipped);
            // Both databases of the fixture are checked inside the decrypted archive, chunk by chunk.
            foreach (var db in new[] { "sales", "inventory" })
            {
                Assert.Contains(withKey, x => x.Level != global::DoltBackup.Verification.VerificationLevel.Artifact && x.Target.Contains(db)
                    && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
            }
        }

        [Fact]
        public void Test_DoltBackup_checks_the_stored_bytes_without_a_key_and_the_contents_with_it()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var r = shell.Run(NewFileCopy + " -EncryptionCertificate $args[4] | Sync-DoltBackup " + SyncArgs,
                dir.Combine("data"), dir.Combine("server.yaml"), backups, dir.Combine("globalcfg"), TestKeys.PublicOnly(cert));
            var m = (BackupManifest)r.Output.Single().BaseObject;
            var archive = m.Artifacts.Single(a => a.Kind == "DataArchive");

            var noKey = Results(shell.Run("Test-DoltBackup -Path $args[0]", m.BackupFolder));
            Assert.DoesNotContain(noKey, x => x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(noKey, x => x.Check == "Artifact.Sha256" && x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(noKey, x => x.Check == "Encryption.Contents" && x.Status == global::DoltBackup.Verification.VerificationStatus.Skipped && x.Message.Contains(cert.Thumbprint));

            var withKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, cert));
            Assert.DoesNotContain(withKey, x => x.Status == global::DoltBackup.Verification.VerificationStatus.Failed || (x.Status == global::DoltBackup.Verification.VerificationStatus.Skipped && x.Level == global::DoltBackup.Verification.VerificationLevel.Artifact));
            Assert.Contains(withKey, x => x.Check == "Artifact.Decrypted" && x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
            Assert.Contains(withKey, x => x.Check == "Artifact.Decrypted" && x.Target.EndsWith("server.yaml.p7m") && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
            // The files inside the decrypted archive are checked one by one.
            Assert.Equal(m.Artifacts.Count(a => a.Archive == archive.StoredPath),
                withKey.Count(x => x.Target.StartsWith(archive.StoredPath + ":") && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed));

            var wrong = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, TestKeys.NewCertificate("other")));
            Assert.Contains(wrong, x => x.Check == "Archive.Readable" && x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);

            // One flipped byte: refused without the key (stored hash) and with it (authentication).
            string file = Path.Combine(m.BackupFolder, archive.StoredPath);
            var bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x10;
            File.WriteAllBytes(file, bytes);
            Assert.Contains(Results(shell.Run("Test-DoltBackup -Path $args[0]", m.BackupFolder)),
                x => x.Check == "Artifact.Sha256" && x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, cert)),
                x => x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
        }

        private static string[] ErrorIds(PowerShellResult r) => r.Errors.Select(e => e.FullyQualifiedErrorId).ToArray();

        [Fact]
        public void Restore_decrypts_a_passphrase_set_and_refuses_no_key_a_wrong_key_and_a_cut_file_with_nothing_written()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            string folder;
            using (var writer = new PowerShellHost())
            {
                writer.Invoke("$global:pw = $args[0]", TestKeys.Secure(Passphrase));
                var made = writer.Run(NewFileCopy + " -EncryptionPassphrase $global:pw | Sync-DoltBackup -SkipConfiguration -Format Tar",
                    dir.Combine("data"), dir.Combine("server.yaml"), backups);
                Assert.True(made.Errors.Count == 0, made.AllText());
                folder = ((BackupManifest)made.Output.Single().BaseObject).BackupFolder;
            }
            string target = dir.Combine("restored");
            global::DoltBackup.Tests.Fakes.FakeServers.Register(new global::DoltBackup.Tests.Fakes.FakeDoltEngine(), target);
            using var shell = new PowerShellHost();
            shell.Invoke("$global:pw = $args[0]; $global:bad = $args[1]", TestKeys.Secure(Passphrase), TestKeys.Secure("not the passphrase"));
            const string Restore = "Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false";

            var noKey = shell.Run(Restore, folder, target);
            Assert.Equal(new[] { "DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.RestoreDoltBackupCommand" }, ErrorIds(noKey));
            Assert.Contains("-Passphrase", noKey.Errors[0].Exception.Message);
            Assert.False(Directory.Exists(target));

            var wrong = shell.Run(Restore + " -Passphrase $global:bad", folder, target);
            Assert.Contains(ErrorIds(wrong), id => id.StartsWith("DoltBackup.ArtifactDecryptionFailed"));
            Assert.False(Directory.Exists(target));
            Assert.Empty(Directory.GetDirectories(dir.Path, ".restored.restore-*"));

            string archive = Path.Combine(folder, "datadir.tar.p7m");
            byte[] whole = File.ReadAllBytes(archive);
            File.WriteAllBytes(archive, whole.Take(whole.Length - 40).ToArray());
            var cut = shell.Run(Restore + " -Passphrase $global:pw", folder, target);
            Assert.NotEmpty(cut.Errors);
            Assert.False(Directory.Exists(target));
            File.WriteAllBytes(archive, whole);

            var good = shell.Run(Restore + " -Passphrase $global:pw", folder, target);
            Assert.True(good.Errors.Count == 0, good.AllText());
            global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.AssertSameTree(dir.Combine("data"), target);
            Assert.DoesNotContain(Passphrase, noKey.AllText() + wrong.AllText() + cut.AllText() + good.AllText());
        }

        [Fact]
        public void Test_DoltBackup_with_the_key_fails_an_archive_swapped_in_from_another_set_and_never_calls_it_decrypted()
        {
            // Test-DoltBackup does not hash the decrypted archive again: the stored bytes' SHA-256, checked in the same
            // pass, and the authentication tag prove the plaintext. So a swapped archive that opens with the same key
            // must fail on its stored bytes, and must not be reported decrypted as recorded.
            using var dir = new TempDir();
            string backups = SetUp(dir);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var sets = new BackupManifest[2];
            for (int i = 0; i < 2; i++)
            {
                var made = shell.Run(NewFileCopy + " -Name t" + i + " -EncryptionCertificate $args[3] | Sync-DoltBackup -SkipConfiguration -Format Tar",
                    dir.Combine("data"), dir.Combine("server.yaml"), backups, TestKeys.PublicOnly(cert));
                Assert.True(made.Errors.Count == 0, made.AllText());
                sets[i] = (BackupManifest)made.Output.Single().BaseObject;
            }
            var archive = sets[0].Artifacts.Single(a => a.Kind == "DataArchive");
            var good = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", sets[0].BackupFolder, cert));
            Assert.DoesNotContain(good, x => x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Contains(good, x => x.Check == "Artifact.Decrypted" && x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed
                && x.Message.Contains("recorded SHA-256"));

            File.Copy(Path.Combine(sets[1].BackupFolder, archive.StoredPath), Path.Combine(sets[0].BackupFolder, archive.StoredPath), overwrite: true);
            var swapped = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", sets[0].BackupFolder, cert));
            Assert.Contains(swapped, x => x.Check == "Artifact.Sha256" && x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.DoesNotContain(swapped, x => x.Check == "Artifact.Decrypted" && x.Target == archive.StoredPath && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed);
        }

        [Fact]
        public void Restore_refuses_an_archive_swapped_in_from_another_set_encrypted_to_the_same_certificate()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            string[] folders = new string[2];
            for (int i = 0; i < 2; i++)
            {
                var made = shell.Run(NewFileCopy + " -Name s" + i + " -EncryptionCertificate $args[3] | Sync-DoltBackup -SkipConfiguration -Format Tar",
                    dir.Combine("data"), dir.Combine("server.yaml"), backups, TestKeys.PublicOnly(cert));
                Assert.True(made.Errors.Count == 0, made.AllText());
                folders[i] = ((BackupManifest)made.Output.Single().BaseObject).BackupFolder;
            }
            File.Copy(Path.Combine(folders[1], "datadir.tar.p7m"), Path.Combine(folders[0], "datadir.tar.p7m"), overwrite: true);
            string target = dir.Combine("restored");
            global::DoltBackup.Tests.Fakes.FakeServers.Register(new global::DoltBackup.Tests.Fakes.FakeDoltEngine(), target);

            var r = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", folders[0], target, cert);

            Assert.Contains(ErrorIds(r), id => id.StartsWith("DoltBackup.ArtifactHashMismatch") || id.StartsWith("DoltBackup.ArtifactDecryptionFailed"));
            Assert.False(Directory.Exists(target));
        }

        [Fact]
        public void Backup_DoltConfiguration_into_a_passphrase_set_needs_the_passphrase_and_writes_p7m_only()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            using var shell = new PowerShellHost();
            var created = shell.Run(NewFileCopy + " -EncryptionPassphrase $args[3]", dir.Combine("data"), dir.Combine("server.yaml"), backups, TestKeys.Secure(Passphrase));
            string folder = ((BackupManifest)created.Output.Single().BaseObject).BackupFolder;
            const string Capture = "Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2]";

            var refused = shell.Run(Capture, folder, dir.Combine("server.yaml"), dir.Combine("globalcfg"));
            Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.BackupDoltConfigurationCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
            Assert.False(Directory.Exists(Path.Combine(folder, "config")));

            var r = shell.Run(Capture + " -EncryptionPassphrase $args[3]", folder, dir.Combine("server.yaml"), dir.Combine("globalcfg"), TestKeys.Secure(Passphrase));
            Assert.True(r.Errors.Count == 0, r.AllText());
            var config = Assert.Single(ManifestStore.Read(folder).Artifacts, a => a.Kind == "ServerConfig");
            Assert.True(config.Encrypted);
            Assert.All(Directory.GetFiles(Path.Combine(folder, "config"), "*", SearchOption.AllDirectories), f => Assert.EndsWith(".p7m", f));

            // Another passphrase would leave the set with files the first one cannot open: refused, nothing changed.
            string before = File.ReadAllText(Path.Combine(folder, "manifest.json"));
            var other = shell.Run(Capture + " -EncryptionPassphrase $args[3]", folder, dir.Combine("server.yaml"), dir.Combine("globalcfg"), TestKeys.Secure("another passphrase"));
            Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.BackupDoltConfigurationCommand", Assert.Single(other.Errors).FullyQualifiedErrorId);
            Assert.Contains("does not open", other.Errors[0].Exception.Message);
            Assert.Equal(before, File.ReadAllText(Path.Combine(folder, "manifest.json")));
        }

        [Fact]
        public void A_Tree_set_stores_each_file_encrypted_and_restores_it_with_the_key_only_when_intact()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            var cert = TestKeys.NewCertificate("ops");
            using var shell = new PowerShellHost();
            var made = shell.Run(NewFileCopy + " -EncryptionCertificate $args[3] | Sync-DoltBackup -SkipConfiguration -Format Tree",
                dir.Combine("data"), dir.Combine("server.yaml"), backups, TestKeys.PublicOnly(cert));
            Assert.True(made.Errors.Count == 0, made.AllText());
            var m = (BackupManifest)made.Output.Single().BaseObject;
            var files = Directory.GetFiles(Path.Combine(m.BackupFolder, "datadir"), "*", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.EndsWith(".p7m", f));
            Assert.All(m.Artifacts.Where(a => a.Kind == "DataFile"), a => Assert.True(a.Encrypted && a.PlaintextSha256 != null));

            var checks = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, cert));
            Assert.DoesNotContain(checks, x => x.Status == global::DoltBackup.Verification.VerificationStatus.Failed);
            Assert.Equal(m.Artifacts.Count(a => a.Kind == "DataFile"), checks.Count(x => x.Check == "Artifact.Decrypted" && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed));
            // Each file read once: decrypted in the pass that hashes its stored bytes, which vouch for the plaintext.
            Assert.All(checks.Where(x => x.Check == "Artifact.Decrypted"), x => Assert.Contains("from stored bytes with the recorded SHA-256", x.Message));
            var wrongKey = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, TestKeys.NewCertificate("other")));
            Assert.Equal(m.Artifacts.Count(a => a.Kind == "DataFile"), wrongKey.Count(x => x.Check == "Artifact.Decrypted" && x.Status == global::DoltBackup.Verification.VerificationStatus.Failed));
            Assert.Equal(m.Artifacts.Count(a => a.Kind == "DataFile"), wrongKey.Count(x => x.Check == "Artifact.Sha256" && x.Status == global::DoltBackup.Verification.VerificationStatus.Passed));

            string target = dir.Combine("restored");
            global::DoltBackup.Tests.Fakes.FakeServers.Register(new global::DoltBackup.Tests.Fakes.FakeDoltEngine(), target);
            string victim = files.OrderByDescending(f => new FileInfo(f).Length).First();
            byte[] original = File.ReadAllBytes(victim);
            var flipped = (byte[])original.Clone();
            flipped[flipped.Length / 2] ^= 1;
            File.WriteAllBytes(victim, flipped);
            var refused = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
            Assert.NotEmpty(refused.Errors);
            Assert.False(Directory.Exists(target));
            File.WriteAllBytes(victim, original);

            var restored = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
            Assert.True(restored.Errors.Count == 0, restored.AllText());
            global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.AssertSameTree(dir.Combine("data"), target);
        }

        [Fact]
        public void A_weak_certificate_is_refused_before_anything_is_written()
        {
            using var dir = new TempDir();
            string backups = SetUp(dir);
            using var shell = new PowerShellHost();
            shell.Invoke("$global:c = $args[0]", TestKeys.PublicOnly(TestKeys.NewCertificate("weak", 1024)));

            var r = shell.Run(NewFileCopy + " -EncryptionCertificate $global:c", dir.Combine("data"), dir.Combine("server.yaml"), backups);

            Assert.Equal("DoltBackup.EncryptionRecipientInvalid,DoltBackup.Cmdlets.NewDoltBackupCommand", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Empty(r.Output);
            Assert.False(Directory.Exists(backups));
        }
    }
}

namespace DoltBackup.Tests.Encryption
{
    /// <summary>A DoltBackup-method set (fake engine): Dolt writes its stores itself, so the set says so once.</summary>
    public class EncryptedDoltBackupSetCmdletTests
    {
        [Fact]
        public void A_DoltBackup_set_records_that_its_Dolt_stores_are_not_encrypted_and_warns_once()
        {
            using var bed = new global::DoltBackup.Tests.Cli.CmdletTestBed(2);
            var cert = TestKeys.PublicOnly(TestKeys.NewCertificate("ops"));
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Credential $args[1] -Destination $args[2] -EncryptionCertificate $args[3] | Sync-DoltBackup",
                bed.Host, bed.Credential(), bed.Dest, cert);

            Assert.Empty(r.Errors);
            var m = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, m.Status);
            Assert.Single(r.Warnings, w => w.Contains("SSE-KMS"));
            var stored = ManifestStore.Read(bed.Dest);
            Assert.False(stored.Encryption.DoltStoresEncrypted);
            Assert.Contains("cannot encrypt", stored.Encryption.DoltStoresNote);
            Assert.Equal(cert.Thumbprint, stored.Encryption.Recipients.Single().Thumbprint);
            Assert.All(stored.Artifacts, a => Assert.True(a.Encrypted && a.StoredPath.EndsWith(".p7m"), a.StoredPath));
        }
    }
}
