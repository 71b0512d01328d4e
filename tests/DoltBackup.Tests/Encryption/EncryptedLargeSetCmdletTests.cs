using System;
using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Encryption
{
    /// <summary>
    /// An encrypted FileCopy set large enough (several 1 MiB blocks) that encrypting, decrypting and hashing run on
    /// their own threads, through the cmdlets: the bytes stay openssl's to open, the recorded hashes are those of the
    /// stored and decrypted bytes, and a flipped byte deep inside is refused by Test- and Restore-DoltBackup with
    /// nothing written.
    /// </summary>
    public class EncryptedLargeSetCmdletTests
    {
        private const string NewFileCopy = "New-DoltBackup -Method FileCopy -DataDir $args[0] -ConfigPath $args[1] -Path $args[2] -EncryptionCertificate $args[3] | Sync-DoltBackup -SkipConfiguration -Format Tar";

        private static System.Collections.Generic.List<VerificationResult> Results(PowerShellResult r)
            => r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().ToList();

        [OpenSslFact]
        public void A_multi_block_encrypted_archive_opens_with_openssl_tests_restores_and_refuses_a_flipped_byte_with_nothing_written()
        {
            using var dir = new TempDir();
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), dir.Combine("data"));
            var big = new byte[3_000_001];
            new Random(13).NextBytes(big);
            Directory.CreateDirectory(dir.Combine("data", "blobs"));
            File.WriteAllBytes(dir.Combine("data", "blobs", "big.bin"), big);
            File.WriteAllText(dir.Combine("server.yaml"), "log_level: info\nlistener:\n  host: 127.0.0.1\n  port: 3391\ndata_dir: " + dir.Combine("data") + "\n");
            var cert = TestKeys.NewCertificate("ops");
            var (certPem, keyPem) = TestKeys.WritePem(cert, dir.Path);

            BackupManifest m;
            using (var shell = new PowerShellHost())
            {
                var made = shell.Run(NewFileCopy, dir.Combine("data"), dir.Combine("server.yaml"), dir.Combine("backups"), TestKeys.PublicOnly(cert));
                Assert.True(made.Errors.Count == 0, made.AllText());
                m = (BackupManifest)made.Output.Single().BaseObject;
            }
            var archive = m.Artifacts.Single(a => a.Kind == "DataArchive");
            string file = Path.Combine(m.BackupFolder, archive.StoredPath);
            Assert.True(new FileInfo(file).Length > 3_000_000);
            Assert.Equal(EncryptedSetCmdletTests.Sha256(file), archive.Sha256);
            Assert.Equal(new FileInfo(file).Length, archive.Size);

            var (code, error) = TestKeys.OpenSsl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", file, "-recip", certPem, "-inkey", keyPem, "-out", dir.Combine("plain.tar"));
            Assert.True(code == 0, error);
            Assert.Null(archive.PlaintextSha256); // only with HashArchive: the ciphertext's SHA-256 and the tag prove it
            Assert.Equal(new FileInfo(dir.Combine("plain.tar")).Length, archive.PlaintextSize);

            string target = dir.Combine("restored");
            global::DoltBackup.Tests.Fakes.FakeServers.Register(new global::DoltBackup.Tests.Fakes.FakeDoltEngine(), target);
            using (var shell = new PowerShellHost())
            {
                var tested = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, cert));
                Assert.DoesNotContain(tested, x => x.Status == VerificationStatus.Failed);
                Assert.Contains(tested, x => x.Check == "Artifact.Decrypted" && x.Target == archive.StoredPath && x.Status == VerificationStatus.Passed);

                byte[] whole = File.ReadAllBytes(file);
                byte[] flipped = (byte[])whole.Clone();
                flipped[whole.Length * 2 / 3] ^= 0x01;
                File.WriteAllBytes(file, flipped);
                var refusedTest = Results(shell.Run("Test-DoltBackup -Path $args[0] -DecryptionCertificate $args[1]", m.BackupFolder, cert));
                Assert.Contains(refusedTest, x => x.Target == archive.StoredPath && x.Status == VerificationStatus.Failed);
                var refused = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
                Assert.NotEmpty(refused.Errors);
                Assert.False(Directory.Exists(target));
                Assert.Empty(Directory.GetDirectories(dir.Path, ".restored.restore-*"));

                File.WriteAllBytes(file, whole);
                var good = shell.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -DecryptionCertificate $args[2] -Confirm:$false", m.BackupFolder, target, cert);
                Assert.True(good.Errors.Count == 0, good.AllText());
            }
            global::DoltBackup.Tests.FileCopy.FileCopyTestSupport.AssertSameTree(dir.Combine("data"), target);
        }
    }
}
