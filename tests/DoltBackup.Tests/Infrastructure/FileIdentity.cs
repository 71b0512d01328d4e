using System;
using System.Diagnostics;
using System.IO;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// The identity of a file on disk (device and inode) and its link count, read with stat(1) on Linux and macOS,
    /// so tests can tell a hard link from a copy. .NET has no API for either.
    /// </summary>
    public static class FileIdentity
    {
        /// <summary>"device:inode" of the file.</summary>
        public static string Of(string path) => Stat(path).Split(' ')[0];

        /// <summary>How many names the file has.</summary>
        public static int Links(string path) => int.Parse(Stat(path).Split(' ')[1]);

        private static string Stat(string path)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("FileIdentity reads stat(1); run this test on Linux or macOS.");
            }
            var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in OperatingSystem.IsMacOS() ? new[] { "-f", "%d:%i %l", path } : new[] { "-c", "%d:%i %h", path })
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new IOException($"stat {path} failed: {p.StandardError.ReadToEnd()}");
            }
            return output;
        }
    }
}
