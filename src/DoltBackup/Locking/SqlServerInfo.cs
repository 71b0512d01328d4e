using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;

namespace DoltBackup.Locking
{
    /// <summary>
    /// The <c>.dolt/sql-server.info</c> file a running sql-server writes at its data-dir root (dolt-reference §5):
    /// "pid:port:secret". The secret is a superuser password: it is parsed only to be dropped, and never exposed.
    /// Before Dolt 1.29.0 the same content was in <c>.dolt/sql-server.lock</c>.
    /// </summary>
    public sealed class SqlServerInfo
    {
        /// <summary>The file it was read from.</summary>
        public string Path { get; private set; }
        /// <summary>The server process id (a legacy field; Dolt no longer relies on it).</summary>
        public int? Pid { get; private set; }
        /// <summary>The port, or null when the server had no TCP listener ("-").</summary>
        public int? Port { get; private set; }

        /// <summary>Reads sql-server.info (or the legacy sql-server.lock) at a data-dir root; null when neither exists or it cannot be parsed.</summary>
        public static SqlServerInfo TryRead(string dataDir)
        {
            foreach (var name in new[] { "sql-server.info", "sql-server.lock" })
            {
                string path = System.IO.Path.Combine(dataDir, ".dolt", name);
                if (!File.Exists(path))
                {
                    continue;
                }
                string text;
                try
                {
                    text = File.ReadAllText(path).Trim();
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    // Mode 0600 and another owner: the file still tells us a server may run.
                    return new SqlServerInfo { Path = path };
                }
                var parsed = Parse(text);
                if (parsed != null)
                {
                    parsed.Path = path;
                    return parsed;
                }
            }
            return null;
        }

        /// <summary>Parses "pid:port:secret"; null when the text does not have exactly three parts.</summary>
        public static SqlServerInfo Parse(string text)
        {
            var parts = text.Split(':');
            if (parts.Length != 3)
            {
                return null;
            }
            var info = new SqlServerInfo();
            if (int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid))
            {
                info.Pid = pid;
            }
            if (int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int port) && port > 0)
            {
                info.Port = port;
            }
            return info;
        }

        /// <summary>True when something accepts TCP connections on localhost (IPv4 or IPv6 loopback) at the recorded port.</summary>
        public bool PortAnswers(int timeoutMilliseconds = 1000)
        {
            if (!Port.HasValue)
            {
                return false;
            }
            // A server configured with host localhost or ::1 may listen on either loopback address.
            return Answers(System.Net.IPAddress.Loopback, Port.Value, timeoutMilliseconds)
                || (Socket.OSSupportsIPv6 && Answers(System.Net.IPAddress.IPv6Loopback, Port.Value, timeoutMilliseconds));
        }

        private static bool Answers(System.Net.IPAddress address, int port, int timeoutMilliseconds)
        {
            using (var client = new TcpClient(address.AddressFamily))
            {
                try
                {
                    return client.ConnectAsync(address, port).Wait(timeoutMilliseconds) && client.Connected;
                }
                catch (AggregateException)
                {
                    return false;
                }
                catch (SocketException)
                {
                    return false;
                }
            }
        }

        /// <inheritdoc />
        public override string ToString() => $"pid {(Pid?.ToString(CultureInfo.InvariantCulture) ?? "?")}, port {(Port?.ToString(CultureInfo.InvariantCulture) ?? "-")}";
    }
}
