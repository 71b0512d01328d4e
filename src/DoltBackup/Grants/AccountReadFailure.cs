namespace DoltBackup.Grants
{
    /// <summary>An account whose grants could not be read: it is left out of the script and reported.</summary>
    public sealed class AccountReadFailure
    {
        /// <summary>The account.</summary>
        public AccountName Account { get; set; }

        /// <summary>The server's message (never holds a password hash).</summary>
        public string Message { get; set; }

        /// <summary>The server's error number, when there is one.</summary>
        public int? ServerErrorCode { get; set; }

        /// <inheritdoc />
        public override string ToString() => Account + ": " + Message;
    }
}
