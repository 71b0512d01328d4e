using System;
using System.Linq;
using System.Threading;
using DoltBackup.Grants;
using DoltBackup.Server;

namespace DoltBackup.Restore
{
    /// <summary><see cref="IGrantsReplayer"/> over the grants runner (<see cref="GrantsScriptRunner"/>) on a server.</summary>
    public sealed class GrantsRunnerReplayer : IGrantsReplayer
    {
        private readonly Func<IGrantsStatementExecutor> _connect;

        /// <summary>Replays on the server of <paramref name="settings"/>.</summary>
        public GrantsRunnerReplayer(ServerConnectionSettings settings)
            : this(() => new MySqlGrantsStatementExecutor(settings), "server " + settings.Endpoint)
        {
        }

        /// <summary>Replays through executors from <paramref name="connect"/> (one per replay, disposed after it).</summary>
        public GrantsRunnerReplayer(Func<IGrantsStatementExecutor> connect, string target)
        {
            _connect = connect ?? throw new ArgumentNullException(nameof(connect));
            Target = target;
        }

        /// <inheritdoc />
        public string Target { get; }

        /// <inheritdoc />
        public GrantsReplaySummary Replay(string script, CancellationToken cancellationToken)
        {
            GrantsReplayResult run;
            using (var executor = _connect())
            {
                run = new GrantsScriptRunner(executor).Run(script, new GrantsReplayOptions
                {
                    ShouldRun = _ => !cancellationToken.IsCancellationRequested,
                });
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new GrantsReplaySummary
            {
                Succeeded = run.Succeeded,
                Failed = run.Failed,
                Skipped = run.Skipped,
                BranchControlDatabase = run.BranchControlDatabase,
                Failures = run.Failures.Select(f => $"line {f.Line}: {f.Statement}: {f.Error}").ToList(),
            };
        }
    }
}
