using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Manifest;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class GetDoltBackupTests
    {
        [Fact]
        public void Reads_a_backup_folder_and_a_manifest_path_and_binds_FullName_from_the_pipeline()
        {
            using var dir = new TempDir();
            ManifestStore.Write(ManifestStoreTests.Sample(dir.Combine("set1")));
            ManifestStore.Write(ManifestStoreTests.Sample(dir.Combine("set2")));
            using var host = new PowerShellHost();
            var one = host.Invoke("Get-DoltBackup -Path $args[0]", dir.Combine("set1"));
            Assert.Equal("20261123T191000Z-prod", ((BackupManifest)one.Single().BaseObject).Id);
            var viaFile = host.Invoke("Get-DoltBackup $args[0]", dir.Combine("set1", "manifest.json"));
            Assert.Single(viaFile);
            // FileInfo objects, as Get-ChildItem emits them, bind through FullName.
            var piped = host.Invoke("[System.IO.FileInfo]::new($args[0]), [System.IO.FileInfo]::new($args[1]) | Get-DoltBackup",
                dir.Combine("set1", "manifest.json"), dir.Combine("set2", "manifest.json"));
            Assert.Equal(2, piped.Count);
            var byString = host.Invoke("$args[0], $args[1] | Get-DoltBackup", dir.Combine("set1"), dir.Combine("set2"));
            Assert.Equal(2, byString.Count);
        }

        [Fact]
        public void Relative_paths_resolve_against_the_PowerShell_location()
        {
            using var dir = new TempDir();
            ManifestStore.Write(ManifestStoreTests.Sample(dir.Combine("set1")));
            using var host = new PowerShellHost();
            host.SetLocation(dir.Path);
            var r = host.Invoke("Get-DoltBackup -Path ./set1");
            Assert.Single(r);
        }

        [Fact]
        public void A_missing_folder_is_a_non_terminating_error_and_the_batch_goes_on()
        {
            using var dir = new TempDir();
            ManifestStore.Write(ManifestStoreTests.Sample(dir.Combine("good")));
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Path $args[0], $args[1]", dir.Combine("missing"), dir.Combine("good"));
            Assert.Null(r.Terminating);
            Assert.Single(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.ManifestNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction));
        }

        [Fact]
        public void A_newer_manifest_is_refused_with_an_error_that_says_to_update()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.Combine("manifest.json"), "{\"schemaVersion\": 99, \"name\": \"x\"}");
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Path $args[0]", dir.Path);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.ManifestUnreadable", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.Contains("Update-Module", e.Exception.Message);
        }

        [Fact]
        public void The_format_view_renders_a_summary_line_and_a_database_table()
        {
            using var dir = new TempDir();
            ManifestStore.Write(ManifestStoreTests.Sample(dir.Path));
            using var host = new PowerShellHost();
            string text = host.Render("Get-DoltBackup $args[0]", dir.Path);
            Assert.Contains("20261123T191000Z-prod", text);
            Assert.Contains("Completed", text);
            Assert.Contains("prod", text);
            string dbs = host.Render("(Get-DoltBackup $args[0]).Databases", dir.Path);
            Assert.Contains("sales", dbs);
            Assert.Contains("Completed", dbs);
            Assert.Contains("1.2", dbs);
        }
    }
}
