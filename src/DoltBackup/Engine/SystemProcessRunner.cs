using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// <see cref="IProcessRunner"/> over System.Diagnostics.Process. On PowerShell 7 the arguments go through
    /// ProcessStartInfo.ArgumentList (found by reflection, as netstandard2.0 lacks it); on Windows PowerShell 5.1 they
    /// are quoted by the rules of CommandLineToArgvW. No shell is involved either way.
    /// </summary>
    public sealed class SystemProcessRunner : IProcessRunner
    {
        private static readonly PropertyInfo ArgumentListProperty = typeof(ProcessStartInfo).GetProperty("ArgumentList");

        /// <inheritdoc />
        public async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var psi = new ProcessStartInfo(fileName)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
                WorkingDirectory = workingDirectory ?? "",
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            if (ArgumentListProperty?.GetValue(psi) is ICollection<string> list)
            {
                foreach (var a in arguments)
                {
                    list.Add(a);
                }
            }
            else
            {
                psi.Arguments = JoinArguments(arguments);
            }

            using (var process = new Process { StartInfo = psi, EnableRaisingEvents = true })
            {
                var stdout = new StringBuilder();
                var stderr = new StringBuilder();
                var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
                process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
                process.Exited += (_, __) => exited.TrySetResult(true);
                process.Start();
                process.StandardInput.Close(); // dolt gets no terminal to ask questions on
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();

                var result = new ProcessResult();
                using (var timeoutCts = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout) : new CancellationTokenSource())
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken))
                {
                    var cancelled = new TaskCompletionSource<bool>();
                    using (linked.Token.Register(() => cancelled.TrySetResult(true)))
                    {
                        var first = await Task.WhenAny(exited.Task, cancelled.Task).ConfigureAwait(false);
                        if (first != exited.Task && !process.HasExited)
                        {
                            Kill(process);
                            process.WaitForExit(10000);
                            cancellationToken.ThrowIfCancellationRequested();
                            result.TimedOut = true;
                        }
                    }
                }
                process.WaitForExit(); // flushes the asynchronous readers
                result.ExitCode = result.TimedOut ? -1 : process.ExitCode;
                lock (stdout)
                {
                    result.StandardOutput = stdout.ToString();
                }
                lock (stderr)
                {
                    result.StandardError = stderr.ToString();
                }
                return result;
            }
        }

        private static void Kill(Process process)
        {
            try
            {
                // Process.Kill(bool entireProcessTree) exists on .NET Core 3+; fall back to Kill().
                var tree = typeof(Process).GetMethod("Kill", new[] { typeof(bool) });
                if (tree != null)
                {
                    tree.Invoke(process, new object[] { true });
                }
                else
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }
            catch (TargetInvocationException)
            {
            }
        }

        /// <summary>Quotes arguments so that CommandLineToArgvW (and the .NET runtime) splits them back exactly.</summary>
        internal static string JoinArguments(IEnumerable<string> arguments)
        {
            var sb = new StringBuilder();
            foreach (var arg in arguments)
            {
                if (sb.Length > 0)
                {
                    sb.Append(' ');
                }
                if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
                {
                    sb.Append(arg);
                    continue;
                }
                sb.Append('"');
                int backslashes = 0;
                foreach (char c in arg)
                {
                    if (c == '\\')
                    {
                        backslashes++;
                        continue;
                    }
                    if (c == '"')
                    {
                        sb.Append('\\', backslashes * 2 + 1);
                    }
                    else
                    {
                        sb.Append('\\', backslashes);
                    }
                    backslashes = 0;
                    sb.Append(c);
                }
                sb.Append('\\', backslashes * 2);
                sb.Append('"');
            }
            return sb.ToString();
        }
    }
}
