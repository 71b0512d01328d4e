using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace DoltBackup.Common
{
    /// <summary>
    /// Resolves the module's dependencies when the runtime cannot: Windows PowerShell 5.1 has no binding redirects for
    /// a module's own DLLs (System.Text.Json wants System.Memory 4.0.1.2 while another DLL was built against 4.0.1.1),
    /// and another module may have loaded the same library first (AWS.Tools loads AWSSDK.Core). Rule: an assembly with
    /// the requested simple name already loaded in the process is reused (never a second copy); otherwise the copy
    /// beside DoltBackup.dll is loaded. Only names that exist in the module folder are answered. A library that ships
    /// a faster build for .NET 6+ (BouncyCastle: hardware AES-GCM) is laid out under <c>lib/net6.0/</c> and
    /// <c>lib/netstandard2.0/</c> instead of beside the DLL, and the build that fits the running runtime is loaded.
    /// </summary>
    public sealed class ModuleAssemblyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleAssemblyResolver).Assembly.Location);
        private static readonly ConcurrentDictionary<string, Assembly> Resolved = new ConcurrentDictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private static int _registered;

        /// <summary>Called by PowerShell when the module is imported.</summary>
        public void OnImport() => Register();

        /// <summary>Called by PowerShell when the module is removed.</summary>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            if (System.Threading.Interlocked.Exchange(ref _registered, 0) == 1)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;
            }
        }

        /// <summary>Registers the resolver once per process.</summary>
        public static void Register()
        {
            if (System.Threading.Interlocked.Exchange(ref _registered, 1) == 0)
            {
                AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
            }
        }

        private static Assembly OnAssemblyResolve(object sender, ResolveEventArgs args) => Resolve(new AssemblyName(args.Name), ModuleDirectory);

        /// <summary>
        /// The assembly to use for <paramref name="requested"/>: one already loaded with that simple name, else the DLL
        /// of that name in <paramref name="moduleDirectory"/>, else null (not ours: let the runtime fail as usual).
        /// </summary>
        public static Assembly Resolve(AssemblyName requested, string moduleDirectory)
        {
            string name = requested.Name;
            if (string.IsNullOrEmpty(name) || name.EndsWith(".resources", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            string candidate = Candidate(moduleDirectory, name, RuntimeIsNet6OrLater);
            if (candidate == null)
            {
                return null;
            }
            if (Resolved.TryGetValue(name, out var cached))
            {
                return cached;
            }
            var loaded = AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(a => a.GetName().Version)
                .FirstOrDefault();
            var result = loaded ?? Assembly.LoadFrom(candidate);
            Resolved[name] = result;
            return result;
        }

        /// <summary>True on .NET 6 and later (PowerShell 7.2+); false on .NET Framework (Windows PowerShell 5.1).</summary>
        internal static bool RuntimeIsNet6OrLater =>
            !System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)
            && Environment.Version.Major >= 6;

        /// <summary>
        /// The file that answers <paramref name="name"/>: beside the module DLL, else the build under lib/ that fits the
        /// runtime (net6.0 on .NET 6+, netstandard2.0 otherwise), else null.
        /// </summary>
        internal static string Candidate(string moduleDirectory, string name, bool net6OrLater)
        {
            string beside = Path.Combine(moduleDirectory, name + ".dll");
            if (File.Exists(beside))
            {
                return beside;
            }
            foreach (string framework in net6OrLater ? new[] { "net6.0", "netstandard2.0" } : new[] { "netstandard2.0" })
            {
                string variant = Path.Combine(moduleDirectory, "lib", framework, name + ".dll");
                if (File.Exists(variant))
                {
                    return variant;
                }
            }
            return null;
        }
    }
}
