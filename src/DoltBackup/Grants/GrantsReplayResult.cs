using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Grants
{
    /// <summary>The outcome of replaying a grants script: one entry per statement.</summary>
    public sealed class GrantsReplayResult
    {
        /// <summary>Every statement with its outcome, in script order.</summary>
        public List<StatementOutcome> Statements { get; set; } = new List<StatementOutcome>();
        /// <summary>The database the branch-control statements ran in (null when the script has none, or none could be chosen).</summary>
        public string BranchControlDatabase { get; set; }
        /// <summary>Statements the server ran.</summary>
        public int Succeeded => Statements.Count(s => s.Status == StatementStatus.Succeeded);
        /// <summary>Statements the server refused.</summary>
        public int Failed => Statements.Count(s => s.Status == StatementStatus.Failed);
        /// <summary>Statements not run.</summary>
        public int Skipped => Statements.Count(s => s.Status == StatementStatus.Skipped);
        /// <summary>The refused statements.</summary>
        public IEnumerable<StatementOutcome> Failures => Statements.Where(s => s.Status == StatementStatus.Failed);
        /// <summary>True when no statement failed (skipped statements are not failures, and not successes).</summary>
        public bool Success => Failed == 0;
        /// <inheritdoc />
        public override string ToString() => $"{Succeeded} succeeded, {Failed} failed, {Skipped} skipped";
    }
}
