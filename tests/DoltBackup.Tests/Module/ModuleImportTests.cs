using System.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class ModuleImportTests
    {
        [Fact]
        public void Import_lists_the_exported_cmdlets()
        {
            using var host = new PowerShellHost();
            var names = host.Invoke("(Get-Command -Module DoltBackup).Name").Select(o => o.ToString()).ToList();
            Assert.Contains("Get-DoltBackup", names);
        }

        [Fact]
        public void Unit_type_and_module_type_are_usable_in_one_process()
        {
            // The test assembly references DoltBackup.dll directly; the engine imports the laid-out copy.
            var m = new DoltBackup.Manifest.BackupManifest { Name = "x" };
            using var host = new PowerShellHost();
            var r = host.Invoke("[DoltBackup.Manifest.BackupManifest]::CurrentSchemaVersion");
            Assert.Equal(1, (int)r[0].BaseObject);
            Assert.Equal("x", m.Name);
        }
    }
}
