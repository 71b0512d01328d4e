using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DoltBackup.Ebs
{
    /// <summary>
    /// Lets DoltBackup share AWSSDK.Core and AWSSDK.EC2 with AWS.Tools.EC2 in one PowerShell session, whichever was
    /// imported first. When the runtime cannot bind them by itself, AppDomain.AssemblyResolve (on .NET Framework and
    /// .NET) returns a copy already loaded in the process (same name, major version 4, at least the one asked for); only
    /// when none is loaded does it load the copy beside DoltBackup.dll. It never loads a second copy.
    /// </summary>
    internal static class AwsSdkAssemblyResolver
    {
        /// <summary>The assemblies this resolver answers for.</summary>
        internal static readonly string[] AwsAssemblies = { "AWSSDK.Core", "AWSSDK.EC2", "AWSSDK.S3" };

        /// <summary>The AWS SDK for .NET v4 assembly version (AWS.Tools v5 ships the same).</summary>
        internal static readonly Version RequiredVersion = new Version(4, 0, 0, 0);

        private static readonly object Gate = new object();
        private static bool _registered;

        /// <summary>The folder of DoltBackup.dll, where the module's own AWSSDK copies are.</summary>
        internal static string ModuleDirectory => Path.GetDirectoryName(typeof(AwsSdkAssemblyResolver).Assembly.Location);

        /// <summary>
        /// Registers the resolver once, and refuses (EbsException EbsAwsSdkConflict) when an incompatible AWSSDK.Core
        /// (for example 3.3.0.0 from AWS.Tools 4 or AWSPowerShell) is already loaded where a second copy cannot be.
        /// </summary>
        public static void EnsureUsable()
        {
            lock (Gate)
            {
                if (!_registered)
                {
                    AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
                    _registered = true;
                }
            }
            var conflict = FindConflict(AppDomain.CurrentDomain.GetAssemblies(), IsNetFramework());
            if (conflict != null)
            {
                throw new EbsException("EbsAwsSdkConflict", ErrorCategory.ResourceUnavailable,
                    $"This session already has {conflict.GetName().Name} {conflict.GetName().Version} loaded (from '{SafeLocation(conflict)}'), and DoltBackup needs version 4.x (AWS SDK for .NET v4, as AWS.Tools 5 ships).",
                    "Update AWS.Tools to version 5 (Update-AWSToolsModule), or run the EBS backup in a new PowerShell session that imports DoltBackup before older AWS modules.");
            }
        }

        /// <summary>
        /// A loaded AWSSDK.* that a v4 copy cannot live beside: on .NET (one copy per name in the default context) a
        /// different major version; on .NET Framework none (versions load side by side).
        /// </summary>
        internal static Assembly FindConflict(IEnumerable<Assembly> loaded, bool netFramework)
        {
            if (netFramework)
            {
                return null;
            }
            return loaded.FirstOrDefault(a =>
            {
                var n = a.GetName();
                return AwsAssemblies.Contains(n.Name, StringComparer.OrdinalIgnoreCase) && n.Version != null && n.Version.Major != RequiredVersion.Major;
            });
        }

        private static Assembly OnAssemblyResolve(object sender, ResolveEventArgs args)
        {
            AssemblyName requested;
            try
            {
                requested = new AssemblyName(args.Name);
            }
            catch (Exception e) when (e is ArgumentException || e is FileLoadException)
            {
                return null;
            }
            return Resolve(requested, AppDomain.CurrentDomain.GetAssemblies(), ModuleDirectory, Assembly.LoadFrom);
        }

        /// <summary>
        /// The decision: null for anything but AWSSDK.Core/AWSSDK.EC2 of major version 4 (or unversioned); else a loaded assembly of that name with major
        /// version 4 and a version at least the one requested (the highest such); else the file beside the module when
        /// its version qualifies; else null.
        /// </summary>
        internal static Assembly Resolve(AssemblyName requested, IEnumerable<Assembly> loaded, string moduleDirectory, Func<string, Assembly> loadFrom)
        {
            if (requested?.Name == null || !AwsAssemblies.Contains(requested.Name, StringComparer.OrdinalIgnoreCase))
            {
                return null;
            }
            if (requested.Version != null && requested.Version.Major != RequiredVersion.Major)
            {
                // Someone else's (for example AWSPowerShell's 3.3.0.0): never answer with an incompatible major version.
                return null;
            }
            Version minimum = requested.Version != null && requested.Version > RequiredVersion ? requested.Version : RequiredVersion;
            var reuse = loaded
                .Where(a => string.Equals(a.GetName().Name, requested.Name, StringComparison.OrdinalIgnoreCase))
                .Where(a => Qualifies(a.GetName().Version, minimum))
                .OrderByDescending(a => a.GetName().Version)
                .FirstOrDefault();
            if (reuse != null)
            {
                return reuse;
            }
            if (moduleDirectory == null)
            {
                return null;
            }
            string path = Path.Combine(moduleDirectory, requested.Name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }
            try
            {
                if (!Qualifies(AssemblyName.GetAssemblyName(path).Version, minimum))
                {
                    return null;
                }
            }
            catch (Exception e) when (e is BadImageFormatException || e is IOException)
            {
                return null;
            }
            return loadFrom(path);
        }

        private static bool Qualifies(Version version, Version minimum)
            => version != null && version >= minimum && version.Major == RequiredVersion.Major;

        private static bool IsNetFramework() => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static string SafeLocation(Assembly a)
        {
            try
            {
                return a.Location;
            }
            catch (NotSupportedException)
            {
                return "(in memory)";
            }
        }
    }
}
