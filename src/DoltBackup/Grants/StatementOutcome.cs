namespace DoltBackup.Grants
{
    /// <summary>The result of one statement of a replayed grants script.</summary>
    public sealed class StatementOutcome
    {
        /// <summary>0-based position in the script.</summary>
        public int Index { get; set; }
        /// <summary>1-based line where the statement starts.</summary>
        public int Line { get; set; }
        /// <summary>The statement with password hashes redacted.</summary>
        public string Statement { get; set; }
        /// <summary>What happened.</summary>
        public StatementStatus Status { get; set; }
        /// <summary>The server's message, or why the statement was skipped (never holds a hash).</summary>
        public string Error { get; set; }
        /// <summary>The server's error number, when it refused the statement.</summary>
        public int? ServerErrorCode { get; set; }
        /// <inheritdoc />
        public override string ToString() => $"line {Line}: {Status}: {Statement}" + (Error == null ? "" : " (" + Error + ")");
    }
}
