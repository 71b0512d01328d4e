namespace DoltBackup.Config
{
    /// <summary>A local file that a sql-server YAML config names (TLS certificate, key or CA; a file:// JWKS).</summary>
    public sealed class ConfigFileReference
    {
        /// <summary>The YAML setting that names the file, for example <c>listener.tls_key</c> or <c>jwks[0].location_url</c>.</summary>
        public string Setting { get; set; }

        /// <summary>The file, absolute, resolved the way Dolt resolves it.</summary>
        public string Path { get; set; }

        /// <summary>True for a private key (listener.tls_key, metrics.tls_key, cluster.remotesapi.tls_key).</summary>
        public bool IsPrivateKey { get; set; }

        /// <summary>What the file is: TlsCertificate, TlsKey, TlsCa or JwksFile.</summary>
        public string Role { get; set; }

        /// <inheritdoc />
        public override string ToString() => Setting + " = " + Path;
    }
}
