using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>What a finished process left behind.</summary>
    public sealed class ProcessResult
    {
        /// <summary>The exit code (meaningless when <see cref="TimedOut"/>).</summary>
        public int ExitCode { get; set; }
        /// <summary>Everything written to stdout.</summary>
        public string StandardOutput { get; set; } = "";
        /// <summary>Everything written to stderr.</summary>
        public string StandardError { get; set; } = "";
        /// <summary>True when the process was killed because it ran longer than its timeout.</summary>
        public bool TimedOut { get; set; }
    }

    /// <summary>Runs a program with an argument array (never one shell string). The seam that tests replace.</summary>
    public interface IProcessRunner
    {
        /// <summary>
        /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>,
        /// capturing stdout and stderr. The process (tree) is killed when <paramref name="timeout"/> passes
        /// (<see cref="ProcessResult.TimedOut"/>) or when <paramref name="cancellationToken"/> fires (then
        /// OperationCanceledException). Throws <see cref="System.ComponentModel.Win32Exception"/> when the program cannot start.
        /// </summary>
        Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken);
    }
}
