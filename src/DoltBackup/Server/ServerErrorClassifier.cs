using System;
using System.IO;
using System.Management.Automation;
using System.Net.Sockets;
using MySqlConnector;

namespace DoltBackup.Server
{
    /// <summary>What an error from a server means for the user: an error id, a category and what to do.</summary>
    public sealed class ClassifiedError
    {
        /// <summary>Stable id stem, for example ConnectionRefused (the ErrorRecord id is DoltBackup.&lt;id&gt;).</summary>
        public string ErrorId { get; set; }
        /// <summary>ErrorRecord category.</summary>
        public ErrorCategory Category { get; set; }
        /// <summary>The message shown to the user (never holds a password).</summary>
        public string Message { get; set; }
        /// <summary>What the user should do.</summary>
        public string RecommendedAction { get; set; }
        /// <summary>True when retrying with other databases makes no sense (the server cannot be reached at all).</summary>
        public bool IsConnectionLevel { get; set; }
    }

    /// <summary>
    /// Turns MySqlConnector and socket exceptions into clear, actionable errors: connection refused, bad credentials,
    /// TLS required, missing privilege. Kept apart from the cmdlets so that MySqlConnector loads only when a server is
    /// actually used.
    /// </summary>
    public static class ServerErrorClassifier
    {
        /// <summary>
        /// Classifies an exception raised while talking to the server of <paramref name="settings"/>. MySqlConnector
        /// reports refused and unreachable hosts alike ("Unable to connect to any of the specified MySQL hosts"), so a
        /// TCP endpoint is probed once to tell "connection refused" from "no answer".
        /// </summary>
        public static ClassifiedError Classify(Exception exception, ServerConnectionSettings settings, string operation = null)
        {
            var classified = Classify(exception, settings.Endpoint, operation);
            if (classified.ErrorId == "ConnectionFailed" && string.IsNullOrEmpty(settings.Socket))
            {
                var probe = ProbeTcp(settings.Host, settings.Port, Math.Min(5, Math.Max(1, settings.ConnectTimeoutSeconds)));
                if (probe != null)
                {
                    return Classify(probe, settings.Endpoint, operation);
                }
            }
            return classified;
        }

        private static Exception ProbeTcp(string host, int port, int timeoutSeconds)
        {
            using (var client = new TcpClient())
            {
                try
                {
                    var task = client.ConnectAsync(host, port);
                    if (!task.Wait(TimeSpan.FromSeconds(timeoutSeconds)))
                    {
                        return new TimeoutException($"No answer from {host}:{port}.");
                    }
                    return null;
                }
                catch (AggregateException e) when (e.InnerException is SocketException se)
                {
                    return se;
                }
                catch (SocketException se)
                {
                    return se;
                }
            }
        }

        /// <summary>
        /// True when the connection broke while a statement ran: the server closed it or died (MySqlConnector's "Failed
        /// to read the result set." with an end-of-stream, socket or I/O cause, or its "Connection was killed" / shutdown
        /// errors). Not for a connection that never opened, a command timeout or a cancelled query.
        /// </summary>
        public static bool IsConnectionLost(Exception exception)
        {
            var e = exception is AggregateException agg && agg.InnerExceptions.Count == 1 ? agg.InnerException : exception;
            if (!(e is MySqlException mysql))
            {
                return e is EndOfStreamException;
            }
            switch ((int)mysql.ErrorCode)
            {
                case (int)MySqlErrorCode.CommandTimeoutExpired:
                case (int)MySqlErrorCode.QueryInterrupted:
                case (int)MySqlErrorCode.UnableToConnectToHost:
                    return false;
                case 1053: // ER_SERVER_SHUTDOWN
                case 1927: // ER_CONNECTION_KILLED (MariaDB, KILL CONNECTION from another session)
                case 2006: // CR_SERVER_GONE_ERROR
                case 2013: // CR_SERVER_LOST
                case 4031: // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8 closed an idle connection)
                    return true;
            }
            if (mysql.SqlState != null && mysql.Number != 0)
            {
                return false; // an error packet from a live server
            }
            bool broken = false;
            for (var x = mysql.InnerException; x != null; x = x.InnerException)
            {
                if (x is System.Security.Authentication.AuthenticationException)
                {
                    return false; // a TLS handshake that failed: classified as TLS below
                }
                broken |= x is EndOfStreamException || x is IOException || x is SocketException || x is ObjectDisposedException;
            }
            return broken;
        }

