using System;
using System.Collections.Generic;
using System.Data;
using System.Globalization;
using System.Text;
using MySqlConnector;

namespace DoltBackup.Grants
{
    /// <summary><see cref="IGrantsQuerySession"/> over an open MySqlConnector connection (which the caller owns).</summary>
    internal sealed class MySqlGrantsQuerySession : IGrantsQuerySession
    {
        private readonly MySqlConnection _connection;

        public MySqlGrantsQuerySession(MySqlConnection connection)
        {
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        public IReadOnlyList<string[]> Query(string sql)
        {
            try
            {
                var rows = new List<string[]>();
                using (var cmd = _connection.CreateCommand())
                {
                    cmd.CommandText = sql;
                    using (var r = cmd.ExecuteReader())
                    {
                        while (r.Read())
                        {
                            var row = new string[r.FieldCount];
                            for (int i = 0; i < row.Length; i++)
                            {
                                row[i] = Text(r, i);
                            }
                            rows.Add(row);
                        }
                    }
                }
                return rows;
            }
            catch (MySqlException e)
            {
                throw ToStatementException(_connection, e);
            }
        }

        /// <summary>A refused statement as a <see cref="GrantsStatementException"/> (hashes redacted; lost connections marked).</summary>
        internal static GrantsStatementException ToStatementException(MySqlConnection connection, MySqlException e)
        {
            bool lost = connection.State != ConnectionState.Open || Server.ServerErrorClassifier.IsConnectionLost(e);
            return new GrantsStatementException(SqlScriptSplitter.Redact(e.Message), e.Number == 0 ? (int?)null : e.Number, lost, e);
        }

        internal static string Text(MySqlDataReader r, int i)
        {
            if (r.IsDBNull(i))
            {
                return null;
            }
            object v = r.GetValue(i);
            return v is byte[] bytes ? Encoding.UTF8.GetString(bytes) : Convert.ToString(v, CultureInfo.InvariantCulture);
        }
    }
}
