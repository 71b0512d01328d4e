using System.Collections.Generic;

namespace DoltBackup.Grants
{
    /// <summary>
    /// One statement at a time on a MySQL-protocol connection, cells as text (NULL as null). The seam under
    /// <see cref="BranchControlReader"/>: a MySqlConnector connection in production, a fake in tests.
    /// </summary>
    public interface IGrantsQuerySession
    {
        /// <summary>Runs one query and returns its rows; throws <see cref="GrantsStatementException"/> when the server refuses it.</summary>
        IReadOnlyList<string[]> Query(string sql);
    }
}
