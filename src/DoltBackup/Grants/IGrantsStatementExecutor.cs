using System;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Runs single SQL statements on the server a grants script is replayed into (a fake in tests). Queries
    /// (<see cref="IGrantsQuerySession.Query"/>) let the runner find a database for Dolt's branch-control statements.
    /// </summary>
    public interface IGrantsStatementExecutor : IGrantsQuerySession, IDisposable
    {
        /// <summary>The account the executor is logged in as (CURRENT_USER()), or null when unknown.</summary>
        AccountName CurrentUser { get; }

        /// <summary>Runs one statement; throws <see cref="GrantsStatementException"/> when the server refuses it.</summary>
        void Execute(string sql);
    }
}
