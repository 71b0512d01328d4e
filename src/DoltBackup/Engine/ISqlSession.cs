using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// One connection to the server with a current database (<c>USE</c>). The seam inside <see cref="SqlDoltEngine"/>
    /// that lets tests record the exact SQL text and parameters sent for Dolt procedures.
    /// </summary>
    public interface ISqlSession : IDisposable
    {
        /// <summary>Runs a query and returns every row (values as the driver gives them; NULL as null).</summary>
        Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken);

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
