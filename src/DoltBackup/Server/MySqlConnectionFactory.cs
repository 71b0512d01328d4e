using System.Threading;
using System.Threading.Tasks;
using MySqlConnector;

namespace DoltBackup.Server
{
    /// <summary>
    /// Opens MySqlConnector connections from <see cref="ServerConnectionSettings"/>. Connections with equal settings
    /// share MySqlConnector's pool, so one pipeline uses one pool. This is the only place that builds connection
    /// strings; nothing else touches the password.
    /// </summary>
    public static class MySqlConnectionFactory
    {
        /// <summary>The connection string for the settings (holds the password: never log it).</summary>
        internal static string BuildConnectionString(ServerConnectionSettings settings, string database = null)
        {
            var b = new MySqlConnectionStringBuilder
            {
                UserID = settings.UserName ?? "root",
                Password = settings.Password ?? "",
                ConnectionTimeout = (uint)System.Math.Max(1, settings.ConnectTimeoutSeconds),
                DefaultCommandTimeout = (uint)System.Math.Max(0, settings.CommandTimeoutSeconds),
                AllowUserVariables = true,
                PersistSecurityInfo = false,
                Pooling = true,
                // Dolt speaks mysql_native_password; a server that asks for caching_sha2 over plain TCP needs the key.
                AllowPublicKeyRetrieval = settings.Tls == TlsMode.None || settings.Tls == TlsMode.Preferred,
                SslMode = ToSslMode(settings.Tls),
                ConnectionReset = true,
            };
            if (!string.IsNullOrEmpty(settings.Socket))
            {
                b.Server = settings.Socket;
                b.ConnectionProtocol = MySqlConnectionProtocol.UnixSocket;
            }
            else
            {
                b.Server = settings.Host;
                b.Port = (uint)settings.Port;
            }
            if (!string.IsNullOrEmpty(settings.CaCertificatePath))
            {
                b.SslCa = settings.CaCertificatePath;
            }
            if (!string.IsNullOrEmpty(database))
            {
                b.Database = database;
            }
            return b.ConnectionString;
        }

        /// <summary>Opens a connection (optionally with a current database).</summary>
        public static MySqlConnection Open(ServerConnectionSettings settings, string database = null)
        {
            var connection = new MySqlConnection(BuildConnectionString(settings, database));
            try
            {
                connection.Open();
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Opens a connection asynchronously.</summary>
        public static async Task<MySqlConnection> OpenAsync(ServerConnectionSettings settings, string database = null, CancellationToken cancellationToken = default)
        {
            var connection = new MySqlConnection(BuildConnectionString(settings, database));
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        /// <summary>Quotes an identifier with backticks (a backtick inside is doubled).</summary>
        public static string QuoteIdentifier(string identifier) => "`" + identifier.Replace("`", "``") + "`";

        private static MySqlSslMode ToSslMode(TlsMode mode)
        {
            switch (mode)
            {
                case TlsMode.None: return MySqlSslMode.None;
                case TlsMode.Required: return MySqlSslMode.Required;
                case TlsMode.VerifyCA: return MySqlSslMode.VerifyCA;
                case TlsMode.VerifyFull: return MySqlSslMode.VerifyFull;
                default: return MySqlSslMode.Preferred;
            }
        }
    }
}
