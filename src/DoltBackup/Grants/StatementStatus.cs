namespace DoltBackup.Grants
{
    /// <summary>What happened to one statement of a replayed script.</summary>
    public enum StatementStatus
    {
        /// <summary>The server ran it.</summary>
        Succeeded,
        /// <summary>The server refused it: see the outcome's error.</summary>
        Failed,
        /// <summary>Not run: it would change or lock the account running the replay, an earlier error stopped the run, or -WhatIf.</summary>
        Skipped,
    }
}
