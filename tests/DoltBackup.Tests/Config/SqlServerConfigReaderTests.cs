using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Common;
using DoltBackup.Config;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Config
{
    public class SqlServerConfigReaderTests
    {
        private static readonly string Base = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "srv-base"));

        private static string At(params string[] parts) => Path.GetFullPath(Path.Combine(Base, Path.Combine(parts)));

        private static Func<string, string> Env(params (string Name, string Value)[] vars)
        {
            var d = vars.ToDictionary(v => v.Name, v => v.Value);
            return n => d.TryGetValue(n, out var v) ? v : null;
        }

        // Every key of dolt-reference §4 (and yaml_config.go), with relative and absolute paths.
        private const string EveryKey = @"log_level: DEBUG
log_format: json
max_logged_query_len: 100
encode_logged_query: true
behavior:
  read_only: true
  autocommit: false
  persistence_behavior: load
  disable_client_multi_statements: true
  dolt_transaction_commit: true
  event_scheduler: 'ON'
  auto_gc_behavior:
    enable: true
    archive_level: 1
    incremental_file_size: 1048576
  branch_activity_tracking: true
user:
  name: ''
  password: ''
listener:
  host: 0.0.0.0
  port: 3307
  max_connections: 500
  back_log: 60
  max_connections_timeout_millis: 30000
  read_timeout_millis: 1000
  write_timeout_millis: 2000
  tls_key: tls/server.key
  tls_cert: /etc/dolt/tls/server.crt
  ca_cert: tls/ca.pem
  require_secure_transport: true
  require_client_cert: true
  allow_cleartext_passwords: false
  socket: /tmp/dolt.sock
performance:
  query_parallelism: 2
data_dir: data
cfg_dir: cfg
privilege_file: grants/privileges.db
branch_control_file: /var/lib/dolt/branch_control.db
remotesapi:
  port: 50051
  read_only: true
mcp_server:
  port: 7007
  user: mcp
  password: ${MCP_PASSWORD}
  database: app
user_session_vars:
  - name: root
    vars:
      dolt_show_system_tables: 1
system_variables:
  max_connections: 100
  any_unknown_variable: x
jwks:
  - name: local
    location_url: file:///keys/jwks.json
    claims:
      iss: issuer
      aud: audience
    fields_to_log: [id, sub]
  - name: remote
    location_url: https://example.com/.well-known/jwks.json
    claims: {iss: x}
golden_mysql_conn: ${GOLDEN}
metrics:
  labels:
    env: prod
  host: localhost
  port: 9091
  tls_cert: metrics/cert.pem
  tls_key: metrics/key.pem
  tls_ca: metrics/ca.pem
  jwks:
    name: metrics
    location_url: file:///metrics/jwks.json
    claims: {iss: y}
    fields_to_log: [id]
  jwt_required_for_localhost: true
