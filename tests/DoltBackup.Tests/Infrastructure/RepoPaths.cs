using System;
using System.IO;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>Paths of the repository, the laid-out module and the shared fixtures.</summary>
    public static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string ModuleManifest => Path.Combine(Root, "DoltBackup.psd1");

        public static string LaidOutModule => Path.Combine(Root, "out", "DoltBackup");

        /// <summary>../shared beside the checkout (CI puts it there), or DOLTBACKUP_SHARED.</summary>
        public static string Shared
        {
            get
            {
                string env = Environment.GetEnvironmentVariable("DOLTBACKUP_SHARED");
                if (!string.IsNullOrEmpty(env))
                {
                    return Path.GetFullPath(env);
                }
                return Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            }
        }

        public static string DoltFixtures => Path.Combine(Shared, "fixtures", "dolt");

        public static string ServerFixture => Path.Combine(Shared, "fixtures", "dolt-server", "srv-dolt");

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "DoltBackup.sln")))
            {
                dir = dir.Parent;
            }
            if (dir == null)
            {
                throw new InvalidOperationException("Could not find DoltBackup.sln above " + AppContext.BaseDirectory);
            }
            return dir.FullName;
        }
    }
}
