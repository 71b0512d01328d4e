using System.Collections.Generic;

namespace DoltBackup.Config
{
    /// <summary>
    /// What DoltBackup needs from a Dolt sql-server YAML config (dolt-reference §4), with every path already made
    /// absolute and Dolt's defaults applied (cfg_dir = data_dir/.doltcfg, privilege_file = cfg_dir/privileges.db,
    /// branch_control_file = cfg_dir/branch_control.db). Dolt resolves every relative path in the file (data_dir,
    /// cfg_dir, privilege_file, branch_control_file, TLS files) against the working directory of the sql-server
    /// process, not against the YAML file's folder nor against data_dir: that directory is <see cref="BaseDirectory"/>.
    /// </summary>
    public sealed class SqlServerConfig
    {
        /// <summary>The YAML file (absolute), or null when the settings did not come from a file.</summary>
        public string ConfigPath { get; set; }
        /// <summary>The directory relative paths were resolved against: the sql-server's working directory (by default
        /// assumed to be the YAML file's folder).</summary>
        public string BaseDirectory { get; set; }
        /// <summary>listener.host (default localhost).</summary>
        public string ListenerHost { get; set; } = "localhost";
        /// <summary>listener.port (default 3306).</summary>
        public int ListenerPort { get; set; } = 3306;
        /// <summary>listener.socket, when set.</summary>
        public string Socket { get; set; }
        /// <summary>listener.tls_cert (absolute), when set.</summary>
        public string TlsCert { get; set; }
        /// <summary>listener.tls_key (absolute), when set.</summary>
        public string TlsKey { get; set; }
        /// <summary>listener.ca_cert (absolute), when set.</summary>
        public string CaCert { get; set; }
        /// <summary>listener.require_secure_transport.</summary>
        public bool RequireSecureTransport { get; set; }
        /// <summary>listener.require_client_cert.</summary>
        public bool RequireClientCert { get; set; }
        /// <summary>data_dir (absolute; default the base directory).</summary>
        public string DataDir { get; set; }
        /// <summary>cfg_dir (absolute; default data_dir/.doltcfg).</summary>
        public string CfgDir { get; set; }
        /// <summary>privilege_file (absolute; default cfg_dir/privileges.db).</summary>
        public string PrivilegeFile { get; set; }
        /// <summary>branch_control_file (absolute; default cfg_dir/branch_control.db).</summary>
        public string BranchControlFile { get; set; }
        /// <summary>behavior.read_only.</summary>
        public bool ReadOnly { get; set; }
        /// <summary>Local files named by jwks[].location_url (file:// or plain paths), absolute.</summary>
        public List<string> JwksFiles { get; set; } = new List<string>();
        /// <summary>metrics.tls_cert / tls_key / tls_ca and cluster.remotesapi TLS files, absolute.</summary>
        public List<string> OtherTlsFiles { get; set; } = new List<string>();
        /// <summary>Every local file the config names (listener, metrics and cluster TLS files, file:// JWKS), in file order.</summary>
        public List<ConfigFileReference> ReferencedFiles { get; set; } = new List<ConfigFileReference>();
        /// <summary>Keys that this module (and perhaps this Dolt) does not know: warnings, never errors.</summary>
        public List<string> UnknownKeys { get; set; } = new List<string>();
        /// <summary>Deprecated or suspicious settings worth telling the user about.</summary>
        public List<string> Warnings { get; set; } = new List<string>();

        /// <summary>The host a client should connect to: 127.0.0.1 when the server listens on every address.</summary>
        public string ClientHost => ListenerHost == "0.0.0.0" || ListenerHost == "::" || string.IsNullOrEmpty(ListenerHost) ? "127.0.0.1" : ListenerHost;
    }
}
