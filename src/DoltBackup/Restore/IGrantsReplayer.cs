using System.Threading;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Replays an Export-DoltGrants script (users, grants, roles, branch control) against the target server. The
    /// production implementation delegates to the grants runner.
    /// </summary>
    public interface IGrantsReplayer
    {
        /// <summary>Where the script is replayed (for messages; never holds a secret).</summary>
        string Target { get; }

        /// <summary>Runs every statement of <paramref name="script"/> in order and reports each outcome.</summary>
        GrantsReplaySummary Replay(string script, CancellationToken cancellationToken);
    }
}
