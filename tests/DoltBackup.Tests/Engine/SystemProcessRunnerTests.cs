#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.Diagnostics;
using System.Threading;
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    public class SystemProcessRunnerTests
    {
        [Fact]
        public void Arguments_travel_as_an_array_and_stdout_stderr_exit_code_are_captured()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            var r = new SystemProcessRunner().RunAsync("/bin/sh", new[] { "-c", "printf '%s|' \"$@\"; echo oops >&2; exit 3", "sh", "a b", "c\"d", "$HOME", "" },
                "/", TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("a b|c\"d|$HOME||", r.StandardOutput.Trim());
            Assert.Equal("oops", r.StandardError.Trim());
            Assert.Equal(3, r.ExitCode);
            Assert.False(r.TimedOut);
        }

        [Fact]
        public void A_process_that_runs_too_long_is_killed()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            var sw = Stopwatch.StartNew();
            var r = new SystemProcessRunner().RunAsync("/bin/sleep", new[] { "30" }, "/", TimeSpan.FromMilliseconds(300), CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(r.TimedOut);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20));
        }

        [Fact]
        public void Cancellation_kills_the_process_and_throws()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            Assert.ThrowsAny<OperationCanceledException>(() =>
                new SystemProcessRunner().RunAsync("/bin/sleep", new[] { "30" }, "/", TimeSpan.Zero, cts.Token).GetAwaiter().GetResult());
        }

        [Theory]
        [InlineData(new[] { "a", "b c" }, "a \"b c\"")]
        [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
        [InlineData(new[] { "C:\\dir with space\\" }, "\"C:\\dir with space\\\\\"")]
        [InlineData(new[] { "" }, "\"\"")]
        public void Windows_quoting_follows_CommandLineToArgvW(string[] args, string expected)
        {
            Assert.Equal(expected, SystemProcessRunner.JoinArguments(args));
        }
    }
}
