using System;
using System.IO;
using System.Reflection;
using DoltBackup.Common;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    public class ModuleAssemblyResolverTests
    {
        [Fact]
        public void An_already_loaded_assembly_is_reused_whatever_version_is_asked_for()
        {
            // YamlDotNet is loaded in this process (the test assembly uses DoltBackup's config reader elsewhere);
            // asking for another version must give the loaded copy, as a binding redirect would.
            var loaded = typeof(YamlDotNet.RepresentationModel.YamlStream).Assembly;
            var asked = new AssemblyName("YamlDotNet, Version=1.2.3.4, Culture=neutral, PublicKeyToken=ec19458f3c15af5e");
            var resolved = ModuleAssemblyResolver.Resolve(asked, RepoPaths.LaidOutModule);
            Assert.Same(loaded, resolved);
        }

        [Fact]
        public void Names_that_are_not_in_the_module_folder_are_left_to_the_runtime()
        {
            Assert.Null(ModuleAssemblyResolver.Resolve(new AssemblyName("Not.A.Dependency, Version=1.0.0.0"), RepoPaths.LaidOutModule));
            Assert.Null(ModuleAssemblyResolver.Resolve(new AssemblyName("DoltBackup.resources, Version=1.0.0.0"), RepoPaths.LaidOutModule));
        }

        [Fact]
        public void Every_dependency_of_the_module_resolves_from_its_folder()
        {
            foreach (var reference in typeof(ModuleAssemblyResolver).Assembly.GetReferencedAssemblies())
            {
                if (File.Exists(Path.Combine(RepoPaths.LaidOutModule, reference.Name + ".dll")))
                {
                    Assert.NotNull(ModuleAssemblyResolver.Resolve(reference, RepoPaths.LaidOutModule));
                }
            }
        }
    
        [Fact]
        public void BouncyCastle_is_laid_out_per_runtime_and_the_fitting_build_is_chosen()
        {
            string dir = RepoPaths.LaidOutModule;
            Assert.False(File.Exists(Path.Combine(dir, "BouncyCastle.Cryptography.dll")), "BouncyCastle must not sit beside the DLL, or PowerShell 7 would load the slow netstandard2.0 build");
            string net6 = Path.Combine(dir, "lib", "net6.0", "BouncyCastle.Cryptography.dll");
            string standard = Path.Combine(dir, "lib", "netstandard2.0", "BouncyCastle.Cryptography.dll");
            Assert.True(File.Exists(net6) && File.Exists(standard));
            Assert.Equal(net6, ModuleAssemblyResolver.Candidate(dir, "BouncyCastle.Cryptography", net6OrLater: true));
            Assert.Equal(standard, ModuleAssemblyResolver.Candidate(dir, "BouncyCastle.Cryptography", net6OrLater: false));
            Assert.True(ModuleAssemblyResolver.RuntimeIsNet6OrLater);
            // A DLL beside the module still wins over lib/ (the other dependencies).
            Assert.Equal(Path.Combine(dir, "YamlDotNet.dll"), ModuleAssemblyResolver.Candidate(dir, "YamlDotNet", true));
        }
    }
}
