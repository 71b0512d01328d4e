using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class ImportIsolationTests
    {
        [Fact]
        public void Importing_the_module_loads_no_driver_yaml_aws_or_azure_assembly()
        {
            // A fresh process (this one has loaded the drivers for other tests): the import benchmark's child mode
            // imports DoltBackup.psd1 in a new runspace and prints the assemblies the import loaded.
            string config = AppContext.BaseDirectory.Contains(Path.DirectorySeparatorChar + "Release" + Path.DirectorySeparatorChar) ? "Release" : "Debug";
            string harness = Path.Combine(RepoPaths.Root, "benchmarks", "DoltBackup.Benchmarks", "bin", config, "net10.0", "DoltBackup.Benchmarks.dll");
            Assert.True(File.Exists(harness), "build the solution first: " + harness);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(harness);
            psi.ArgumentList.Add("--import-child");
            psi.ArgumentList.Add(RepoPaths.ModuleManifest);
            using var p = Process.Start(psi);
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr + stdout);
            var loaded = stdout.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            Assert.Contains("DoltBackup", loaded);
            Assert.DoesNotContain(loaded, a => a.StartsWith("MySqlConnector") || a.StartsWith("YamlDotNet") || a.StartsWith("AWSSDK") || a.StartsWith("Azure.") || a.StartsWith("Microsoft.Identity") || a.StartsWith("BouncyCastle"));
        }
    }
}
