using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Tests.Cli;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    /// <summary>
    /// The behaviours tests/pester/*.Tests.ps1 rely on, checked here the way Pester checks them (Pester cannot run on
    /// this machine): `Should -Throw -ErrorId` catches the error and compares the WHOLE FullyQualifiedErrorId with -like.
    /// </summary>
    public class PesterMirrorTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();
        private readonly PowerShellHost _host = new PowerShellHost();

        /// <summary>What `{ ... } | Should -Throw` sees: the FullyQualifiedErrorId of the error the block throws ($args[0] is a temp folder).</summary>
        private string ThrownErrorId(string block) =>
            _host.Invoke("try { $null = & ([scriptblock]::Create($args[0])) $args[1]; 'nothing thrown' } catch { $_.FullyQualifiedErrorId }", block, _dir.Path)
                .Single().ToString();

        [Theory]
        // Restore.Tests.ps1
        [InlineData("Restore-DoltBackup -Url 'file:///nowhere/x' -Name x -NewName a -Prefix b_ -DataDir $args[0] -Confirm:$false",
            "DoltBackup.InvalidRestoreRequest,DoltBackup.Cmdlets.RestoreDoltBackupCommand")]
        [InlineData("Restore-DoltBackup -Url 'file:///nowhere/x' -Name x -DataDir ([System.IO.Path]::Combine($args[0], 'no-such-dir-doltbackup')) -Confirm:$false",
            "DoltBackup.DataDirNotFound,DoltBackup.Cmdlets.RestoreDoltBackupCommand")]
        // RestoreTest.Tests.ps1
        [InlineData("[DoltBackup.Manifest.BackupManifest]::new() | Test-DoltBackup -ScratchDataDir ([System.IO.Path]::Combine($args[0], 'x')) -ErrorAction Stop",
            "DoltBackup.InvalidRestoreTestRequest,DoltBackup.Cmdlets.TestDoltBackupCommand")]
        [InlineData("Get-DoltBackup -Path $args[0] -Server 127.0.0.1 -ErrorAction Stop",
            "DoltBackup.InvalidGetRequest,DoltBackup.Cmdlets.GetDoltBackupCommand")]
        // Retention.Tests.ps1
        [InlineData("Remove-DoltBackup -Path $args[0] -Force -ErrorAction Stop",
            "DoltBackup.RetentionPolicyRequired,DoltBackup.Cmdlets.RemoveDoltBackupCommand")]
        // Sync.Tests.ps1
        [InlineData("New-DoltBackup -Server localhost -Destination $args[0] -Method FileCopy -ErrorAction Stop",
            "DoltBackup.InvalidArgument,DoltBackup.Cmdlets.NewDoltBackupCommand")]
        public void Should_Throw_ErrorId_sees_the_full_id(string block, string expected)
        {
            Assert.Equal(expected, ThrownErrorId(block));
        }

        /// <summary>Module.Tests.ps1: a missing folder is a non-terminating error with this id, and the next path is read.</summary>
        [Fact]
        public void A_missing_folder_is_a_non_terminating_ManifestNotFound()
        {
            var r = _host.Run("Get-DoltBackup -Path $args[0] -ErrorVariable errs -ErrorAction SilentlyContinue; $errs[0].FullyQualifiedErrorId", _dir.Combine("missing"));
            Assert.Equal("DoltBackup.ManifestNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand", r.Output.Single().ToString());
        }

        /// <summary>Sync.Tests.ps1: one shared server, a set per test; each test registers its own -Name.</summary>
        [Fact]
        public void Two_destinations_on_one_server_need_two_names()
        {
            using var bed = new CmdletTestBed(2);
            Assert.Empty(bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1]", bed.Host, bed.Dir.Combine("a")).Errors);

            var sameName = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1]", bed.Host, bed.Dir.Combine("b"));
            Assert.Equal(2, sameName.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("DoltBackup.BackupNameConflict,", StringComparison.Ordinal)));

            var ownName = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] -Name pester_1a2b3c4d | Sync-DoltBackup", bed.Host, bed.Dir.Combine("b"));
            Assert.Empty(ownName.Errors);
            Assert.Equal("Completed", ownName.Output.Single().Properties["Status"].Value.ToString());
            Assert.All(bed.Engine.Databases.Values, d => Assert.StartsWith("file://", d.Backups["pester_1a2b3c4d"]));
        }

        /// <summary>Capture.Tests.ps1 and Grants.Tests.ps1 compare the mode's flags, never its text.</summary>
        [Fact]
        public void The_owner_only_check_compares_flags()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            string file = _dir.Combine("secret");
            File.WriteAllText(file, "x");
            File.SetUnixFileMode(file, UnixFileMode.UserWrite | UnixFileMode.UserRead);
            var r = _host.Invoke("[System.IO.FileInfo]::new($args[0]).UnixFileMode -eq ([System.IO.UnixFileMode]::UserRead -bor [System.IO.UnixFileMode]::UserWrite)", file);
            Assert.True((bool)r.Single().BaseObject);
            File.SetUnixFileMode(file, UnixFileMode.UserWrite | UnixFileMode.UserRead | UnixFileMode.GroupRead);
            r = _host.Invoke("[System.IO.FileInfo]::new($args[0]).UnixFileMode -eq ([System.IO.UnixFileMode]::UserRead -bor [System.IO.UnixFileMode]::UserWrite)", file);
            Assert.False((bool)r.Single().BaseObject);
        }

        /// <summary>Grants.Tests.ps1: root without a password is [securestring]::new() (ConvertTo-SecureString refuses '').</summary>
        [Fact]
        public void An_empty_password_credential_is_taken_as_given()
        {
            var r = _host.Run("Export-DoltGrants -Server 127.0.0.1 -Port 1 -TlsMode None -ConnectTimeout 5 -Credential ([pscredential]::new('root', [securestring]::new()))");
            var e = (r.Terminating as IContainsErrorRecord)?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        }

        /// <summary>What the Pester files read from Get-Help (Module, Sync, Restore, RestoreTest, Verification, EbsRestore).</summary>
        [Fact]
        public void The_help_the_Pester_files_read_is_there()
        {
            foreach (var name in new[] { "Sync-DoltBackup", "Restore-DoltBackup", "Test-DoltBackup" })
            {
                Assert.True((int)_host.Invoke("@((Get-Help $args[0] -Examples).examples.example).Count", name).Single().BaseObject >= 2, name);
            }
            Assert.Equal(2, (int)_host.Invoke("@((Get-Help Get-DoltBackup -Full).syntax.syntaxItem).Count").Single().BaseObject);
            Assert.Single(_host.Invoke("(Get-Help Get-DoltBackup -Full).parameters.parameter | Where-Object name -eq 'ExcludeDatabase'"));
            Assert.Single(_host.Invoke("(Get-Help Test-DoltBackup -Full).parameters.parameter | Where-Object name -eq 'ScratchDataDir'"));
            Assert.Contains("-RestoreTest", string.Join("\n", _host.Invoke("(Get-Help Test-DoltBackup -Full).examples.example.code")));
            // Module.Tests.ps1: every parameter Get-Help -Full lists has a description.
            var bare = _host.Invoke(@"foreach ($c in Get-Command -Module DoltBackup) {
                foreach ($p in (Get-Help $c.Name -Full).parameters.parameter) { if (-not ($p.description.Text -join '').Trim()) { $c.Name + ' -' + $p.name } } }");
            Assert.Empty(bare.Select(o => o.ToString()));
            string full = _host.Render("Get-Help Restore-DoltBackup -Full");
            Assert.Contains("nouuid", full);
            Assert.Contains("vgimportclone", full);
            Assert.Contains("lsblk", full);
        }

        public void Dispose()
        {
            _host.Dispose();
            _dir.Dispose();
        }
    }
}
