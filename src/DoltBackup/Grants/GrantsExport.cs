namespace DoltBackup.Grants
{
    /// <summary>A finished export: the script text and what it was made from.</summary>
    public sealed class GrantsExport
    {
        /// <summary>The script (holds password hashes unless they were excluded).</summary>
        internal string Script { get; set; }

        /// <summary>What was read from the server (accounts, failures, branch control).</summary>
        public GrantsSnapshot Snapshot { get; set; }

        /// <summary>True when password hashes are in the script.</summary>
        public bool PasswordsIncluded { get; set; }
    }
}
