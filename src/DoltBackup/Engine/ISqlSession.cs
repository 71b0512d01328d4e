using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// One connection to the server. The seam inside <see cref="SqlDoltEngine"/> that lets tests record the exact SQL
    /// text and parameters sent, and count the round trips: every call is one command on the connection. A text may hold
    /// several statements separated by ';' (the server runs them in order, stopping at the first error).
    /// </summary>
    public interface ISqlSession : IDisposable
    {
        /// <summary>Runs a query and returns every row (values as the driver gives them; NULL as null).</summary>
        Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken);

        /// <summary>
        /// Runs a text of one or more statements in one round trip and returns the rows of every result set that has
        /// columns (a SELECT's, even when empty), in order; statements without a result set (USE) give none.
        /// </summary>
        Task<IReadOnlyList<IReadOnlyList<object[]>>> QueryResultSetsAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken);

        /// <summary>True once the connection is known to be unusable (closed by the server, a broken socket).</summary>
        bool IsBroken { get; }

        /// <summary>Runs a statement (for example a CALL) and discards its result rows.</summary>
        Task ExecuteAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken);
    }

    /// <summary>Opens <see cref="ISqlSession"/>s.</summary>
    public interface ISqlSessionFactory
    {
        /// <summary>Where the sessions go, for messages ("user@host:port"; never the password).</summary>
        string Endpoint { get; }

        /// <summary>Opens a session; with a database, <c>USE `db`</c> (quoted) runs first.</summary>
        Task<ISqlSession> OpenAsync(string database, CancellationToken cancellationToken);

        /// <summary>Turns a driver or network exception into a classified one (connection, login, TLS, privilege, Dolt message).</summary>
        DoltEngineException Translate(Exception exception, string operation);
    }
}
