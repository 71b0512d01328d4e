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

        public static bool HasFlock => FlockHolder.IsAvailable;

        /// <summary>Holds a real flock from another process, as a running Dolt would.</summary>
        public static FlockHolder HoldFlock(string lockPath, string readyFile) => FlockHolder.Hold(lockPath);

        public static void Kill(FlockHolder holder) => holder.Dispose();

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