cluster:
  standby_remotes:
    - name: standby
      remote_url_template: http://standby:50051/{database}
  bootstrap_role: primary
  bootstrap_epoch: 1
  remotesapi:
    address: 0.0.0.0
    port: 50052
    tls_key: cluster/key.pem
    tls_cert: cluster/cert.pem
    tls_ca: cluster/ca.pem
    server_name_urls: [https://standby:50051]
    server_name_dns: [standby]
";

        [Fact]
        public void Reads_every_key_of_the_reference_without_unknown_keys_and_resolves_paths_as_Dolt_does()
        {
            var config = SqlServerConfigReader.Parse(EveryKey, Base, Env(("MCP_PASSWORD", "pw"), ("GOLDEN", "root@tcp(x)/")));

            Assert.Empty(config.UnknownKeys);
            Assert.Empty(config.Warnings);
            Assert.Equal("0.0.0.0", config.ListenerHost);
            Assert.Equal("127.0.0.1", config.ClientHost);
            Assert.Equal(3307, config.ListenerPort);
            Assert.Equal("/tmp/dolt.sock", config.Socket);
            Assert.True(config.RequireSecureTransport);
            Assert.True(config.RequireClientCert);
            Assert.True(config.ReadOnly);
            Assert.Equal(Base, config.BaseDirectory);
            // data_dir, cfg_dir and privilege_file are relative to the server's working directory, not to each other.
            Assert.Equal(At("data"), config.DataDir);
            Assert.Equal(At("cfg"), config.CfgDir);
            Assert.Equal(At("grants", "privileges.db"), config.PrivilegeFile);
            Assert.Equal(Path.GetFullPath("/var/lib/dolt/branch_control.db"), config.BranchControlFile);
            Assert.Equal(At("tls", "server.key"), config.TlsKey);
            Assert.Equal(Path.GetFullPath("/etc/dolt/tls/server.crt"), config.TlsCert);
            Assert.Equal(At("tls", "ca.pem"), config.CaCert);
            // file:// JWKS are served by Dolt from its working directory (http.Dir(pwd)); https ones are not local files.
            Assert.Equal(new[] { At("keys", "jwks.json"), At("metrics", "jwks.json") }, config.JwksFiles);
            Assert.Equal(new[] { At("metrics", "cert.pem"), At("metrics", "key.pem"), At("metrics", "ca.pem"), At("cluster", "cert.pem"), At("cluster", "key.pem"), At("cluster", "ca.pem") },
                config.OtherTlsFiles);

            var refs = config.ReferencedFiles.ToDictionary(r => r.Setting);
            Assert.Equal(new[]
            {
                "listener.tls_cert", "listener.tls_key", "listener.ca_cert", "jwks[0].location_url", "metrics.tls_cert", "metrics.tls_key",
                "metrics.tls_ca", "metrics.jwks.location_url", "cluster.remotesapi.tls_cert", "cluster.remotesapi.tls_key", "cluster.remotesapi.tls_ca",
            }, config.ReferencedFiles.Select(r => r.Setting));
            Assert.Equal(new[] { "cluster.remotesapi.tls_key", "listener.tls_key", "metrics.tls_key" },
                config.ReferencedFiles.Where(r => r.IsPrivateKey).Select(r => r.Setting).OrderBy(x => x));
            Assert.Equal("TlsCa", refs["listener.ca_cert"].Role);
            Assert.Equal("JwksFile", refs["jwks[0].location_url"].Role);
            Assert.Equal("TlsKey", refs["metrics.tls_key"].Role);
        }

        [Fact]
        public void Defaults_follow_Dolt_cfg_dir_under_data_dir_and_files_under_cfg_dir()
        {
            var none = SqlServerConfigReader.Parse("log_level: info\n", Base);
            Assert.Equal(Base, none.DataDir);
            Assert.Equal(At(".doltcfg"), none.CfgDir);
            Assert.Equal(At(".doltcfg", "privileges.db"), none.PrivilegeFile);
            Assert.Equal(At(".doltcfg", "branch_control.db"), none.BranchControlFile);
            Assert.Equal("localhost", none.ListenerHost);
            Assert.Equal(3306, none.ListenerPort);

            var dataOnly = SqlServerConfigReader.Parse("data_dir: /srv/dolt/data\n", Base);
            Assert.Equal(Path.GetFullPath("/srv/dolt/data/.doltcfg/privileges.db"), dataOnly.PrivilegeFile);

            var cfgOnly = SqlServerConfigReader.Parse("data_dir: d\ncfg_dir: /etc/doltcfg\n", Base);
            Assert.Equal(Path.GetFullPath("/etc/doltcfg/branch_control.db"), cfgOnly.BranchControlFile);

            var empty = SqlServerConfigReader.Parse("", Base);
            Assert.Equal(Base, empty.DataDir);
            Assert.Equal(At(".doltcfg", "privileges.db"), empty.PrivilegeFile);

            Assert.Equal(At("x", ".doltcfg", "privileges.db"), SqlServerConfigReader.ForDataDir(At("x")).PrivilegeFile);
        }

        [Fact]
        public void Null_values_leave_a_setting_unset()
        {
            var config = SqlServerConfigReader.Parse("data_dir: ~\ncfg_dir: null\nlistener:\n  tls_key:\n  tls_cert: null\n  host: 127.0.0.1\n", Base);
            Assert.Equal(Base, config.DataDir);
            Assert.Equal(At(".doltcfg"), config.CfgDir);
            Assert.Null(config.TlsKey);
            Assert.Null(config.TlsCert);
            Assert.Empty(config.ReferencedFiles);
        }

        [Fact]
        public void ReadFile_resolves_against_the_yaml_folder_unless_a_working_directory_is_given()
        {
            using var temp = new TempDir();
            string yaml = temp.Combine("etc", "config.yaml");
            Directory.CreateDirectory(Path.GetDirectoryName(yaml));
            File.WriteAllText(yaml, "data_dir: data\nlistener:\n  tls_cert: cert.pem\n");

            var byFile = SqlServerConfigReader.ReadFile(yaml);
            Assert.Equal(yaml, byFile.ConfigPath);
            Assert.Equal(temp.Combine("etc", "data"), byFile.DataDir);
            Assert.Equal(temp.Combine("etc", "cert.pem"), byFile.TlsCert);

            var byWorkDir = SqlServerConfigReader.ReadFile(yaml, temp.Combine("work"));
            Assert.Equal(temp.Combine("work", "data"), byWorkDir.DataDir);
            Assert.Equal(temp.Combine("work", "data", ".doltcfg"), byWorkDir.CfgDir);
            Assert.Equal(temp.Combine("work", "cert.pem"), byWorkDir.TlsCert);

            Assert.Throws<FileNotFoundException>(() => SqlServerConfigReader.ReadFile(temp.Combine("missing.yaml")));
        }

        [Fact]
        public void Reads_the_real_server_fixture()
        {
            var config = SqlServerConfigReader.ReadFile(Path.Combine(RepoPaths.ServerFixture, "data", "config.yaml"));
            Assert.Equal("127.0.0.1", config.ListenerHost);
            Assert.Equal(3391, config.ListenerPort);
            Assert.Equal(Path.Combine(RepoPaths.ServerFixture, "data"), config.DataDir);
            Assert.Equal(Path.Combine(RepoPaths.ServerFixture, "data", ".doltcfg", "privileges.db"), config.PrivilegeFile);
            Assert.Equal("/srv/dolt/tls/server.key", config.TlsKey);
            Assert.Equal("/srv/dolt/tls/server.crt", config.TlsCert);
            Assert.Empty(config.UnknownKeys);
        }

        [Fact]
        public void Environment_placeholders_expand_like_Dolt()
        {
            var env = Env(("PORT", "3399"), ("DIR", "/var/lib/dolt"), ("HOST", "10.0.0.5"));
            var config = SqlServerConfigReader.Parse("listener:\n  port: ${PORT}\n  host: ${HOST}\ndata_dir: ${DIR}/data\n", Base, env);
            Assert.Equal(3399, config.ListenerPort);
            Assert.Equal("10.0.0.5", config.ListenerHost);
            Assert.Equal(Path.GetFullPath("/var/lib/dolt/data"), config.DataDir);

            Assert.Equal("a $ b $x $5", SqlServerConfigReader.ExpandEnvironment("a $$ b $x $5", env));
            Assert.Equal("price: $PORT and 3399", SqlServerConfigReader.ExpandEnvironment("price: $$PORT and ${PORT}", env));
            Assert.Equal("${PORT}", SqlServerConfigReader.ExpandEnvironment("$${PORT}", env));
            Assert.Equal("end $", SqlServerConfigReader.ExpandEnvironment("end $", env));
        }

        [Theory]
        [InlineData("port: ${UNSET_VAR}", "UNSET_VAR")]
        [InlineData("port: ${EMPTY_VAR}", "EMPTY_VAR")]
        [InlineData("port: ${PORT:-3306}", "default")]
        [InlineData("port: ${9BAD}", "invalid environment variable name")]
        [InlineData("port: ${}", "invalid environment variable name")]
        [InlineData("port: ${PORT\n}", "unterminated")]
        [InlineData("port: ${PORT", "unterminated")]
        public void Bad_placeholders_are_errors_as_in_Dolt(string yaml, string expected)
        {
            var env = Env(("PORT", "3399"), ("EMPTY_VAR", ""));
            var ex = Assert.Throws<DoltBackupException>(() => SqlServerConfigReader.Parse(yaml, Base, env, "config.yaml"));
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void Unknown_keys_are_listed_as_warnings_not_errors()
        {
            var config = SqlServerConfigReader.Parse(
                "future_key: 1\nlistener:\n  port: 3306\n  quic: true\nbehavior:\n  auto_gc_behavior:\n    turbo: yes\n" +
                "jwks:\n  - name: a\n    location_url: https://x\n    extra: 1\ncluster:\n  standby_remotes:\n    - name: s\n      weight: 2\n" +
                "metrics:\n  jwks:\n    name: m\n    shiny: 1\nsystem_variables:\n  anything_goes: 1\nuser_session_vars:\n  - name: u\n    vars: {x: 1}\n", Base);
            Assert.Equal(new[] { "behavior.auto_gc_behavior.turbo", "cluster.standby_remotes[].weight", "future_key", "jwks[].extra", "listener.quic", "metrics.jwks.shiny" },
                config.UnknownKeys.OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(3306, config.ListenerPort);
        }

        [Fact]
        public void Deprecated_user_and_unusable_jwks_locations_give_warnings()
        {
            var config = SqlServerConfigReader.Parse("user:\n  name: root\n  password: pw\njwks:\n  - name: a\n    location_url: /etc/jwks.json\n", Base);
            Assert.Contains(config.Warnings, w => w.Contains("user.name/user.password"));
            Assert.Contains(config.Warnings, w => w.Contains("jwks[0].location_url") && w.Contains("no URL scheme"));
            Assert.Empty(config.JwksFiles);
        }

        [Theory]
        [InlineData("listener:\n  port: 70000\n")]
        [InlineData("listener:\n  port: abc\n")]
        [InlineData("listener: [a\n")]
        public void Invalid_values_or_yaml_are_errors(string yaml)
        {
            Assert.Throws<DoltBackupException>(() => SqlServerConfigReader.Parse(yaml, Base));
        }
    }
}
