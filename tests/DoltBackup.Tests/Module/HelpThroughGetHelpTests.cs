using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    /// <summary>
    /// Asks the engine for help the way a user does (Get-Help), after importing the module by each path a user has:
    /// the repository's root DoltBackup.psd1 (the README's command), the laid-out out/DoltBackup folder, and the
    /// expanded DoltBackup.zip. Get-Help finds a binary cmdlet's MAML only under the importing module's ModuleBase.
    /// </summary>
    public class HelpThroughGetHelpTests
    {
        [Theory]
        [InlineData("root")]
        [InlineData("laid-out")]
        [InlineData("zip")]
        public void Get_Help_returns_examples_and_parameter_descriptions_for_every_cmdlet(string importPath)
        {
            using var zipDir = new TempDir();
            string manifest = importPath switch
            {
                "root" => RepoPaths.ModuleManifest,
                "laid-out" => Path.Combine(RepoPaths.LaidOutModule, "DoltBackup.psd1"),
                _ => ExpandZip(zipDir),
            };
            using var host = new PowerShellHost(importModule: false);
            host.Invoke("Import-Module -Name $args[0] -ErrorAction Stop", manifest);

            foreach (var type in ModuleManifestTests.CmdletTypes)
            {
                string name = ModuleManifestTests.NameOf(type);
                var codes = host.Invoke("(Get-Help -Name $args[0] -Examples).examples.example | ForEach-Object { [string]$_.code }", name)
                    .Select(o => o?.ToString()).Where(c => !string.IsNullOrWhiteSpace(c)).ToList();
                Assert.True(codes.Count >= 1, $"{importPath}: Get-Help {name} -Examples shows no example");
                Assert.All(codes, c => Assert.Contains(name, c));

                // What the console shows: the first example's code line, not only the syntax.
                string shown = host.Render("Get-Help -Name $args[0] -Examples", name);
                Assert.Contains(codes[0].Split('\n')[0].Trim(), shown);

                foreach (var parameter in type.GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()).Select(p => p.Name))
                {
                    string text = string.Join(" ", host.Invoke("(Get-Help -Name $args[0] -Parameter $args[1]).description | ForEach-Object { $_.Text }", name, parameter)
                        .Select(o => o?.ToString()));
                    Assert.False(string.IsNullOrWhiteSpace(text), $"{importPath}: Get-Help {name} -Parameter {parameter} shows no description");
                }
            }
        }

        private static string ExpandZip(TempDir dir)
        {
            ZipFile.ExtractToDirectory(Path.Combine(RepoPaths.Root, "out", "DoltBackup.zip"), dir.Path);
            return dir.Combine("DoltBackup", "DoltBackup.psd1");
        }
    }
}
