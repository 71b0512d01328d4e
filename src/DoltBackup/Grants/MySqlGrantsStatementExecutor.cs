using System;
using DoltBackup.Server;
using MySqlConnector;

namespace DoltBackup.Grants
{
    /// <summary>Runs grants-script statements over one MySQL-protocol connection.</summary>
    public sealed class MySqlGrantsStatementExecutor : IGrantsStatementExecutor
    {
        private readonly MySqlConnection _connection;

        /// <summary>Connects to the server.</summary>
        public MySqlGrantsStatementExecutor(ServerConnectionSettings settings)
        {
            _connection = MySqlConnectionFactory.Open(settings);
            using (var cmd = _connection.CreateCommand())
            {
                cmd.CommandText = "SELECT CURRENT_USER()";
                CurrentUser = AccountName.ParseCurrentUser(Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        /// <inheritdoc />
        public AccountName CurrentUser { get; }

        /// <inheritdoc />
        public void Execute(string sql)
        {
            try
            {
                using (var cmd = _connection.CreateCommand())
                {
                    cmd.CommandText = sql;
                    cmd.ExecuteNonQuery();
                }
            }
            catch (MySqlException e)
            {
                throw MySqlGrantsQuerySession.ToStatementException(_connection, e);
            }
        }

        /// <inheritdoc />
        public System.Collections.Generic.IReadOnlyList<string[]> Query(string sql) => new MySqlGrantsQuerySession(_connection).Query(sql);

        /// <inheritdoc />
        public void Dispose() => _connection.Dispose();
    }
}
