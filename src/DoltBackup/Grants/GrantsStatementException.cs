using DoltBackup.Common;

namespace DoltBackup.Grants
{
    /// <summary>The server refused one statement of a grants script.</summary>
    public sealed class GrantsStatementException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public GrantsStatementException(string message, int? serverErrorCode, bool connectionLost, System.Exception inner = null) : base(message, inner)
        {
            ServerErrorCode = serverErrorCode;
            ConnectionLost = connectionLost;
        }

        /// <summary>The server's error number, when there is one.</summary>
        public int? ServerErrorCode { get; }

        /// <summary>True when the connection is gone: the rest of the script cannot run.</summary>
        public bool ConnectionLost { get; }
    }
}
