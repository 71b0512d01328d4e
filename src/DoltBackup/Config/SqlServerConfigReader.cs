using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using DoltBackup.Common;
using YamlDotNet.RepresentationModel;

namespace DoltBackup.Config
{
    /// <summary>
    /// Reads a Dolt sql-server YAML config (dolt-reference §4). ${VAR} is expanded from the environment as Dolt does
    /// (unset or empty VAR is an error; $$ is a literal $). Unknown keys become warnings, never errors: this module
    /// must read configs of newer Dolt versions. Relative paths are resolved against the base directory: the
    /// directory Dolt was started in, which defaults to the YAML file's own directory.
    /// </summary>
    public static class SqlServerConfigReader
    {
        private static readonly Dictionary<string, object> KnownKeys = BuildSchema();

        /// <summary>Reads and resolves a config file.</summary>
        public static SqlServerConfig ReadFile(string path, string baseDirectory = null, Func<string, string> getEnvironment = null)
        {
            string full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"The sql-server config '{full}' does not exist.", full);
            }
            var config = Parse(File.ReadAllText(full, Encoding.UTF8), baseDirectory ?? Path.GetDirectoryName(full), getEnvironment, full);
            config.ConfigPath = full;
            return config;
        }

        /// <summary>Parses config text; <paramref name="baseDirectory"/> anchors relative paths.</summary>
        public static SqlServerConfig Parse(string yaml, string baseDirectory, Func<string, string> getEnvironment = null, string sourceName = null)
        {
            getEnvironment = getEnvironment ?? Environment.GetEnvironmentVariable;
            string expanded = ExpandEnvironment(yaml, getEnvironment, sourceName);
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(expanded));
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new DoltBackupException($"The sql-server config {sourceName ?? ""} is not valid YAML (line {e.Start.Line}): {e.Message}", e);
            }

            var config = new SqlServerConfig { BaseDirectory = Path.GetFullPath(baseDirectory) };
            if (stream.Documents.Count == 0 || !(stream.Documents[0].RootNode is YamlMappingNode root))
            {
                config.DataDir = config.BaseDirectory;
                ApplyDefaults(config);
                return config;
            }
            CollectUnknownKeys(root, KnownKeys, "", config.UnknownKeys);

            string dataDir = Scalar(root, "data_dir");
            config.DataDir = Resolve(config.BaseDirectory, string.IsNullOrEmpty(dataDir) ? "." : dataDir);
            config.CfgDir = ResolveOptional(config.DataDir, Scalar(root, "cfg_dir"));
            config.PrivilegeFile = ResolveOptional(config.DataDir, Scalar(root, "privilege_file"));
            config.BranchControlFile = ResolveOptional(config.DataDir, Scalar(root, "branch_control_file"));

            if (root.Children.TryGetValue(new YamlScalarNode("listener"), out var l) && l is YamlMappingNode listener)
            {
                config.ListenerHost = Scalar(listener, "host") ?? config.ListenerHost;
                string port = Scalar(listener, "port");
                if (!string.IsNullOrEmpty(port))
                {
                    if (!int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) || p < 1 || p > 65535)
                    {
                        throw new DoltBackupException($"listener.port '{port}' in the sql-server config is not a port number.");
                    }
                    config.ListenerPort = p;
                }
                config.Socket = Scalar(listener, "socket");
                config.TlsCert = ResolveOptional(config.BaseDirectory, Scalar(listener, "tls_cert"));
                config.TlsKey = ResolveOptional(config.BaseDirectory, Scalar(listener, "tls_key"));
                config.CaCert = ResolveOptional(config.BaseDirectory, Scalar(listener, "ca_cert"));
                config.RequireSecureTransport = Bool(Scalar(listener, "require_secure_transport"));
                config.RequireClientCert = Bool(Scalar(listener, "require_client_cert"));
            }
            if (root.Children.TryGetValue(new YamlScalarNode("behavior"), out var b) && b is YamlMappingNode behavior)
            {
                config.ReadOnly = Bool(Scalar(behavior, "read_only"));
            }
            if (root.Children.TryGetValue(new YamlScalarNode("user"), out var u) && u is YamlMappingNode user
                && (!string.IsNullOrEmpty(Scalar(user, "name")) || !string.IsNullOrEmpty(Scalar(user, "password"))))
            {
                config.Warnings.Add("The sql-server config sets user.name/user.password, which Dolt no longer supports: accounts come from CREATE USER and GRANT.");
            }
            if (root.Children.TryGetValue(new YamlScalarNode("jwks"), out var j) && j is YamlSequenceNode jwks)
            {
                foreach (var entry in jwks.Children)
                {
                    if (entry is YamlMappingNode m)
                    {
                        AddLocalFile(config.JwksFiles, config.BaseDirectory, Scalar(m, "location_url"));
                    }
                }
            }
            if (root.Children.TryGetValue(new YamlScalarNode("metrics"), out var me) && me is YamlMappingNode metrics)
            {
                foreach (var key in new[] { "tls_cert", "tls_key", "tls_ca" })
                {
                    AddLocalFile(config.OtherTlsFiles, config.BaseDirectory, Scalar(metrics, key));
                }
                if (metrics.Children.TryGetValue(new YamlScalarNode("jwks"), out var mj) && mj is YamlMappingNode metricsJwks)
                {
                    AddLocalFile(config.JwksFiles, config.BaseDirectory, Scalar(metricsJwks, "location_url"));
                }
            }
            if (root.Children.TryGetValue(new YamlScalarNode("cluster"), out var c) && c is YamlMappingNode cluster
                && cluster.Children.TryGetValue(new YamlScalarNode("remotesapi"), out var r) && r is YamlMappingNode remotesapi)
            {
                foreach (var key in new[] { "tls_cert", "tls_key", "tls_ca" })
                {
                    AddLocalFile(config.OtherTlsFiles, config.BaseDirectory, Scalar(remotesapi, key));
                }
            }
            ApplyDefaults(config);
            return config;
        }

        /// <summary>A config for a data directory run without a YAML file: Dolt's defaults under that directory.</summary>
        public static SqlServerConfig ForDataDir(string dataDir)
        {
            var config = new SqlServerConfig { BaseDirectory = Path.GetFullPath(dataDir), DataDir = Path.GetFullPath(dataDir) };
            ApplyDefaults(config);
            return config;
        }

        private static void ApplyDefaults(SqlServerConfig config)
        {
            config.CfgDir = config.CfgDir ?? Path.Combine(config.DataDir, ".doltcfg");
            config.PrivilegeFile = config.PrivilegeFile ?? Path.Combine(config.CfgDir, "privileges.db");
            config.BranchControlFile = config.BranchControlFile ?? Path.Combine(config.CfgDir, "branch_control.db");
        }

        /// <summary>
        /// Dolt's ${VAR} interpolation: ${NAME} from the environment (unset or empty is an error), $$ is a literal $,
        /// any other $ stays as it is.
        /// </summary>
        public static string ExpandEnvironment(string text, Func<string, string> getEnvironment, string sourceName = null)
        {
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                char ch = text[i];
                if (ch == '$' && i + 1 < text.Length && text[i + 1] == '$')
                {
                    sb.Append('$');
                    i++;
                }
                else if (ch == '$' && i + 1 < text.Length && text[i + 1] == '{')
                {
                    int end = text.IndexOf('}', i + 2);
                    if (end < 0)
                    {
                        throw new DoltBackupException($"The sql-server config {sourceName ?? ""} has an unterminated '${{' at offset {i}.");
                    }
                    string name = text.Substring(i + 2, end - i - 2);
                    string value = getEnvironment(name);
                    if (string.IsNullOrEmpty(value))
                    {
                        throw new DoltBackupException($"The sql-server config {sourceName ?? ""} uses ${{{name}}}, but the environment variable {name} is unset or empty (Dolt refuses such a config too).");
                    }
                    sb.Append(value);
                    i = end;
                }
                else
                {
                    sb.Append(ch);
                }
            }
            return sb.ToString();
        }

        private static void AddLocalFile(List<string> list, string baseDirectory, string location)
        {
            if (string.IsNullOrEmpty(location))
            {
                return;
            }
            if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                list.Add(Path.GetFullPath(new Uri(location).LocalPath));
            }
            else if (!location.Contains("://"))
            {
                list.Add(Resolve(baseDirectory, location));
            }
        }

        private static string Scalar(YamlMappingNode node, string key)
            => node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

        private static bool Bool(string value) => value != null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

        private static string Resolve(string baseDir, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));

        private static string ResolveOptional(string baseDir, string path) => string.IsNullOrEmpty(path) ? null : Resolve(baseDir, path);

        private static void CollectUnknownKeys(YamlMappingNode node, Dictionary<string, object> schema, string prefix, List<string> unknown)
        {
            foreach (var pair in node.Children)
            {
                string key = (pair.Key as YamlScalarNode)?.Value ?? "?";
                if (!schema.TryGetValue(key, out var sub))
                {
                    unknown.Add(prefix + key);
                    continue;
                }
                if (sub is Dictionary<string, object> subSchema)
                {
                    if (pair.Value is YamlMappingNode m)
                    {
                        CollectUnknownKeys(m, subSchema, prefix + key + ".", unknown);
                    }
                    else if (pair.Value is YamlSequenceNode seq)
                    {
                        foreach (var item in seq.Children)
                        {
                            if (item is YamlMappingNode im)
                            {
                                CollectUnknownKeys(im, subSchema, prefix + key + "[].", unknown);
                            }
                        }
                    }
                }
            }
        }

        private static Dictionary<string, object> Keys(params object[] pairs)
        {
            var d = new Dictionary<string, object>(StringComparer.Ordinal);
            for (int i = 0; i < pairs.Length; i++)
            {
                if (pairs[i] is string key)
                {
                    if (i + 1 < pairs.Length && pairs[i + 1] is Dictionary<string, object> sub)
                    {
                        d[key] = sub;
                        i++;
                    }
                    else
                    {
                        d[key] = null;
                    }
                }
            }
            return d;
        }

        // Keys of dolt-reference §4. A key with free-form content (maps of user data) has null: its children are not checked.
        private static Dictionary<string, object> BuildSchema() => Keys(
            "log_level", "log_format", "max_logged_query_len", "encode_logged_query",
            "behavior", Keys("read_only", "autocommit", "persistence_behavior", "disable_client_multi_statements",
                "dolt_transaction_commit", "event_scheduler", "auto_gc_behavior", Keys("enable", "archive_level", "incremental_file_size"),
                "branch_activity_tracking"),
            "user", Keys("name", "password"),
            "listener", Keys("host", "port", "max_connections", "back_log", "max_connections_timeout_millis", "read_timeout_millis",
                "write_timeout_millis", "tls_key", "tls_cert", "ca_cert", "require_secure_transport", "require_client_cert",
                "allow_cleartext_passwords", "socket"),
            "performance", Keys("query_parallelism"),
            "data_dir", "cfg_dir", "privilege_file", "branch_control_file",
            "remotesapi", Keys("port", "read_only"),
            "mcp_server", Keys("port", "user", "password", "database"),
            "user_session_vars", Keys("name", "vars"),
            "system_variables",
            "jwks", Keys("name", "location_url", "claims", "fields_to_log"),
            "golden_mysql_conn",
            "metrics", Keys("labels", "host", "port", "tls_cert", "tls_key", "tls_ca", "jwks", "jwt_required_for_localhost"),
            "cluster", Keys("standby_remotes", Keys("name", "remote_url_template"), "bootstrap_role", "bootstrap_epoch",
                "remotesapi", Keys("address", "port", "tls_key", "tls_cert", "tls_ca", "server_name_urls", "server_name_dns")));
    }
}
