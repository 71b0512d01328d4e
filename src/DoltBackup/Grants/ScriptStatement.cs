namespace DoltBackup.Grants
{
    /// <summary>One statement of a SQL script, without its terminating ';'.</summary>
    public sealed class ScriptStatement
    {
        /// <summary>0-based position in the script.</summary>
        public int Index { get; set; }

        /// <summary>1-based line where the statement starts.</summary>
        public int Line { get; set; }

        /// <summary>The statement text (may hold a password hash: show <see cref="DisplayText"/> instead).</summary>
        public string Text { get; set; }

        /// <summary>The statement with authentication strings replaced by '&lt;redacted&gt;', for messages.</summary>
        public string DisplayText => SqlScriptSplitter.Redact(Text);

        /// <inheritdoc />
        public override string ToString() => DisplayText;
    }
}
