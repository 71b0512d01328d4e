using System.Linq;
using System.Threading;
using DoltBackup.Grants;
using DoltBackup.Server;

namespace DoltBackup.Restore
{
    /// <summary><see cref="IGrantsReplayer"/> over the grants runner (<see cref="GrantsScriptRunner"/>) on a server.</summary>
    public sealed class GrantsRunnerReplayer : IGrantsReplayer
    {
        private readonly ServerConnectionSettings _settings;

        /// <summary>Replays on the server of <paramref name="settings"/>.</summary>
        public GrantsRunnerReplayer(ServerConnectionSettings settings)
        {
            _settings = settings;
        }

        /// <inheritdoc />
        public string Target => "server " + _settings.Endpoint;

        /// <inheritdoc />
        public GrantsReplaySummary Replay(string script, CancellationToken cancellationToken)
        {
            var run = GrantsScriptRunner.RunOnServer(_settings, script, new GrantsReplayOptions
            {
                ShouldRun = _ => !cancellationToken.IsCancellationRequested,
            });
            cancellationToken.ThrowIfCancellationRequested();
            return new GrantsReplaySummary
            {
                Succeeded = run.Succeeded,
                Failed = run.Failed,
                Skipped = run.Skipped,
                Failures = run.Failures.Select(f => $"line {f.Line}: {f.Statement}: {f.Error}").ToList(),
            };
        }
    }
}
