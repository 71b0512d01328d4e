using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace DoltBackup.Benchmarks
{
    /// <summary>Runs an external tool for a baseline and times it.</summary>
    internal static class BenchmarkProcess
    {
        public static double TimeSeconds(string file, string workingDir, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            var watch = Stopwatch.StartNew();
            using var p = Process.Start(psi);
            p.StandardOutput.ReadToEnd();
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            watch.Stop();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} failed ({p.ExitCode}): {err}");
            }
            return watch.Elapsed.TotalSeconds;
        }

        public static double Median(List<double> xs)
        {
            var s = xs.OrderBy(x => x).ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }

        /// <summary>
        /// Writes out every dirty page of the system (sync(2) on Unix), so that a timed step pays for its own writes
        /// only, not for the writeback of files an earlier step left behind.
        /// </summary>
        public static void SettleDisk()
        {
            if (!OperatingSystem.IsWindows())
            {
                Sync();
            }
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "sync")]
        private static extern void Sync();

        public static double Time(Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        }
    }
}
