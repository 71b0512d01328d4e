using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;

namespace DoltBackup.Tests.Engine
{
    /// <summary>Records each process run and answers from a queue of scripted results (a fake; no dolt here).</summary>
    public sealed class RecordingProcessRunner : IProcessRunner
    {
        public List<(string File, string[] Args, string Cwd, TimeSpan Timeout)> Runs { get; } = new List<(string, string[], string, TimeSpan)>();
        public Queue<Func<ProcessResult>> Results { get; } = new Queue<Func<ProcessResult>>();

        public RecordingProcessRunner Returns(string stdout, string stderr = "", int exit = 0)
        {
            Results.Enqueue(() => new ProcessResult { StandardOutput = stdout, StandardError = stderr, ExitCode = exit });
            return this;
        }

        public RecordingProcessRunner Throws(Exception e)
        {
            Results.Enqueue(() => throw e);
            return this;
        }

        public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Runs.Add((fileName, new List<string>(arguments).ToArray(), workingDirectory, timeout));
            cancellationToken.ThrowIfCancellationRequested();
            var next = Results.Count > 0 ? Results.Dequeue() : () => new ProcessResult();
            return Task.FromResult(next());
        }
    }
}
