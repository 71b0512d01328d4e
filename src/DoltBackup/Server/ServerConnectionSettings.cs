using System;
using System.Globalization;

namespace DoltBackup.Server
{
    /// <summary>How to protect the connection to the server.</summary>
    public enum TlsMode
    {
        /// <summary>Use TLS when the server offers it, without verifying its certificate (the MySQL client default).</summary>
        Preferred,
        /// <summary>No TLS.</summary>
        None,
        /// <summary>Require TLS; do not verify the certificate.</summary>
        Required,
        /// <summary>Require TLS and a certificate signed by the given or system CA.</summary>
        VerifyCA,
        /// <summary>Require TLS, a trusted certificate, and a matching host name.</summary>
        VerifyFull,
    }

    /// <summary>
    /// Everything needed to reach a Dolt (or MySQL-protocol) server. Plain data: no MySqlConnector types, so the
    /// cmdlets can build it without loading the driver. The password is never part of <see cref="ToString"/>.
    /// </summary>
    public sealed class ServerConnectionSettings
    {
        /// <summary>Host name or address.</summary>
        public string Host { get; set; } = "127.0.0.1";
        /// <summary>TCP port.</summary>
        public int Port { get; set; } = 3306;
        /// <summary>Unix socket path; when set it is used instead of TCP.</summary>
        public string Socket { get; set; }
        /// <summary>Account name.</summary>
        public string UserName { get; set; } = "root";
        /// <summary>Password; never logged, never shown.</summary>
        internal string Password { get; set; }
        /// <summary>TLS mode.</summary>
        public TlsMode Tls { get; set; } = TlsMode.Preferred;
        /// <summary>CA certificate file for VerifyCA / VerifyFull.</summary>
        public string CaCertificatePath { get; set; }
        /// <summary>Seconds to wait for a connection.</summary>
        public int ConnectTimeoutSeconds { get; set; } = 15;
        /// <summary>Seconds a single command may run (0 = no limit; syncs of big databases take long).</summary>
        public int CommandTimeoutSeconds { get; set; }

        /// <summary>True when a password is set (its value is never exposed).</summary>
        public bool HasPassword => !string.IsNullOrEmpty(Password);

        /// <summary>Sets the password (internal callers only pass it from a PSCredential).</summary>
        internal ServerConnectionSettings WithPassword(string password)
        {
            Password = password;
            return this;
        }

        /// <summary>A copy (the password included).</summary>
        public ServerConnectionSettings Clone() => (ServerConnectionSettings)MemberwiseClone();

        /// <summary>host:port (or the socket), for messages and manifests. Never contains the password.</summary>
        public string Endpoint => !string.IsNullOrEmpty(Socket) ? Socket : (Host.Contains(":") ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <inheritdoc />
        public override string ToString() => UserName + "@" + Endpoint;

        /// <summary>
        /// Parses "host", "host:port", "[v6]:port" or "v6". Returns the host and, when present, the port.
        /// </summary>
        public static (string Host, int? Port) ParseServer(string server)
        {
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new ArgumentException("The server name is empty.", nameof(server));
            }
            server = server.Trim();
            if (server.StartsWith("[", StringComparison.Ordinal))
            {
                int close = server.IndexOf(']');
                if (close < 0)
                {
                    throw new ArgumentException($"'{server}' is not a valid server: an IPv6 address in brackets needs its ']'.", nameof(server));
                }
                string host = server.Substring(1, close - 1);
                string rest = server.Substring(close + 1);
                if (rest.Length == 0)
                {
                    return (host, null);
                }
                if (rest[0] != ':')
                {
                    throw new ArgumentException($"'{server}' is not a valid server.", nameof(server));
                }
                return (host, ParsePort(rest.Substring(1), server));
            }
            int first = server.IndexOf(':');
            if (first >= 0 && first == server.LastIndexOf(':'))
            {
                return (server.Substring(0, first), ParsePort(server.Substring(first + 1), server));
            }
            return (server, null);
        }

        private static int ParsePort(string text, string server)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
            {
                throw new ArgumentException($"'{server}' is not a valid server: '{text}' is not a port number (1-65535).", nameof(server));
            }
            return port;
        }
    }
}
