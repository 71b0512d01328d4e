using System;

namespace DoltBackup.Grants
{
    /// <summary>How <see cref="GrantsScriptRunner"/> replays a script.</summary>
    public sealed class GrantsReplayOptions
    {
        /// <summary>Stop at the first refused statement (the rest are Skipped). Default: run every statement.</summary>
        public bool StopOnError { get; set; }

        /// <summary>
        /// Skip statements that would drop, rename, lock, re-authenticate or revoke from the account running the replay
        /// (DROP/RENAME/ALTER USER, REVOKE), so a replay never locks the operator out. Default true.
        /// </summary>
        public bool ProtectCurrentUser { get; set; } = true;

        /// <summary>Called before each statement, with the statement (text with hashes redacted in DisplayText) and the count.</summary>
        public Action<ScriptStatement, int> Progress { get; set; }

        /// <summary>Decides per statement whether to run it (for -WhatIf / ShouldProcess); null runs everything.</summary>
        public Func<ScriptStatement, bool> ShouldRun { get; set; }
    }
}
