using System;
using System.Collections.Generic;

namespace DoltBackup.Capture
{
    /// <summary>The <see cref="Manifest.BackupArtifact.Kind"/> and <see cref="Manifest.OmittedFile.Kind"/> values of configuration capture.</summary>
    public static class ArtifactKind
    {
        /// <summary>The sql-server YAML config.</summary>
        public const string ServerConfig = "ServerConfig";
        /// <summary>A TLS certificate (chain) named by the YAML.</summary>
        public const string TlsCertificate = "TlsCertificate";
        /// <summary>A TLS private key named by the YAML: a secret.</summary>
        public const string TlsKey = "TlsKey";
        /// <summary>A CA certificate named by the YAML.</summary>
        public const string TlsCa = "TlsCa";
        /// <summary>A local JWKS file (file:// location_url) named by the YAML.</summary>
        public const string JwksFile = "JwksFile";
        /// <summary>config_global.json of the global Dolt directory.</summary>
        public const string GlobalConfig = "GlobalConfig";
        /// <summary>creds/*.jwk of the global Dolt directory: a secret.</summary>
        public const string GlobalCredential = "GlobalCredential";
        /// <summary>The data-dir root's .dolt/config.json when the root is not itself a database.</summary>
        public const string DataDirConfig = "DataDirConfig";
        /// <summary>A database's .dolt/config.json.</summary>
        public const string DatabaseConfig = "DatabaseConfig";
        /// <summary>A database's .dolt/repo_state.json (remotes, backups, branch upstreams).</summary>
        public const string RepoState = "RepoState";
        /// <summary>privilege_file (users and grants, password hashes).</summary>
        public const string PrivilegeFile = "PrivilegeFile";
        /// <summary>branch_control_file.</summary>
        public const string BranchControlFile = "BranchControlFile";
        /// <summary>.dolt/sql-server.info at the data-dir root (the local superuser secret of a running server).</summary>
        public const string ServerInfo = "ServerInfo";
        /// <summary>An omitted value rather than a file: the profile key of config_global.json.</summary>
        public const string GlobalConfigProfile = "GlobalConfigProfile";
        /// <summary>An omitted value rather than a file: a literal password in the sql-server YAML.</summary>
        public const string ServerConfigSecret = "ServerConfigSecret";

        private static readonly HashSet<string> CaptureKinds = new HashSet<string>(StringComparer.Ordinal)
        {
            ServerConfig, TlsCertificate, TlsKey, TlsCa, JwksFile, GlobalConfig, GlobalCredential, DataDirConfig, DatabaseConfig,
            RepoState, PrivilegeFile, BranchControlFile, ServerInfo, GlobalConfigProfile, ServerConfigSecret,
        };

        /// <summary>True for the kinds that configuration capture writes (and replaces when it runs again).</summary>
        public static bool IsConfigurationKind(string kind) => kind != null && CaptureKinds.Contains(kind);
    }
}
