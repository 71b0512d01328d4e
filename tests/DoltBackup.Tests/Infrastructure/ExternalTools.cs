using System;
using System.IO;
using System.Linq;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>Finds external programs the tests may use (mariadbd, dolt) on PATH and in the usual places.</summary>
    public static class ExternalTools
    {
        public static string Find(string name, params string[] extraDirs)
        {
            var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Concat(extraDirs).Where(d => !string.IsNullOrEmpty(d));
            foreach (var dir in dirs)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
                if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
                {
                    return candidate + ".exe";
                }
            }
            return null;
        }

        public static string MariaDbd => Find("mariadbd", "/usr/sbin", "/usr/local/sbin", "/usr/libexec") ?? Find("mysqld", "/usr/sbin");

        public static string MariaDbInstallDb => Find("mariadb-install-db", "/usr/bin", "/usr/local/bin") ?? Find("mysql_install_db", "/usr/bin");

        public static string Dolt => Find("dolt", "/usr/local/bin");

        public static string OpenSsl => Find("openssl", "/usr/bin");

        public static bool RequireMariaDb => Environment.GetEnvironmentVariable("DOLTBACKUP_REQUIRE_MARIADB") == "1";
    }
}