        /// <summary>Classifies an exception raised while talking to <paramref name="endpoint"/>.</summary>
        public static ClassifiedError Classify(Exception exception, string endpoint, string operation = null)
        {
            var e = exception is AggregateException agg && agg.InnerExceptions.Count == 1 ? agg.InnerException : exception;
            string what = operation == null ? "" : operation + ": ";
            if (IsConnectionLost(e))
            {
                return Make("ConnectionLost", ErrorCategory.ConnectionError,
                    what + $"The server {endpoint} closed the connection while the statement ran ({e.Message.TrimEnd('.')}).",
                    "Check that the server still runs (its log says why it stopped), then run the command again.", false);
            }
            if (e is MySqlException mysql)
            {
                switch (mysql.ErrorCode)
                {
                    case MySqlErrorCode.AccessDenied:
                        return Make("AccessDenied", ErrorCategory.AuthenticationError, what + $"The server {endpoint} refused the login: {mysql.Message}",
                            "Check the user name and password in -Credential, and that the account may connect from this host.", true);
                    case MySqlErrorCode.UnableToConnectToHost:
                        return ClassifyConnect(mysql, endpoint, what);
                    case MySqlErrorCode.SpecifiedAccessDeniedError:
                    case (MySqlErrorCode)1370: // ER_PROCACCESS_DENIED_ERROR
                    case MySqlErrorCode.DatabaseAccessDenied:
                    case MySqlErrorCode.TableAccessDenied:
                    case MySqlErrorCode.ColumnAccessDenied:
                        return Make("PrivilegeMissing", ErrorCategory.PermissionDenied, what + mysql.Message,
                            "Grant the account the privilege named in the message. dolt_backup() needs SUPER, or GRANT EXECUTE ON PROCEDURE <db>.dolt_backup; reading accounts needs SELECT on mysql.*.", false);
                    case MySqlErrorCode.UnknownDatabase:
                        return Make("DatabaseNotFound", ErrorCategory.ObjectNotFound, what + mysql.Message,
                            "Check the database name: Get-DoltBackup and SHOW DATABASES list what the server has.", false);
                    case MySqlErrorCode.QueryInterrupted:
                        return Make("Cancelled", ErrorCategory.OperationStopped, what + mysql.Message, "The operation was stopped; run it again.", false);
                }
                if ((int)mysql.ErrorCode == 3159 || mysql.Message.IndexOf("insecure transport", StringComparison.OrdinalIgnoreCase) >= 0
                    || mysql.Message.IndexOf("requires SSL", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return Make("TlsRequired", ErrorCategory.SecurityError, what + $"The server {endpoint} requires TLS: {mysql.Message}",
                        "Connect with -TlsMode Required (or VerifyCA with -CaCertificatePath).", true);
                }
                if (mysql.Message.IndexOf("SSL", StringComparison.OrdinalIgnoreCase) >= 0 || mysql.Message.IndexOf("TLS", StringComparison.Ordinal) >= 0
                    || mysql.InnerException is System.Security.Authentication.AuthenticationException)
                {
                    return Make("TlsFailed", ErrorCategory.SecurityError, what + $"TLS with {endpoint} failed: {mysql.Message}",
                        "Check -TlsMode and -CaCertificatePath against the server's listener.tls_cert; -TlsMode Required skips certificate checks.", true);
                }
                if (mysql.Message.IndexOf("denied", StringComparison.OrdinalIgnoreCase) >= 0 || mysql.Message.IndexOf("does not have the correct permissions", StringComparison.OrdinalIgnoreCase) >= 0
                    || mysql.Message.IndexOf("privilege", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return Make("PrivilegeMissing", ErrorCategory.PermissionDenied, what + mysql.Message,
                        "Grant the account the privilege named in the message (dolt_backup() needs SUPER or EXECUTE on the procedure, and write access on the branch).", false);
                }
                return Make("ServerError", ErrorCategory.InvalidOperation, what + mysql.Message, "See the server's message; fix its cause and run the command again.", false);
            }
            if (e is SocketException || e is TimeoutException || (e is IOException && e.InnerException is SocketException))
            {
                return ClassifyConnect(e, endpoint, what);
            }
            if (e is OperationCanceledException)
            {
                return Make("Cancelled", ErrorCategory.OperationStopped, what + "The operation was cancelled.", "Run the command again.", false);
            }
            return Make("UnexpectedError", ErrorCategory.NotSpecified, what + e.Message, "Run again with -Verbose; report the error if it persists.", false);
        }

        private static ClassifiedError ClassifyConnect(Exception e, string endpoint, string what)
        {
            string text = "";
            bool refused = false;
            for (var x = e; x != null; x = x.InnerException)
            {
                text += " " + x.Message.ToLowerInvariant();
                refused |= x is SocketException se && se.SocketErrorCode == SocketError.ConnectionRefused;
            }
            if (refused || text.Contains("refused"))
            {
                return Make("ConnectionRefused", ErrorCategory.ConnectionError, what + $"Nothing accepted the connection at {endpoint} (connection refused).",
                    "Check that dolt sql-server runs and listens on that host and port (listener.host and listener.port in its config.yaml); or pass -ConfigPath.", true);
            }
            if (text.Contains("timeout") || text.Contains("timed out") || e is TimeoutException)
            {
                return Make("ConnectTimeout", ErrorCategory.OperationTimeout, what + $"No answer from {endpoint} within the connect timeout.",
                    "Check the host, the port and any firewall; raise -ConnectTimeout for slow links.", true);
            }
            return Make("ConnectionFailed", ErrorCategory.ConnectionError, what + $"Could not connect to {endpoint}: {e.Message}",
                "Check that the server runs and that -Server, -Port (or -ConfigPath) point at it.", true);
        }

        private static ClassifiedError Make(string id, ErrorCategory category, string message, string action, bool connectionLevel)
            => new ClassifiedError { ErrorId = id, Category = category, Message = message, RecommendedAction = action, IsConnectionLevel = connectionLevel };
    }
}
