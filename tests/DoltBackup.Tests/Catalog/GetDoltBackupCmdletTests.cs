using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Catalog
{
    public class GetDoltBackupCmdletTests
    {
        private static BackupRootBuilder MixedRoot(TempDir dir, int count)
        {
            var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
            for (int i = 0; i < count; i++)
            {
                b.Add(i % 4 == 0 ? "staging" : "prod", TimeSpan.FromHours(i * 6 + 1), BackupRootBuilder.MixedStatus(i));
            }
            return b;
        }

        [Fact]
        public void A_backup_root_lists_every_set_newest_first_as_manifests_with_size_and_age()
        {
            using var dir = new TempDir();
            var b = MixedRoot(dir, 120);
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0]", dir.Path);

            Assert.Empty(r.Errors);
            Assert.Null(r.Terminating);
            Assert.Equal(b.Sets.OrderByDescending(s => s.CreatedUtc).Select(s => s.Id), r.Output.Select(o => ((BackupManifest)o.BaseObject).Id));
            var first = r.Output[0];
            Assert.Equal("DoltBackup.Manifest.BackupManifest#Listing", first.TypeNames[0]);
            Assert.Contains("DoltBackup.Manifest.BackupManifest", first.TypeNames);
            Assert.Equal(3000L, (long)first.Properties["Size"].Value); // db0 1000 + db1 2000 bytes
            var age = (TimeSpan)first.Properties["Age"].Value;
            Assert.InRange(age.TotalMinutes, 59, 120);
        }

        [Fact]
        public void The_listing_view_is_selected_by_the_listing_type_and_its_size_and_age_columns_render()
        {
            // The hosted engine has no Format-Table/Out-String (Microsoft.PowerShell.Utility is not part of it), so the
            // view is checked as data, and its script blocks are run against real output with ForEach-Object.
            var view = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.LaidOutModule, "Catalog.Format.ps1xml")).Descendants("View").Single();
            Assert.Equal("DoltBackup.Manifest.BackupManifest#Listing", view.Element("ViewSelectedBy").Element("TypeName").Value);
            // 80 columns: the name is in the Id, the method in Format-List (FormatViewFitTests renders it at width 80).
            Assert.Equal(new[] { "Id", "Status", "DBs", "New", "Size", "Age" }, view.Descendants("Label").Select(l => l.Value).ToArray());
            var blocks = view.Descendants("TableColumnItem").Select(i => i.Element("ScriptBlock")?.Value).ToArray();

            using var dir = new TempDir();
            var b = new BackupRootBuilder(dir.Path, DateTime.UtcNow);
            b.Add("prod", TimeSpan.FromDays(2).Add(TimeSpan.FromHours(3)).Add(TimeSpan.FromMinutes(1)), BackupStatus.Completed);
            using var host = new PowerShellHost();
            string Render(string block) => host.Invoke("Get-DoltBackup -Path $args[0] | ForEach-Object -Process ([scriptblock]::Create($args[1]))", dir.Path, block).Single().ToString();

            Assert.Equal("2", Render(blocks[2]));
            Assert.Equal("2.9 KB", Render(blocks[3])); // New: a set that shares nothing added all it holds
            Assert.Equal("2.9 KB", Render(blocks[4]));
            Assert.Equal("2d 3h", Render(blocks[5]));
            // New and Size fit 8 characters, whatever the size.
            string Format(string block, long size) => host.Invoke("[pscustomobject]@{ NewSize = $args[0]; Size = $args[0] } | ForEach-Object -Process ([scriptblock]::Create($args[1]))", size, block).Single().ToString();
            foreach (int column in new[] { 3, 4 })
            {
                Assert.Equal("1023 GB", Format(blocks[column], 1023L * 1024 * 1024 * 1024 + 1));
                Assert.Equal(1.5.ToString("0.#") + " MB", Format(blocks[column], 1536L * 1024 + 100));
                Assert.Equal("1023 B", Format(blocks[column], 1023));
                Assert.Equal("1023 KB", Format(blocks[column], 1024L * 1024 - 1));
                Assert.Equal("8191 TB", Format(blocks[column], 8191L << 40));
            }
            Assert.Contains(Path.Combine("out", "DoltBackup", "Catalog.Format.ps1xml").Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText(RepoPaths.ModuleManifest));
        }

        [Fact]
        public void Filters_apply_to_a_root_in_powershell()
        {
            using var dir = new TempDir();
            var b = MixedRoot(dir, 80);
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0] -Name 'st*' -Status Completed, Failed -Last 4", dir.Path);
            var expected = b.Sets.Where(s => s.Name == "staging" && (s.Status == BackupStatus.Completed || s.Status == BackupStatus.Failed))
                .OrderByDescending(s => s.CreatedUtc).Take(4).Select(s => s.Id).ToList();
            Assert.Empty(r.Errors);
            Assert.Equal(expected, r.Output.Select(o => ((BackupManifest)o.BaseObject).Id).ToList());

            var since = host.Invoke("Get-DoltBackup -Path $args[0] -Since ([DateTime]::UtcNow.AddHours(-24))", dir.Path);
            Assert.Equal(b.Sets.Count(s => s.CreatedUtc >= DateTime.UtcNow.AddHours(-24)), since.Count);
        }

        [Fact]
        public void One_folder_or_one_manifest_file_still_reads_one_set()
        {
            using var dir = new TempDir();
            var b = MixedRoot(dir, 3);
            var set = b.Sets[1];
            using var host = new PowerShellHost();

            var byFolder = host.Invoke("Get-DoltBackup $args[0]", set.BackupFolder).Single();
            var byFile = host.Invoke("Get-DoltBackup -Path $args[0]", Path.Combine(set.BackupFolder, "manifest.json")).Single();
            var byPipeline = host.Invoke("[System.IO.DirectoryInfo]::new($args[0]) | Get-DoltBackup", set.BackupFolder).Single();

            foreach (var o in new[] { byFolder, byFile, byPipeline })
            {
                Assert.Equal(set.Id, ((BackupManifest)o.BaseObject).Id);
                Assert.Equal(set.BackupFolder, ((BackupManifest)o.BaseObject).BackupFolder);
            }
        }

        [Fact]
        public void Bad_manifests_in_a_root_are_warnings_and_the_good_sets_still_come()
        {
            using var dir = new TempDir();
            var b = MixedRoot(dir, 5);
            Directory.CreateDirectory(dir.Combine("junk"));
            File.WriteAllText(dir.Combine("junk", "manifest.json"), "{ not json");
            Directory.CreateDirectory(dir.Combine("newer"));
            File.WriteAllText(dir.Combine("newer", "manifest.json"), "{ \"schemaVersion\": 7 }");
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0]", dir.Path);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(5, r.Output.Count);
            Assert.Equal(2, r.Warnings.Count);
            Assert.Contains(r.Warnings, w => w.Contains(Path.Combine("junk", "manifest.json")) && w.Contains("not valid JSON"));
            Assert.Contains(r.Warnings, w => w.Contains("schemaVersion 7") && w.Contains("Update the module"));
        }

        [Fact]
        public void A_folder_with_no_sets_and_a_missing_path_are_ManifestNotFound_errors()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.Combine("empty", "not-a-set"));
            using var host = new PowerShellHost();

            var r = host.Run("Get-DoltBackup -Path $args[0], $args[1]", dir.Combine("empty"), dir.Combine("missing"));

            Assert.Empty(r.Output);
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.Equal("DoltBackup.ManifestNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId));
            Assert.All(r.Errors, e => Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction)));
        }
    }
}
