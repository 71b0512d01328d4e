using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>
    /// A real PowerShell engine (System.Management.Automation), hosted in the test process, with the built
    /// DoltBackup.psd1 imported. Each instance has its own runspace.
    /// </summary>
    public sealed class PowerShellHost : IDisposable
    {
        private readonly Runspace _runspace;
        private readonly CapturingHost _host;

        /// <summary>
        /// Note: this engine has System.Management.Automation's own commands only (Import-Module, Get-Command,
        /// ForEach-Object, Where-Object, Out-Default, Test-ModuleManifest, Get-Help ...). There is no
        /// Microsoft.PowerShell.Management or .Utility here (no Set-Location, Get-ChildItem, Out-String): use
        /// <see cref="SetLocation"/>, [System.IO.FileInfo] objects and <see cref="Render"/> instead.
        /// </summary>
        /// <param name="importModule">Import the root DoltBackup.psd1.</param>
        /// <param name="consoleWidth">The width of the console <see cref="Render"/> writes to.</param>
        public PowerShellHost(bool importModule = true, int consoleWidth = 220)
        {
            _host = new CapturingHost(consoleWidth);
            var iss = InitialSessionState.CreateDefault2();
            if (OperatingSystem.IsWindows())
            {
                iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            }
            _runspace = RunspaceFactory.CreateRunspace(_host, iss);
            _runspace.Open();
            Invoke("$PSStyle.OutputRendering = 'PlainText'");
            if (importModule)
            {
                Invoke("Import-Module -Name $args[0] -ErrorAction Stop", RepoPaths.ModuleManifest);
            }
        }

        public Runspace Runspace => _runspace;

        /// <summary>Sets the runspace's current location (what Set-Location would do).</summary>
        public void SetLocation(string path) => _runspace.SessionStateProxy.Path.SetLocation(path);

        /// <summary>Runs the script piped to Out-Default and returns what the console would show (format views applied).</summary>
        public string Render(string script, params object[] args)
        {
            _host.Clear();
            var r = Run("& { " + script + " } @args | Out-Default", args);
            if (r.Terminating != null)
            {
                throw r.Terminating;
            }
            return _host.Text;
        }

        /// <summary>Runs a script; the arguments are $args[0..]. Throws on a terminating error.</summary>
        public Collection<PSObject> Invoke(string script, params object[] args) => Run(script, args).Output;

        /// <summary>Runs a script and returns output, non-terminating errors, warnings and the terminating error, if any.</summary>
        public PowerShellResult Run(string script, params object[] args)
        {
            using (var ps = PowerShell.Create())
            {
                ps.Runspace = _runspace;
                ps.AddScript(script);
                foreach (var a in args)
                {
                    ps.AddArgument(a);
                }
                var result = new PowerShellResult();
                try
                {
                    result.Output = ps.Invoke();
                }
                catch (RuntimeException e)
                {
                    result.Terminating = e;
                    result.Output = new Collection<PSObject>();
                }
                result.Errors = ps.Streams.Error.ToList();
                result.Warnings = ps.Streams.Warning.Select(w => w.Message).ToList();
                result.Verbose = ps.Streams.Verbose.Select(w => w.Message).ToList();
                result.Information = ps.Streams.Information.Select(i => i.MessageData?.ToString()).ToList();
                result.Progress = ps.Streams.Progress.ToList();
                return result;
            }
        }

        public void Dispose() => _runspace.Dispose();
    }

    public sealed class PowerShellResult
    {
        public Collection<PSObject> Output { get; set; }
        public List<ErrorRecord> Errors { get; set; }
        public List<string> Warnings { get; set; }
        public List<string> Verbose { get; set; }
        public List<string> Information { get; set; }
        public List<ProgressRecord> Progress { get; set; }
        public RuntimeException Terminating { get; set; }

        /// <summary>Every text the user could see: output, errors (with details), warnings, verbose, information.</summary>
        public string AllText()
        {
            var parts = new List<string>();
            parts.AddRange(Output.Select(o => o?.ToString() ?? ""));
            foreach (var e in Errors)
            {
                parts.Add(e.ToString());
                parts.Add(e.ErrorDetails?.Message ?? "");
                parts.Add(e.ErrorDetails?.RecommendedAction ?? "");
                parts.Add(e.Exception?.ToString() ?? "");
            }
            parts.AddRange(Warnings);
            parts.AddRange(Verbose);
            parts.AddRange(Information);
            if (Terminating != null)
            {
                parts.Add(Terminating.ToString());
            }
            return string.Join("\n", parts);
        }
    }
}
