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
    /// (servercfg/env_interpolate.go: unset or empty VAR is an error, the placeholder must sit on one line, the name
    /// must match [A-Za-z_][A-Za-z0-9_]*, ${VAR:-default} is refused; $$ is a literal $). Unknown keys become warnings,
    /// never errors: this module must read configs of newer Dolt versions. Relative paths are resolved as Dolt resolves
    /// them: every one (data_dir, cfg_dir, privilege_file, branch_control_file, TLS files) against the working directory
    /// of the sql-server process (sqlserver.go GetDataDirPreStart uses fs.Abs; the privilege and branch-control files
    /// are opened with os.ReadFile), which is the base directory here and defaults to the YAML file's own folder.
    /// A file:// JWKS location is served by Dolt from that directory too (jwtauth/jwks.go: http.Dir(pwd)).
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
            // Dolt passes cfg_dir, privilege_file and branch_control_file through as written and opens them relative to
            // the process's working directory, not relative to data_dir.
            config.CfgDir = ResolveOptional(config.BaseDirectory, Scalar(root, "cfg_dir"));
            config.PrivilegeFile = ResolveOptional(config.BaseDirectory, Scalar(root, "privilege_file"));
            config.BranchControlFile = ResolveOptional(config.BaseDirectory, Scalar(root, "branch_control_file"));

            var listener = Mapping(root, "listener");
            if (listener != null)
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
                config.TlsCert = AddFile(config, "listener.tls_cert", Scalar(listener, "tls_cert"), "TlsCertificate", false);
                config.TlsKey = AddFile(config, "listener.tls_key", Scalar(listener, "tls_key"), "TlsKey", true);
                config.CaCert = AddFile(config, "listener.ca_cert", Scalar(listener, "ca_cert"), "TlsCa", false);
                config.RequireSecureTransport = Bool(Scalar(listener, "require_secure_transport"));
                config.RequireClientCert = Bool(Scalar(listener, "require_client_cert"));
            }
            var behavior = Mapping(root, "behavior");
            if (behavior != null)
            {
                config.ReadOnly = Bool(Scalar(behavior, "read_only"));
            }
            var user = Mapping(root, "user");
            if (user != null && (!string.IsNullOrEmpty(Scalar(user, "name")) || !string.IsNullOrEmpty(Scalar(user, "password"))))
            {
                config.Warnings.Add("The sql-server config sets user.name/user.password, which Dolt no longer supports: accounts come from CREATE USER and GRANT.");
            }
            if (root.Children.TryGetValue(new YamlScalarNode("jwks"), out var j) && j is YamlSequenceNode jwks)
            {
                int i = 0;
                foreach (var entry in jwks.Children)
                {
                    if (entry is YamlMappingNode m)
                    {
                        AddJwks(config, $"jwks[{i}].location_url", Scalar(m, "location_url"));
                    }
                    i++;
                }
            }
            var metrics = Mapping(root, "metrics");
            if (metrics != null)
            {
                AddFile(config, "metrics.tls_cert", Scalar(metrics, "tls_cert"), "TlsCertificate", false, other: true);
                AddFile(config, "metrics.tls_key", Scalar(metrics, "tls_key"), "TlsKey", true, other: true);
                AddFile(config, "metrics.tls_ca", Scalar(metrics, "tls_ca"), "TlsCa", false, other: true);
                var metricsJwks = Mapping(metrics, "jwks");
                if (metricsJwks != null)
                {
                    AddJwks(config, "metrics.jwks.location_url", Scalar(metricsJwks, "location_url"));
                }
            }
            var remotesapi = Mapping(Mapping(root, "cluster"), "remotesapi");
            if (remotesapi != null)
            {
                AddFile(config, "cluster.remotesapi.tls_cert", Scalar(remotesapi, "tls_cert"), "TlsCertificate", false, other: true);
                AddFile(config, "cluster.remotesapi.tls_key", Scalar(remotesapi, "tls_key"), "TlsKey", true, other: true);
                AddFile(config, "cluster.remotesapi.tls_ca", Scalar(remotesapi, "tls_ca"), "TlsCa", false, other: true);
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
        /// any other $ stays as it is. As in Dolt, a placeholder must close on its own line, NAME must match
        /// [A-Za-z_][A-Za-z0-9_]*, and ${NAME:-default} is refused.
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
                    int lineEnd = text.IndexOfAny(new[] { '\n', '\r' }, i + 2);
                    if (end < 0 || (lineEnd >= 0 && lineEnd < end))
                    {
                        throw new DoltBackupException($"The sql-server config {sourceName ?? ""} has an unterminated environment placeholder at {Where(text, i)}.");
                    }
                    string name = text.Substring(i + 2, end - i - 2);
                    if (name.Contains(":-"))
                    {
                        throw new DoltBackupException($"The sql-server config {sourceName ?? ""} uses the default expression ${{{name}}} at {Where(text, i)}, which Dolt does not support.");
                    }
                    if (!EnvNamePattern.IsMatch(name))
                    {
                        throw new DoltBackupException($"The sql-server config {sourceName ?? ""} has an invalid environment variable name '{name}' at {Where(text, i)}.");
                    }
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

        private static readonly System.Text.RegularExpressions.Regex EnvNamePattern =
            new System.Text.RegularExpressions.Regex("^[A-Za-z_][A-Za-z0-9_]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static string Where(string text, int index)
        {
            int line = 1, col = 1;
            for (int k = 0; k < index && k < text.Length; k++)
            {
                if (text[k] == '\n')
                {
                    line++;
                    col = 1;
                }
                else
                {
                    col++;
                }
            }
            return $"line {line}, column {col}";
        }

        private static string AddFile(SqlServerConfig config, string setting, string value, string role, bool isKey, bool other = false)
        {
            string path = ResolveOptional(config.BaseDirectory, value);
            if (path != null)
            {
                config.ReferencedFiles.Add(new ConfigFileReference { Setting = setting, Path = path, Role = role, IsPrivateKey = isKey });
                if (other)
                {
                    config.OtherTlsFiles.Add(path);
                }
            }
            return path;
        }

        // Dolt fetches location_url over HTTP with a file:// transport rooted at its working directory
        // (http.NewFileTransport(http.Dir(pwd))): file:///x/jwks.json is <working dir>/x/jwks.json. Other schemes are remote.
        private static void AddJwks(SqlServerConfig config, string setting, string location)
        {
            if (string.IsNullOrEmpty(location))
            {
                return;
            }
            if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                string urlPath;
                try
                {
                    urlPath = Uri.UnescapeDataString(new Uri(location).AbsolutePath);
                }
                catch (UriFormatException)
                {
                    config.Warnings.Add($"{setting} '{location}' is not a valid URL.");
                    return;
                }
                string path = Path.GetFullPath(Path.Combine(config.BaseDirectory, urlPath.TrimStart('/').Replace('/', Path.DirectorySeparatorChar)));
                config.JwksFiles.Add(path);
                config.ReferencedFiles.Add(new ConfigFileReference { Setting = setting, Path = path, Role = "JwksFile" });
            }
            else if (!location.Contains("://"))
            {
                config.Warnings.Add($"{setting} '{location}' has no URL scheme; Dolt cannot fetch it (use file:// or https://).");
            }
        }

        private static YamlMappingNode Mapping(YamlMappingNode node, string key)
            => node != null && node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlMappingNode : null;

        // A plain null, ~ or empty value is YAML null: the setting is unset (Dolt's *string stays nil).
        private static string Scalar(YamlMappingNode node, string key)
        {
            if (node == null || !node.Children.TryGetValue(new YamlScalarNode(key), out var v) || !(v is YamlScalarNode s))
            {
                return null;
            }
            if (s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value == "" || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL"))
            {
                return null;
            }
            return s.Value;
        }

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
            "metrics", Keys("labels", "host", "port", "tls_cert", "tls_key", "tls_ca", "jwks", Keys("name", "location_url", "claims", "fields_to_log"),
                "jwt_required_for_localhost"),
            "cluster", Keys("standby_remotes", Keys("name", "remote_url_template"), "bootstrap_role", "bootstrap_epoch",
                "remotesapi", Keys("address", "port", "tls_key", "tls_cert", "tls_ca", "server_name_urls", "server_name_dns")));
    }
}
