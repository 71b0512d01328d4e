using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using DoltBackup.Capture;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Capture
{
    public class BackupDoltConfigurationCommandTests
    {
        private static void WriteEmptySet(ServerRootCopy root) => ManifestStore.Write(root.NewManifest());

        [Fact]
        public void Captures_from_the_pipeline_rewrites_manifest_json_and_passes_the_manifest_on()
        {
            using var root = new ServerRootCopy();
            WriteEmptySet(root);
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Path $args[0] | Backup-DoltConfiguration -ConfigPath $args[1] -GlobalConfigDir $args[2] -Verbose",
                root.BackupFolder, root.ConfigPath, root.GlobalDir);

            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var manifest = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.ServerConfig);
            Assert.Contains(manifest.Artifacts, a => a.Kind == ArtifactKind.BranchControlFile); // no server runs: the real probe says so
            var onDisk = ManifestStore.Read(root.BackupFolder);
            Assert.Equal(manifest.Artifacts.Count, onDisk.Artifacts.Count);
            Assert.Equal(manifest.Artifacts.Select(a => a.Sha256), onDisk.Artifacts.Select(a => a.Sha256));
            Assert.Equal(manifest.Omitted.Count, onDisk.Omitted.Count);
            Assert.Single(r.Warnings, w => w.Contains("secret"));
            Assert.Contains(r.Verbose, v => v.StartsWith("Capturing ") && v.Contains("config.yaml"));
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
            foreach (var (name, bytes) in root.Secrets())
            {
                Assert.Empty(ServerRootCopy.FilesContaining(root.BackupFolder, bytes));
                Assert.DoesNotContain(Encoding.UTF8.GetString(bytes).Trim(), r.AllText());
            }
        }

        [Fact]
        public void Path_and_IncludeSecrets_store_secrets_owner_only()
        {
            using var root = new ServerRootCopy();
            WriteEmptySet(root);
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2] -IncludeSecrets -Database sales -Confirm:$false",
                root.BackupFolder, root.ConfigPath, root.GlobalDir);

            Assert.Empty(r.Errors);
            var manifest = (BackupManifest)r.Output.Single().BaseObject;
            var key = manifest.Artifacts.Single(a => a.Kind == ArtifactKind.TlsKey);
            Assert.True(key.Secret);
            Assert.Equal(File.ReadAllBytes(root.TlsKey), File.ReadAllBytes(Path.Combine(root.BackupFolder, key.StoredPath)));
            if (!System.OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root.BackupFolder, key.StoredPath)));
            }
            Assert.DoesNotContain(manifest.Artifacts, a => a.Database == "inventory");
            Assert.DoesNotContain(r.Warnings, w => w.Contains("secret"));
            // Secret values never reach the output or the streams, even when the files are captured.
            Assert.DoesNotContain(ServerRootCopy.ServerInfoSecret, r.AllText());
        }

        [Fact]
        public void WhatIf_writes_nothing_and_changes_no_manifest()
        {
            using var root = new ServerRootCopy();
            WriteEmptySet(root);
            string before = File.ReadAllText(Path.Combine(root.BackupFolder, BackupManifest.FileName));
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2] -WhatIf",
                root.BackupFolder, root.ConfigPath, root.GlobalDir);

            Assert.Empty(r.Errors);
            Assert.Empty(r.Output);
            Assert.Equal(new[] { Path.Combine(root.BackupFolder, BackupManifest.FileName) }, Directory.GetFiles(root.BackupFolder, "*", SearchOption.AllDirectories));
            Assert.Equal(before, File.ReadAllText(Path.Combine(root.BackupFolder, BackupManifest.FileName)));
        }

        [Fact]
        public void A_missing_config_is_a_clear_error_and_the_manifest_is_untouched()
        {
            using var root = new ServerRootCopy();
            WriteEmptySet(root);
            string before = File.ReadAllText(Path.Combine(root.BackupFolder, BackupManifest.FileName));
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2]",
                root.BackupFolder, Path.Combine(root.Root, "nope.yaml"), root.GlobalDir);

            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.ConfigurationNotFound,DoltBackup.Cmdlets.BackupDoltConfigurationCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
            Assert.Empty(r.Output);
            Assert.Equal(before, File.ReadAllText(Path.Combine(root.BackupFolder, BackupManifest.FileName)));
        }

        [Fact]
        public void An_unreadable_file_is_a_non_terminating_error_and_the_rest_is_captured()
        {
            using var root = new ServerRootCopy();
            string config = Path.Combine(root.DataDir, "inventory", ".dolt", "config.json");
            File.Delete(config);
            Directory.CreateDirectory(config);
            WriteEmptySet(root);
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2]",
                root.BackupFolder, root.ConfigPath, root.GlobalDir);

            var error = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.CaptureFailed,", error.FullyQualifiedErrorId);
            Assert.Equal(config, error.TargetObject);
            var manifest = (BackupManifest)r.Output.Single().BaseObject;
            Assert.Equal(ItemStatus.Failed, manifest.Artifacts.Single(a => a.OriginalPath == config).Status);
            Assert.Equal(8, manifest.Artifacts.Count(a => a.Status == ItemStatus.Completed));
            Assert.Single(ManifestStore.Read(root.BackupFolder).Errors);
        }

        [Fact]
        public void A_busy_backup_set_is_refused()
        {
            using var root = new ServerRootCopy();
            WriteEmptySet(root);
            using var held = DoltBackup.Locking.BackupSetLock.TryAcquire(root.BackupFolder);
            Assert.NotNull(held);
            using var host = new PowerShellHost();
            var r = host.Run("Backup-DoltConfiguration -Path $args[0] -ConfigPath $args[1] -GlobalConfigDir $args[2]",
                root.BackupFolder, root.ConfigPath, root.GlobalDir);
            Assert.StartsWith("DoltBackup.BackupSetBusy,", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.False(Directory.Exists(Path.Combine(root.BackupFolder, "config")));
        }

        [Fact]
        public void The_format_file_has_views_for_types_that_exist_and_is_listed_in_the_manifest()
        {
            // The hosted engine has no Out-String (Microsoft.PowerShell.Utility is not part of the SDK package), so the
            // views are checked structurally; a malformed file would also make Import-Module fail in every test.
            var doc = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "module", "Capture.Format.ps1xml"));
            var typeNames = doc.Descendants("TypeName").Select(e => e.Value).ToList();
            Assert.Equal(new[] { "DoltBackup.Manifest.OmittedFile", "DoltBackup.Capture.ArtifactRestoreResult" }, typeNames);
            foreach (var name in typeNames)
            {
                var type = typeof(ServerFileCapture).Assembly.GetType(name, throwOnError: true);
                foreach (var property in doc.Descendants("PropertyName").Select(e => e.Value).Distinct()
                             .Where(p => doc.Descendants("View").Single(v => v.Descendants("TypeName").Single().Value == name).Descendants("PropertyName").Any(e => e.Value == p)))
                {
                    Assert.NotNull(type.GetProperty(property));
                }
            }
            Assert.Contains("'out/DoltBackup/Capture.Format.ps1xml'", File.ReadAllText(RepoPaths.ModuleManifest));
            Assert.True(File.Exists(Path.Combine(RepoPaths.LaidOutModule, "Capture.Format.ps1xml")));
        }
    }
}
