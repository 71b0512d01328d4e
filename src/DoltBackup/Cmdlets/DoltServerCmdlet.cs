using System;
using System.Management.Automation;
using DoltBackup.Common;
using DoltBackup.Config;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Server;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// The parameters every server-facing cmdlet shares: -Server, -Port, -Credential, -ConfigPath, -TlsMode,
    /// -CaCertificatePath, -ConnectTimeout. Builds <see cref="ServerConnectionSettings"/> without loading the driver.
    /// </summary>
    public abstract class DoltServerCmdlet : DoltBackupCmdlet
    {
        /// <summary>Host or host:port of the Dolt sql-server.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "Host or host:port of the Dolt sql-server.")]
        [Alias("SqlInstance", "ComputerName")]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; }

        /// <summary>TCP port (default 3306, or listener.port of -ConfigPath).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "TCP port of the server (default 3306, or listener.port of -ConfigPath).")]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>The account to log in with.</summary>
        [Parameter(HelpMessage = "The account to log in with (Get-Credential).")]
        [Credential]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        /// <summary>The sql-server YAML config: listener host, port, socket and TLS settings, data_dir, cfg_dir and more.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, HelpMessage = "The Dolt sql-server YAML config file.")]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        /// <summary>TLS mode for the connection.</summary>
        [Parameter(HelpMessage = "TLS for the connection: Preferred (default), None, Required, VerifyCA, VerifyFull.")]
        public TlsMode TlsMode { get; set; } = TlsMode.Preferred;

        /// <summary>CA certificate for VerifyCA / VerifyFull.</summary>
        [Parameter(HelpMessage = "CA certificate (PEM) used to verify the server with -TlsMode VerifyCA or VerifyFull.")]
        public string CaCertificatePath { get; set; }

        /// <summary>Seconds to wait for a connection.</summary>
        [Parameter(HelpMessage = "Seconds to wait for a connection (default 15).")]
        [ValidateRange(1, 3600)]
        public int ConnectTimeout { get; set; } = 15;

        /// <summary>The parsed -ConfigPath, once loaded.</summary>
        protected SqlServerConfig ServerConfig { get; private set; }

        /// <summary>True when the user named a server (by -Server or -ConfigPath).</summary>
        protected bool HasServerParameters => MyInvocation.BoundParameters.ContainsKey(nameof(Server)) || MyInvocation.BoundParameters.ContainsKey(nameof(ConfigPath));

        /// <summary>
        /// Reads -ConfigPath (unknown keys become one warning) and combines it with -Server, -Port, -Credential and
        /// the TLS parameters; explicit parameters win over the file.
        /// </summary>
        protected ServerConnectionSettings BuildConnectionSettings()
        {
            var settings = new ServerConnectionSettings { ConnectTimeoutSeconds = ConnectTimeout, Tls = TlsMode, CaCertificatePath = CaCertificatePath };
            if (!string.IsNullOrEmpty(ConfigPath))
            {
                ServerConfig = LoadServerConfig(ConfigPath);
                settings.Host = ServerConfig.ClientHost;
                settings.Port = ServerConfig.ListenerPort;
                if (ServerConfig.RequireSecureTransport && !MyInvocation.BoundParameters.ContainsKey(nameof(TlsMode)))
                {
                    settings.Tls = TlsMode.Required;
                }
            }
            if (!string.IsNullOrEmpty(Server))
            {
                var (host, port) = ServerConnectionSettings.ParseServer(Server);
                settings.Host = host;
                if (port.HasValue)
                {
                    settings.Port = port.Value;
                }
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
            {
                settings.Port = Port;
            }
            if (!string.IsNullOrEmpty(CaCertificatePath))
            {
                settings.CaCertificatePath = ResolveUserPath(CaCertificatePath);
            }
            if (Credential != null && Credential != PSCredential.Empty && !string.IsNullOrEmpty(Credential.UserName))
            {
                settings.UserName = Credential.UserName;
                settings.WithPassword(Credential.GetNetworkCredential().Password);
            }
            return settings;
        }

        /// <summary>
        /// Where the manifest's databases live, as recorded (shared by Sync-DoltBackup and Test-DoltBackup -RestoreTest):
        /// the connection of the session that made the manifest (New-DoltBackup | Sync-DoltBackup), unless -Credential
        /// replaces it; else the manifest's recorded source (its server and port, or its -ConfigPath's listener, or its
        /// offline data directory) with this cmdlet's -Credential, -Port and TLS parameters.
        /// </summary>
        /// <param name="manifest">The manifest.</param>
        /// <param name="timeout">How long one Dolt operation may run.</param>
        /// <param name="doltPath">The dolt binary for an offline source (null: the session's, or dolt from PATH).</param>
        protected DoltEngineRequest RequestForRecordedSource(BackupManifest manifest, TimeSpan timeout, string doltPath)
        {
            bool credentialGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Credential));
            if (manifest.SessionConnection != null && !credentialGiven)
            {
                var s = manifest.SessionConnection.Clone();
                if (MyInvocation.BoundParameters.ContainsKey(nameof(ConnectTimeout)))
                {
                    s.ConnectTimeoutSeconds = ConnectTimeout;
                }
                return new DoltEngineRequest { Server = s, OperationTimeout = timeout };
            }
            var source = manifest.Source ?? new BackupSource();
            if (string.IsNullOrEmpty(source.Server) && string.IsNullOrEmpty(source.ConfigPath) && !string.IsNullOrEmpty(source.DataDir))
            {
                return new DoltEngineRequest { DataDir = source.DataDir, DoltPath = doltPath ?? manifest.SessionDoltPath, OperationTimeout = timeout };
            }
            var settings = BuildConnectionSettings();
            if (manifest.SessionConnection != null)
            {
                settings.Host = manifest.SessionConnection.Host;
                settings.Port = manifest.SessionConnection.Port;
                settings.Socket = manifest.SessionConnection.Socket;
            }
            else
            {
                if (!string.IsNullOrEmpty(source.ConfigPath) && System.IO.File.Exists(source.ConfigPath))
                {
                    var config = LoadServerConfig(source.ConfigPath);
                    settings.Host = config.ClientHost;
                    settings.Port = config.ListenerPort;
                    if (config.RequireSecureTransport && !MyInvocation.BoundParameters.ContainsKey(nameof(TlsMode)))
                    {
                        settings.Tls = TlsMode.Required;
                    }
                }
                if (!string.IsNullOrEmpty(source.Server))
                {
                    settings.Host = source.Server;
                    if (source.Port.HasValue)
                    {
                        settings.Port = source.Port.Value;
                    }
                }
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
            {
                settings.Port = Port;
            }
            return new DoltEngineRequest { Server = settings, OperationTimeout = timeout };
        }

        /// <summary>Reads a sql-server config, warning once about keys this module does not know.</summary>
        protected SqlServerConfig LoadServerConfig(string path)
        {
            var config = SqlServerConfigReader.ReadFile(ResolveUserPath(path));
            if (config.UnknownKeys.Count > 0)
            {
                WriteWarning($"The sql-server config '{config.ConfigPath}' has keys DoltBackup does not know: {string.Join(", ", config.UnknownKeys)}. They were ignored.");
            }
            foreach (var w in config.Warnings)
            {
                WriteWarning(w);
            }
            return config;
        }

        /// <summary>Writes a non-terminating error for a server failure, classified (refused, login, TLS, privilege).</summary>
        protected ClassifiedError WriteServerError(Exception exception, ServerConnectionSettings settings, object target, string operation = null)
        {
            var classified = ServerErrorClassifier.Classify(exception, settings, operation);
            WriteError(DoltBackupErrors.Create(new DoltBackupException(classified.Message, exception), classified.ErrorId, classified.Category, target, classified.RecommendedAction));
            return classified;
        }
    }
}
