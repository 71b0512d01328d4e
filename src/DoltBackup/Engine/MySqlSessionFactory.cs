using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Server;
using MySqlConnector;

namespace DoltBackup.Engine
{
    /// <summary>
    /// <see cref="ISqlSessionFactory"/> over MySqlConnector: pooled connections from <see cref="MySqlConnectionFactory"/>
    /// (one pool for equal settings), <c>USE</c> with a quoted identifier, values as real parameters, and cancellation
    /// through the driver (it sends KILL QUERY).
    /// </summary>
    public sealed class MySqlSessionFactory : ISqlSessionFactory
    {
        private readonly ServerConnectionSettings _settings;

        /// <summary>Creates the factory (the settings are copied).</summary>
        public MySqlSessionFactory(ServerConnectionSettings settings)
        {
            _settings = settings.Clone();
        }

        /// <inheritdoc />
        public string Endpoint => _settings.ToString();

        /// <inheritdoc />
        public async Task<ISqlSession> OpenAsync(string database, CancellationToken cancellationToken)
        {
            var connection = await MySqlConnectionFactory.OpenAsync(_settings, null, cancellationToken).ConfigureAwait(false);
            var session = new Session(connection, _settings.CommandTimeoutSeconds);
            if (!string.IsNullOrEmpty(database))
            {
                try
                {
                    await session.ExecuteAsync("USE " + MySqlConnectionFactory.QuoteIdentifier(database), Array.Empty<SqlParameterValue>(), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }
            return session;
        }

        /// <inheritdoc />
        public DoltEngineException Translate(Exception exception, string operation)
        {
            if (exception is DoltEngineException d)
            {
                return d;
            }
            var e = exception is AggregateException agg && agg.InnerExceptions.Count == 1 ? agg.InnerException : exception;
            if (e is OperationCanceledException)
            {
                return new DoltEngineException(DoltErrorKind.Cancelled, operation + ": cancelled.", "Cancelled", System.Management.Automation.ErrorCategory.OperationStopped,
                    "The operation was stopped; run it again.", null, e);
            }
            if (e is MySqlException sent && (int)sent.ErrorCode == 1105)
            {
                // ER_UNKNOWN_ERROR: what Dolt raises for its own failures (dolt-reference §1). The connection is fine; the
                // message is Dolt's, even when it mentions TLS or certificates of a backup remote.
                return DoltErrorParser.ToException(operation, sent.Message, e);
            }
            var classified = ServerErrorClassifier.Classify(e, _settings, operation);
            if (classified.ErrorId == "ConnectionLost")
            {
                return DoltErrorParser.ConnectionLost(classified.Message, classified.RecommendedAction, e);
            }
            if (e is MySqlException mysql && !classified.IsConnectionLevel)
            {
                if (mysql.ErrorCode == MySqlErrorCode.QueryInterrupted)
                {
                    return new DoltEngineException(DoltErrorKind.Cancelled, operation + ": cancelled.", "Cancelled", System.Management.Automation.ErrorCategory.OperationStopped,
                        "The operation was stopped; run it again.", mysql.Message, e);
                }
                if (classified.ErrorId == "PrivilegeMissing")
                {
                    return new DoltEngineException(DoltErrorKind.PrivilegeMissing, classified.Message, classified.ErrorId, classified.Category, classified.RecommendedAction, mysql.Message, e);
                }
                if (classified.ErrorId == "DatabaseNotFound")
                {
                    return new DoltEngineException(DoltErrorKind.DatabaseNotFound, classified.Message, classified.ErrorId, classified.Category, classified.RecommendedAction, mysql.Message, e);
                }
                if (mysql.ErrorCode == MySqlErrorCode.CommandTimeoutExpired)
                {
                    return new DoltEngineException(DoltErrorKind.Timeout, operation + ": the server did not finish within the operation timeout.", "OperationTimeout",
                        System.Management.Automation.ErrorCategory.OperationTimeout, "Raise -OperationTimeout (0 = no limit) for big databases.", mysql.Message, e);
                }
                return DoltErrorParser.ToException(operation, mysql.Message, e);
            }
            var kind = classified.IsConnectionLevel ? DoltErrorKind.Connection : DoltErrorKind.Other;
            return new DoltEngineException(kind, classified.Message, classified.ErrorId, classified.Category, classified.RecommendedAction, e.Message, e);
        }

        private sealed class Session : ISqlSession
        {
            private readonly MySqlConnection _connection;
            private readonly int _timeout;

            public Session(MySqlConnection connection, int timeoutSeconds)
            {
                _connection = connection;
                _timeout = timeoutSeconds;
            }

            private MySqlCommand Create(string sql, IReadOnlyList<SqlParameterValue> parameters)
            {
                var cmd = _connection.CreateCommand();
                cmd.CommandText = sql;
                cmd.CommandTimeout = _timeout;
                foreach (var p in parameters ?? Array.Empty<SqlParameterValue>())
                {
                    cmd.Parameters.AddWithValue(p.Name, p.Value ?? DBNull.Value);
                }
                return cmd;
            }

            public async Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                var rows = new List<object[]>();
                using (var cmd = Create(sql, parameters))
                using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var row = new object[reader.FieldCount];
                        reader.GetValues(row);
                        for (int i = 0; i < row.Length; i++)
                        {
                            if (row[i] is DBNull)
                            {
                                row[i] = null;
                            }
                        }
                        rows.Add(row);
                    }
                }
                return rows;
            }

            public async Task ExecuteAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                using (var cmd = Create(sql, parameters))
                {
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            public void Dispose() => _connection.Dispose();
        }
    }
}
