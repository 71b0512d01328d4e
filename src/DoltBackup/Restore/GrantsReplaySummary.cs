using System.Collections.Generic;

namespace DoltBackup.Restore
{
    /// <summary>What a grants replay did: how many statements ran, failed or were skipped, and the failures (hashes redacted).</summary>
    public sealed class GrantsReplaySummary
    {
        /// <summary>Statements the server ran.</summary>
        public int Succeeded { get; set; }
        /// <summary>Statements the server refused.</summary>
        public int Failed { get; set; }
        /// <summary>Statements not run (for example, ones that would lock out the account running the replay).</summary>
        public int Skipped { get; set; }
        /// <summary>The database the branch-control statements ran in (Dolt shows those tables only inside one), or null.</summary>
        public string BranchControlDatabase { get; set; }
        /// <summary>One line per refused statement: line, statement (hashes redacted) and the server's message.</summary>
        public List<string> Failures { get; set; } = new List<string>();
    }
}
