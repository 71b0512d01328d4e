using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.FileCopy;
using DoltBackup.Manifest;
using DoltBackup.Tests.FileCopy;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Verification
{
    /// <summary>Test-DoltBackup in a real PowerShell engine: binding, pipeline, typed output, errors, progress.</summary>
    public class TestDoltBackupCmdletTests
    {
        private static VerificationResult[] Results(PowerShellResult r) => r.Output.Select(o => (VerificationResult)o.BaseObject).ToArray();

        [Fact]
        public void A_file_backup_directory_passes_and_each_check_is_a_typed_result_with_a_summary()
        {
            using var dir = new TempDir();
            string store = dir.Combine("sales");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", "sales"), store);
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -Deep", store);
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var results = Results(r);
            Assert.Contains(results, x => x.Check == "Archive.Chunks" && x.Status == VerificationStatus.Passed);
            Assert.DoesNotContain(results, x => x.Status == VerificationStatus.Failed);
            Assert.Contains(r.Information, i => i.Contains($"{results.Length} passed, 0 failed, 0 skipped"));
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
            // The format view is loaded, and names only properties the result types have.
            var formatFiles = host.Invoke("(Get-Module DoltBackup).ExportedFormatFiles").Select(o => Path.GetFileName(o.ToString())).ToList();
            Assert.Contains("Verification.Format.ps1xml", formatFiles);
            var view = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "module", "Verification.Format.ps1xml"));
            foreach (var v in view.Descendants("View"))
            {
                var type = typeof(VerificationResult).Assembly.GetType(v.Element("ViewSelectedBy").Element("TypeName").Value);
                Assert.NotNull(type);
                foreach (var prop in v.Descendants("PropertyName"))
                {
                    Assert.NotNull(type.GetProperty(prop.Value));
                }
            }
        }

        [Fact]
        public void A_corrupt_store_reports_failed_results_and_summary_says_so()
        {
            using var dir = new TempDir();
            string doltDir = FixtureStores.CopyAsDoltDir(dir, "corrupt/bad_journal_crc", "db");
            using var host = new PowerShellHost();
            var shallow = Results(host.Run("Test-DoltBackup $args[0]", doltDir));
            Assert.DoesNotContain(shallow, x => x.Status == VerificationStatus.Failed);
            var summary = (VerificationSummary)host.Invoke("Test-DoltBackup $args[0] -Deep -Summary", doltDir).Single().BaseObject;
            Assert.Equal(1, summary.Failed);
            Assert.False(summary.Succeeded);
            var verbose = host.Run("Test-DoltBackup $args[0] -Deep -Verbose", doltDir).Verbose;
            Assert.Contains(verbose, v => v.StartsWith("FAILED db Journal.Chunks"));
        }

        [Fact]
        public void Manifests_flow_from_Get_DoltBackup_through_the_pipeline()
        {
            using var dir = new TempDir();
            string data = FileCopyTestSupport.CopyServerDataDir(dir);
            var manifest = FileCopyTestSupport.NewManifest(dir.Combine("backup"));
            FileCopyBackup.Run(manifest, new FileCopyOptions { DataDir = data, Format = FileCopyFormat.TarGzip });
            ManifestStore.Write(manifest);
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup $args[0] | Test-DoltBackup", manifest.BackupFolder);
            Assert.Empty(r.Errors);
            var results = Results(r);
            int files = manifest.Artifacts.Count(a => a.Kind == FileCopyLayout.DataFileKind);
            Assert.Equal(files + 1, results.Count(x => x.Level == VerificationLevel.Artifact && x.Status == VerificationStatus.Passed));
            // The Dolt stores inside the archive are checked in the same pass (structure without -Deep): nothing Skipped.
            Assert.DoesNotContain(results, x => x.Status == VerificationStatus.Skipped);
            Assert.Contains(results, x => x.Target == "sales" && x.Check == "Manifest.Parse" && x.Status == VerificationStatus.Passed);
            Assert.DoesNotContain(results, x => x.Level == VerificationLevel.Deep);

            // Damage the archive: the artifact check fails.
            string archive = Path.Combine(manifest.BackupFolder, FileCopyLayout.TarGzipFile);
            var bytes = File.ReadAllBytes(archive);
            bytes[bytes.Length / 2] ^= 0xff;
            File.WriteAllBytes(archive, bytes);
            var damaged = Results(host.Run("Get-DoltBackup $args[0] | Test-DoltBackup", manifest.BackupFolder));
            Assert.Contains(damaged, x => x.Status == VerificationStatus.Failed && x.Target.StartsWith(FileCopyLayout.TarGzipFile));
            Assert.DoesNotContain(damaged, x => x.Target == FileCopyLayout.TarGzipFile && x.Status == VerificationStatus.Passed);
        }

        /// <summary>
        /// Issue 16, point 9: a FileCopy set (default format, .tar.gz) of a store already damaged when it was copied:
        /// every recorded SHA-256 matches, and -Deep finds the damaged chunk inside the archive.
        /// </summary>
        [Fact]
        public void Deep_finds_a_chunk_damaged_before_the_copy_inside_a_FileCopy_archive()
        {
            using var dir = new TempDir();
            string data = FileCopyTestSupport.CopyServerDataDir(dir);
            TempDir.CopyTree(System.IO.Path.Combine(RepoPaths.DoltFixtures, "clone-with-remote"), System.IO.Path.Combine(data, "damaged", ".dolt"));
            DamageDetectionTests.FlipByte(System.IO.Path.Combine(data, "damaged", ".dolt", "noms", "oldgen", "c5j9u4ced6eg6cnegk0mgdglc3t04air"), 5000);
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Method FileCopy -Name files -DataDir $args[0] -Path $args[1] | Sync-DoltBackup -SkipConfiguration", data, dir.Combine("backups"));
            Assert.Empty(backup.Errors);
            var manifest = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Equal(BackupStatus.Completed, manifest.Status);
            Assert.True(File.Exists(System.IO.Path.Combine(manifest.BackupFolder, FileCopyLayout.TarGzipFile)));

            var shallow = host.Run("Test-DoltBackup -Path $args[0]", manifest.BackupFolder);
            Assert.Empty(shallow.Errors);
            Assert.DoesNotContain(Results(shallow), x => x.Status == VerificationStatus.Failed || x.Status == VerificationStatus.Skipped);

            var deep = host.Run("Get-DoltBackup $args[0] | Test-DoltBackup -Deep -Verbose", manifest.BackupFolder);
            Assert.Empty(deep.Errors);
            var failure = Assert.Single(Results(deep), x => x.Status == VerificationStatus.Failed);
            Assert.Equal("damaged (oldgen)", failure.Target);
            Assert.Equal("TableFile.Chunks", failure.Check);
            Assert.Contains("1 of 273 chunks are damaged", failure.Message);
            Assert.Contains(Results(deep), x => x.Target == "sales" && x.Level == VerificationLevel.Deep && x.Status == VerificationStatus.Passed);
            Assert.Contains(deep.Verbose, v => v.StartsWith("FAILED damaged (oldgen) TableFile.Chunks"));
            var summary = (VerificationSummary)host.Invoke("Test-DoltBackup -Path $args[0] -Deep -Summary", manifest.BackupFolder).Single().BaseObject;
            Assert.False(summary.Succeeded);
            Assert.Equal(1, summary.Failed);
        }

        [Fact]
        public void A_path_that_is_no_backup_gives_an_error_record_and_the_next_path_still_runs()
        {
            using var dir = new TempDir();
            string store = dir.Combine("inventory");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", "inventory"), store);
            Directory.CreateDirectory(dir.Combine("empty"));
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0], $args[1]", dir.Combine("empty"), store);
            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.VerificationTargetInvalid,DoltBackup.Cmdlets.TestDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.NotNull(error.ErrorDetails.RecommendedAction);
            Assert.Contains(Results(r), x => x.Target == "inventory" && x.Status == VerificationStatus.Passed);
        }

        [Fact]
        public void A_file_url_is_accepted_as_path()
        {
            using var dir = new TempDir();
            string store = dir.Combine("inventory");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups", "inventory"), store);
            using var host = new PowerShellHost();
            var summary = (VerificationSummary)host.Invoke("Test-DoltBackup -Path $args[0] -Summary", new System.Uri(store).AbsoluteUri).Single().BaseObject;
            Assert.True(summary.Succeeded, summary.ToString());
        }

        [Fact]
        public void Paths_bind_by_property_name_from_directory_objects()
        {
            using var dir = new TempDir();
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "backups"), dir.Combine("backups"));
            using var host = new PowerShellHost();
            var summaries = host.Invoke("[System.IO.DirectoryInfo]::new($args[0]).GetDirectories() | Test-DoltBackup -Summary", dir.Combine("backups"))
                .Select(o => (VerificationSummary)o.BaseObject).ToList();
            Assert.Equal(2, summaries.Count);
            Assert.All(summaries, s => Assert.True(s.Succeeded, s.ToString()));
        }
    }
}
