using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class PackageTests
    {
        private static string Zip => Path.Combine(RepoPaths.Root, "out", "DoltBackup.zip");

        [Fact]
        public void The_zip_has_the_module_folder_at_its_root_as_Azure_Automation_requires()
        {
            Assert.True(File.Exists(Zip), "the build did not produce out/DoltBackup.zip");
            using var zip = ZipFile.OpenRead(Zip);
            var names = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
            Assert.All(names, n => Assert.StartsWith("DoltBackup/", n));
            Assert.Contains("DoltBackup/DoltBackup.psd1", names);
            Assert.Contains("DoltBackup/DoltBackup.dll", names);
            Assert.Contains("DoltBackup/DoltBackup.Format.ps1xml", names);
            Assert.Contains("DoltBackup/en-US/DoltBackup.dll-Help.xml", names);
            Assert.DoesNotContain(names, n => n.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));
            Assert.All(names, n => Assert.True(n.Length <= 140, n + " is longer than Azure Automation's 140 characters"));
        }

        [Fact]
        public void The_zipped_module_imports_from_its_own_folder_with_no_outside_dependency()
        {
            using var dir = new TempDir();
            ZipFile.ExtractToDirectory(Zip, dir.Path);
            using var host = new PowerShellHost(importModule: false);
            var r = host.Run("Import-Module $args[0] -PassThru -ErrorAction Stop | ForEach-Object { $_.ModuleBase; $_.ExportedCmdlets.Count }", dir.Combine("DoltBackup", "DoltBackup.psd1"));
            Assert.Null(r.Terminating);
            Assert.Equal(dir.Combine("DoltBackup"), r.Output[0].ToString());
            Assert.True((int)r.Output[1].BaseObject >= 1);
            // Every assembly DoltBackup.dll references, other than the runtime's and PowerShell's, ships in the folder (beside the
            // DLL, or for libraries with a runtime-specific build, under lib/netstandard2.0 and lib/net6.0).
            var shipped = Directory.GetFiles(dir.Combine("DoltBackup"), "*.dll").Concat(Directory.Exists(dir.Combine("DoltBackup", "lib", "netstandard2.0")) ? Directory.GetFiles(dir.Combine("DoltBackup", "lib", "netstandard2.0"), "*.dll") : Array.Empty<string>()).Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var refs = System.Reflection.Assembly.LoadFile(dir.Combine("DoltBackup", "DoltBackup.dll")).GetReferencedAssemblies().Select(a => a.Name);
            foreach (var name in refs)
            {
                bool platform = name == "netstandard" || name == "mscorlib" || name.StartsWith("System.Management.Automation") || name.StartsWith("Microsoft.Management.Infrastructure");
                Assert.True(platform || shipped.Contains(name), name + " is referenced but not shipped in the module folder");
            }
        }
    }
}
