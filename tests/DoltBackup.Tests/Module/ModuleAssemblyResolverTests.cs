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
    }
}
