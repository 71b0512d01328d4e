using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class ModuleManifestTests
    {
        private static readonly Type[] CmdletTypes = typeof(DoltBackup.Cmdlets.DoltBackupCmdlet).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() != null).ToArray();

        private static string NameOf(Type t)
        {
            var a = t.GetCustomAttribute<CmdletAttribute>();
            return a.VerbName + "-" + a.NounName;
        }

        [Theory]
        [InlineData("root")]
        [InlineData("laid-out")]
        public void Test_ModuleManifest_passes_and_declares_both_editions(string which)
        {
            string path = which == "root" ? RepoPaths.ModuleManifest : Path.Combine(RepoPaths.LaidOutModule, "DoltBackup.psd1");
            using var host = new PowerShellHost(importModule: false);
            var info = (PSModuleInfo)host.Invoke("Test-ModuleManifest -Path $args[0] -ErrorAction Stop", path)[0].BaseObject;
            Assert.Equal("DoltBackup", info.Name);
            Assert.Equal(typeof(DoltBackup.Cmdlets.DoltBackupCmdlet).Assembly.GetName().Version.ToString(3), info.Version.ToString(3));
            Assert.Contains("Desktop", info.CompatiblePSEditions);
            Assert.Contains("Core", info.CompatiblePSEditions);
            Assert.Equal(new Version(5, 1), info.PowerShellVersion);
            var psData = (Hashtable)((Hashtable)info.PrivateData)["PSData"];
            foreach (var key in new[] { "Tags", "ProjectUri", "LicenseUri", "ReleaseNotes" })
            {
                Assert.True(psData.ContainsKey(key), "PSData lacks " + key);
            }
        }

        [Fact]
        public void Manifest_lists_exports_explicitly_without_wildcards()
        {
            string text = File.ReadAllText(RepoPaths.ModuleManifest);
            Assert.DoesNotContain("'*'", text);
            Assert.Contains("FunctionsToExport    = @()", text);
            Assert.Contains("VariablesToExport    = @()", text);
            Assert.Contains("AliasesToExport      = @()", text);
        }

        [Fact]
        public void Every_cmdlet_class_is_exported_and_every_export_is_a_cmdlet_class()
        {
            using var host = new PowerShellHost();
            var exported = host.Invoke("(Get-Module DoltBackup).ExportedCmdlets.Keys").Select(o => o.ToString()).OrderBy(x => x).ToArray();
            var implemented = CmdletTypes.Select(NameOf).OrderBy(x => x).ToArray();
            Assert.Equal(implemented, exported);
        }

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb()
        {
            using var host = new PowerShellHost(importModule: false);
            var approved = host.Invoke("[System.Management.Automation.VerbsCommon].GetFields().Name + [System.Management.Automation.VerbsData].GetFields().Name + [System.Management.Automation.VerbsLifecycle].GetFields().Name + [System.Management.Automation.VerbsDiagnostic].GetFields().Name + [System.Management.Automation.VerbsCommunications].GetFields().Name + [System.Management.Automation.VerbsSecurity].GetFields().Name + [System.Management.Automation.VerbsOther].GetFields().Name")
                .Select(o => o.ToString()).ToHashSet();
            foreach (var t in CmdletTypes)
            {
                Assert.Contains(t.GetCustomAttribute<CmdletAttribute>().VerbName, approved);
            }
        }

        [Fact]
        public void Every_cmdlet_declares_its_output_type()
        {
            foreach (var t in CmdletTypes)
            {
                Assert.True(t.GetCustomAttributes<OutputTypeAttribute>().Any(), NameOf(t) + " has no [OutputType]");
            }
        }

        [Fact]
        public void Cmdlets_that_change_things_support_ShouldProcess()
        {
            var changing = new[] { "New", "Sync", "Restore", "Remove", "Export", "Set", "Add", "Clear" };
            // Makes an in-memory object only (as New-AzStorageContext): nothing to confirm.
            var inMemoryOnly = new[] { "New-DoltBackupStorageContext" };
            foreach (var t in CmdletTypes)
            {
                var a = t.GetCustomAttribute<CmdletAttribute>();
                if (changing.Contains(a.VerbName) && !inMemoryOnly.Contains(NameOf(t)))
                {
                    Assert.True(a.SupportsShouldProcess, NameOf(t) + " writes or deletes but lacks SupportsShouldProcess");
                }
            }
        }

        [Fact]
        public void Every_cmdlet_has_help_with_a_synopsis_parameter_text_and_examples()
        {
            using var host = new PowerShellHost();
            foreach (var t in CmdletTypes)
            {
                string name = NameOf(t);
                var help = host.Invoke("Get-Help -Name $args[0] -Full", name).Single();
                string synopsis = help.Properties["Synopsis"]?.Value?.ToString() ?? "";
                Assert.False(string.IsNullOrWhiteSpace(synopsis) || synopsis.StartsWith(name, StringComparison.Ordinal) && synopsis.Contains("["),
                    name + " has no MAML synopsis (module/help/" + name + ".xml)");
                var examples = host.Invoke("@((Get-Help -Name $args[0] -Examples).examples.example).Count", name).Single();
                Assert.True((int)examples.BaseObject >= 1, name + " has no example in its help");

                // Read the MAML itself: Get-Help fills in parameters the file lacks, which would hide a gap.
                var maml = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.LaidOutModule, "en-US", "DoltBackup.dll-Help.xml"));
                System.Xml.Linq.XNamespace cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
                System.Xml.Linq.XNamespace m = "http://schemas.microsoft.com/maml/2004/10";
                var command = maml.Descendants(cmd + "command").Single(c => (string)c.Element(cmd + "details")?.Element(cmd + "name") == name);
                System.Xml.Linq.XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
                Assert.False(string.IsNullOrWhiteSpace((string)command.Element(cmd + "details")?.Element(m + "description")), name + " has no synopsis in its MAML");
                Assert.True(command.Element(cmd + "examples")?.Elements(cmd + "example").Count(e => !string.IsNullOrWhiteSpace((string)e.Element(dev + "code"))) >= 1,
                    name + " has no example with code in its MAML");
                var documented = command.Element(cmd + "parameters")?.Elements(cmd + "parameter")
                    .Where(p => !string.IsNullOrWhiteSpace((string)p.Element(m + "description")))
                    .Select(p => ((string)p.Element(m + "name")).Trim())
                    .ToHashSet(StringComparer.OrdinalIgnoreCase) ?? new System.Collections.Generic.HashSet<string>();
                var declared = t.GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()).Select(p => p.Name);
                foreach (var p in declared)
                {
                    Assert.True(documented.Contains(p), $"{name} -{p} has no description in module/help/{name}.xml");
                }
            }
        }

        [Fact]
        public void Cmdlet_parameters_expose_no_driver_types()
        {
            // A parameter of a MySqlConnector, AWS, Azure or YamlDotNet type would load that assembly at import.
            foreach (var t in CmdletTypes)
            {
                foreach (var p in t.GetProperties())
                {
                    string ns = p.PropertyType.Namespace ?? "";
                    Assert.False(ns.StartsWith("MySqlConnector") || ns.StartsWith("Amazon") || ns.StartsWith("YamlDotNet") || ns.StartsWith("Azure") || ns.StartsWith("Org.BouncyCastle"),
                        $"{NameOf(t)}.{p.Name} exposes {p.PropertyType}: importing the module would load that assembly");
                }
            }
        }
    }
}
