using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.FileCopy
{
    internal static class FileCopyTestSupport
    {
        /// <summary>A copy of the stopped Dolt 2.2.2 server's data dir (two databases, .doltcfg, config.yaml).</summary>
        public static string CopyServerDataDir(TempDir dir)
        {
            string data = dir.Combine("data");
            TempDir.CopyTree(Path.Combine(RepoPaths.ServerFixture, "data"), data);
            return data;
        }

        public static BackupManifest NewManifest(string backupFolder) => new BackupManifest
        {
            Id = BackupId.Create("filecopy", DateTime.UtcNow),
            Name = "filecopy",
            Method = BackupMethod.FileCopy,
            CreatedUtc = DateTime.UtcNow,
            Destination = new BackupDestination { BackupFolder = backupFolder },
        };

        public static bool HasFlock => !OperatingSystem.IsWindows() && ExternalTools.Find("flock", "/usr/bin") != null;

        /// <summary>Holds a real flock from another process (util-linux flock), as a running Dolt would.</summary>
        public static Process HoldFlock(string lockPath, string readyFile)
        {
            var psi = new ProcessStartInfo("flock") { UseShellExecute = false };
            foreach (var a in new[] { "-x", lockPath, "sh", "-c", $"touch '{readyFile}'; exec sleep 60" })
            {
                psi.ArgumentList.Add(a);
            }
            var p = Process.Start(psi);
            for (int i = 0; i < 100 && !File.Exists(readyFile); i++)
            {
                Thread.Sleep(50);
            }
            Assert.True(File.Exists(readyFile), "the flock helper did not start");
            return p;
        }

        public static void Kill(Process p)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
            p.WaitForExit();
        }

        public static (int ExitCode, string Output) Run(string file, string workingDir, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            using var p = Process.Start(psi);
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr);
        }

        /// <summary>Asserts that two trees hold the same files with the same bytes (LOCK files and sql-server.info aside).</summary>
        public static void AssertSameTree(string expected, string actual)
        {
            var a = Directory.GetFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f))
                .Where(f => Path.GetFileName(f) != "sql-server.info").OrderBy(f => f, StringComparer.Ordinal).ToList();
            var b = Directory.GetFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.Equal(a, b);
            foreach (var f in a)
            {
                if (Path.GetFileName(f) == "LOCK")
                {
                    Assert.Equal(0, new FileInfo(Path.Combine(actual, f)).Length);
                    continue;
                }
                Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), f + " differs");
            }
            var da = Directory.GetDirectories(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).OrderBy(f => f, StringComparer.Ordinal);
            var db = Directory.GetDirectories(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).OrderBy(f => f, StringComparer.Ordinal);
            Assert.Equal(da, db);
        }
    }
}
