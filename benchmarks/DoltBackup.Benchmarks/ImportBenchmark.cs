using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DoltBackup.Benchmarks
{
    /// <summary>
    /// Import-Module DoltBackup in a fresh process and runspace against the same for an empty binary module.
    /// Each sample is a new child process, so nothing is warm; the median of N samples is compared.
    /// Goal: at most 2x the empty module; MySqlConnector, YamlDotNet, AWSSDK.* (EC2, S3) and Azure.* not loaded by the import.
    /// </summary>
    public sealed class ImportBenchmark : IBenchmark
    {
        public const string ChildMode = "--import-child";

        public string Name => "import";

        public string Description => "Import-Module time vs an empty binary module (goal <= 2x), and assemblies loaded by the import";

        public int Run(IReadOnlyList<string> args)
        {
            int samples = args.Count > 0 && int.TryParse(args[0], out var n) ? n : 15;
            string root = FindRoot();
            string doltBackup = Path.Combine(root, "DoltBackup.psd1");
            // The baseline is imported the way binary modules ship: through its module manifest.
            string empty = Path.Combine(root, "benchmarks", "EmptyBinaryModule", "bin", "Release", "netstandard2.0", "EmptyBinaryModule.psd1");
            if (!File.Exists(empty))
            {
                empty = Path.Combine(root, "benchmarks", "EmptyBinaryModule", "bin", "Debug", "netstandard2.0", "EmptyBinaryModule.psd1");
            }
            var doltTimes = new List<double>();
            var emptyTimes = new List<double>();
            List<string> loaded = null;
            for (int i = 0; i < samples; i++)
            {
                // Interleave, so drift on the machine hits both alike.
                emptyTimes.Add(RunChildProcess(empty, out _));
                doltTimes.Add(RunChildProcess(doltBackup, out var l));
                loaded = l;
            }
            double dolt = Median(doltTimes), baseline = Median(emptyTimes);
            double ratio = dolt / baseline;
            Console.WriteLine($"samples: {samples} child processes each");
            Console.WriteLine($"empty binary module (psd1 + dll) import: median {baseline:F1} ms");
            Console.WriteLine($"DoltBackup import:          median {dolt:F1} ms");
            Console.WriteLine("assemblies loaded by Import-Module DoltBackup:");
            foreach (var a in loaded)
            {
                Console.WriteLine("  " + a);
            }
            var heavy = loaded.Where(a => a.StartsWith("MySqlConnector", StringComparison.Ordinal) || a.StartsWith("YamlDotNet", StringComparison.Ordinal) || a.StartsWith("AWSSDK", StringComparison.Ordinal) || a.StartsWith("Azure.", StringComparison.Ordinal)).ToList();
            Console.WriteLine(heavy.Count == 0 ? "heavy dependencies loaded by the import: none" : "heavy dependencies loaded by the import: " + string.Join(", ", heavy));
            Console.WriteLine($"ratio: {ratio:F2} (goal: <= 2.00)");
            return ratio <= 2.0 && heavy.Count == 0 ? 0 : 1;
        }

        private static double RunChildProcess(string module, out List<string> loaded)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
            psi.ArgumentList.Add(ChildMode);
            psi.ArgumentList.Add(module);
            using var p = Process.Start(psi);
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("import child failed: " + stderr + stdout);
            }
            var lines = stdout.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            loaded = lines.Skip(1).ToList();
            return double.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>In the child: open a runspace (not timed), time Import-Module, print ms then the newly loaded assemblies.</summary>
        public static int RunChild(string[] args)
        {
            var iss = InitialSessionState.CreateDefault2();
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using (var warm = PowerShell.Create())
            {
                warm.Runspace = runspace;
                warm.AddScript("$null = Get-Command -Name Get-Command").Invoke();
            }
            var before = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).ToHashSet();
            var sw = Stopwatch.StartNew();
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = runspace;
                ps.AddCommand("Import-Module").AddParameter("Name", args[0]).AddParameter("ErrorAction", "Stop");
                ps.Invoke();
            }
            sw.Stop();
            Console.WriteLine(sw.Elapsed.TotalMilliseconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
            foreach (var name in AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Where(n => !before.Contains(n)).OrderBy(n => n))
            {
                Console.WriteLine(name);
            }
            return 0;
        }

        private static double Median(List<double> xs)
        {
            var s = xs.OrderBy(x => x).ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }

        internal static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "DoltBackup.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("DoltBackup.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
