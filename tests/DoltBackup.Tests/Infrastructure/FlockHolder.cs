using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Xunit;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// Holds a real BSD flock on a file from another process (util-linux flock), as a running Dolt holds noms/LOCK.
    /// Disposing kills the holder and its children and waits until the lock is free again.
    /// </summary>
    public sealed class FlockHolder : IDisposable
    {
        private readonly Process _process;
        private readonly string _lockPath;

        private FlockHolder(Process process, string lockPath)
        {
            _process = process;
            _lockPath = lockPath;
        }

        /// <summary>True where util-linux flock exists (every Debian system; not Windows).</summary>
        public static bool IsAvailable => !OperatingSystem.IsWindows() && ExternalTools.Find("flock", "/usr/bin") != null;

        /// <summary>Starts the holder and returns once it holds the lock.</summary>
        public static FlockHolder Hold(string lockPath)
        {
            string ready = lockPath + ".ready-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var psi = new ProcessStartInfo("flock") { UseShellExecute = false };
            foreach (var a in new[] { "-x", lockPath, "sh", "-c", $"touch '{ready}'; exec sleep 60" })
            {
                psi.ArgumentList.Add(a);
            }
            var p = Process.Start(psi);
            for (int i = 0; i < 200 && !File.Exists(ready); i++)
            {
                Thread.Sleep(25);
            }
            Assert.True(File.Exists(ready), "the flock helper did not start");
            File.Delete(ready);
            return new FlockHolder(p, lockPath);
        }

        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
            // The killed children release the lock asynchronously.
            for (int i = 0; i < 100; i++)
            {
                using var probe = DoltBackup.Locking.NomsLock.TryAcquire(_lockPath);
                if (probe != null)
                {
                    break;
                }
                Thread.Sleep(20);
            }
            _process.Dispose();
        }
    }
}
