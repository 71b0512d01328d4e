using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using DoltBackup.Ebs;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Ebs
{
    /// <summary>The resolver's decision, on stand-in assemblies (what it returns, and when it loads a file).</summary>
    public class AwsSdkAssemblyResolverTests
    {
        private sealed class StandIn : Assembly
        {
            private readonly AssemblyName _name;
            public StandIn(string name, Version version) => _name = new AssemblyName(name) { Version = version };
            public override AssemblyName GetName() => _name;
            public override string FullName => _name.FullName;
            public override string Location => "/elsewhere/" + _name.Name + ".dll";
        }

        private static AssemblyName Core(string version) => new AssemblyName("AWSSDK.Core") { Version = new Version(version) };

        private static Assembly NoLoad(string path) => throw new Xunit.Sdk.XunitException("must not load " + path);

        [Fact]
        public void An_already_loaded_v4_copy_is_reused_and_nothing_is_loaded()
        {
            var loaded = new Assembly[] { new StandIn("AWSSDK.Core", new Version(4, 0, 0, 0)), new StandIn("AWSSDK.EC2", new Version(4, 0, 0, 0)) };
            Assert.Same(loaded[0], AwsSdkAssemblyResolver.Resolve(Core("4.0.0.0"), loaded, "/module", NoLoad));
            Assert.Same(loaded[1], AwsSdkAssemblyResolver.Resolve(new AssemblyName("AWSSDK.EC2, Version=4.0.0.0, Culture=neutral, PublicKeyToken=885c28607f98e604"), loaded, "/module", NoLoad));
        }

        [Fact]
        public void A_loaded_copy_of_another_major_version_is_not_reused_and_the_module_copy_is_loaded()
        {
            using var dir = new TempDir();
            File.Copy(typeof(Amazon.Runtime.AWSCredentials).Assembly.Location, dir.Combine("AWSSDK.Core.dll"));
            var loaded = new Assembly[] { new StandIn("AWSSDK.Core", new Version(3, 3, 0, 0)) };
            var loadedPaths = new List<string>();
            var marker = new StandIn("AWSSDK.Core", new Version(4, 0, 0, 0));
            var result = AwsSdkAssemblyResolver.Resolve(Core("4.0.0.0"), loaded, dir.Path, p => { loadedPaths.Add(p); return marker; });
            Assert.Same(marker, result);
            Assert.Equal(new[] { dir.Combine("AWSSDK.Core.dll") }, loadedPaths);
        }

        [Fact]
        public void Requests_for_other_assemblies_or_other_major_versions_are_left_alone()
        {
            var loaded = new Assembly[] { new StandIn("AWSSDK.Core", new Version(4, 0, 0, 0)) };
            Assert.Null(AwsSdkAssemblyResolver.Resolve(new AssemblyName("YamlDotNet"), loaded, "/module", NoLoad));
            Assert.Null(AwsSdkAssemblyResolver.Resolve(new AssemblyName("AWSSDK.S3") { Version = new Version(4, 0, 0, 0) }, loaded, "/module", NoLoad));
            // AWSPowerShell asking for its 3.3.0.0 must not be handed the v4 copy.
            Assert.Null(AwsSdkAssemblyResolver.Resolve(Core("3.3.0.0"), loaded, "/module", NoLoad));
        }

        [Fact]
        public void Nothing_is_returned_when_neither_a_loaded_copy_nor_the_module_file_exists()
        {
            using var dir = new TempDir();
            Assert.Null(AwsSdkAssemblyResolver.Resolve(Core("4.0.0.0"), Array.Empty<Assembly>(), dir.Path, NoLoad));
        }

        [Fact]
        public void A_conflicting_major_version_is_reported_on_dotnet_but_not_on_dotnet_framework()
        {
            var loaded = new Assembly[] { new StandIn("AWSSDK.Core", new Version(3, 3, 0, 0)) };
            Assert.Same(loaded[0], AwsSdkAssemblyResolver.FindConflict(loaded, netFramework: false));
            Assert.Null(AwsSdkAssemblyResolver.FindConflict(loaded, netFramework: true));
            Assert.Null(AwsSdkAssemblyResolver.FindConflict(new Assembly[] { new StandIn("AWSSDK.Core", new Version(4, 0, 0, 0)) }, netFramework: false));
        }
    }
}
