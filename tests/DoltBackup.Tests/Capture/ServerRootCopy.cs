using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DoltBackup.Capture;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;

namespace DoltBackup.Tests.Capture
{
    /// <summary>
    /// A writable copy of the real stopped Dolt server root (fixtures/dolt-server/srv-dolt) in a temp dir. Its
    /// config.yaml names /srv/dolt/tls/...: the copy rewrites those absolute paths to the copy's own tls/ folder, as a
    /// server moved to a new root would have them. Adds the secrets a live server root may hold: sql-server.info and a
    /// profile key in config_global.json.
    /// </summary>
    public sealed class ServerRootCopy : IDisposable
    {
        public const string ProfileMarker = "PROFILE-SECRET-7c1e";
        public const string ServerInfoSecret = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";

        private readonly TempDir _temp = new TempDir("doltbackup-capture");

        public ServerRootCopy(bool withProfile = true, bool withServerInfo = true)
        {
            TempDir.CopyTree(RepoPaths.ServerFixture, Root);
            string yaml = File.ReadAllText(ConfigPath).Replace("/srv/dolt/tls/", Path.Combine(Root, "tls") + "/");
            File.WriteAllText(ConfigPath, yaml);
            if (withProfile)
            {
                // dolt profile stores base64 JSON of its entries, passwords included.
                string profile = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"prod\":{\"user\":\"root\",\"password\":\"" + ProfileMarker + "\"}}"));
                string json = File.ReadAllText(GlobalConfigFile).TrimEnd('}') + ",\"profile\":\"" + profile + "\"}";
                File.WriteAllText(GlobalConfigFile, json);
                ProfileValue = profile;
            }
            if (withServerInfo)
            {
                Directory.CreateDirectory(Path.Combine(DataDir, ".dolt"));
                File.WriteAllText(ServerInfoFile, "4242:3391:" + ServerInfoSecret);
            }
            Directory.CreateDirectory(BackupFolder);
        }

        public string Root => _temp.Combine("root");
        public string DataDir => Path.Combine(Root, "data");
        public string ConfigPath => Path.Combine(DataDir, "config.yaml");
        public string GlobalDir => Path.Combine(Root, "home", ".dolt");
        public string GlobalConfigFile => Path.Combine(GlobalDir, "config_global.json");
        public string JwkFile => Directory.GetFiles(Path.Combine(GlobalDir, "creds"), "*.jwk").Single();
        public string TlsKey => Path.Combine(Root, "tls", "server.key");
        public string TlsCert => Path.Combine(Root, "tls", "server.crt");
        public string ServerInfoFile => Path.Combine(DataDir, ".dolt", "sql-server.info");
        public string PrivilegesFile => Path.Combine(DataDir, ".doltcfg", "privileges.db");
        public string BranchControlFile => Path.Combine(DataDir, ".doltcfg", "branch_control.db");
        public string BackupFolder => _temp.Combine("backup");
        public string RestoreRoot => _temp.Combine("restore");
        public string ProfileValue { get; }

        public BackupManifest NewManifest() => new BackupManifest
        {
            Id = BackupId.Create("prod", DateTime.UtcNow),
            Name = "prod",
            Method = BackupMethod.DoltBackup,
            CreatedUtc = DateTime.UtcNow,
            Destination = new BackupDestination { BackupFolder = BackupFolder },
        };

        public CaptureOptions Options(bool includeSecrets = false, bool serverRunning = false) => new CaptureOptions
        {
            ConfigPath = ConfigPath,
            GlobalConfigDir = GlobalDir,
            IncludeSecrets = includeSecrets,
            ServerRunning = serverRunning,
        };

        /// <summary>The secret byte strings that must never appear in a backup made without -IncludeSecrets.</summary>
        public IEnumerable<(string Name, byte[] Bytes)> Secrets()
        {
            yield return ("jwk file", File.ReadAllBytes(JwkFile));
            yield return ("jwk private exponent", Encoding.UTF8.GetBytes(JwkPrivatePart()));
            yield return ("TLS key", File.ReadAllBytes(TlsKey));
            yield return ("TLS key body line", Encoding.UTF8.GetBytes(File.ReadAllLines(TlsKey)[1]));
            yield return ("sql-server.info secret", Encoding.UTF8.GetBytes(ServerInfoSecret));
            yield return ("profile value", Encoding.UTF8.GetBytes(ProfileValue));
        }

        // The "d" member of the JWK: the private key itself.
        private string JwkPrivatePart()
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(JwkFile));
            return doc.RootElement.GetProperty("d").GetString();
        }

        /// <summary>Every file under a folder whose bytes contain <paramref name="needle"/>.</summary>
        public static List<string> FilesContaining(string folder, byte[] needle)
        {
            var hits = new List<string>();
            foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
            {
                byte[] bytes = File.ReadAllBytes(file);
                if (bytes.AsSpan().IndexOf(needle) >= 0)
                {
                    hits.Add(file);
                }
            }
            return hits;
        }

        public void Dispose() => _temp.Dispose();
    }

    /// <summary>An honest stand-in for the data-dir probe: the test states whether a Dolt process uses the directory.</summary>
    public sealed class StatedActivity : IServerActivityProbe
    {
        public StatedActivity(bool inUse) => InUse = inUse;

        public bool InUse { get; }

        public List<string> Probed { get; } = new List<string>();

        public bool IsInUse(string dataDir)
        {
            Probed.Add(dataDir);
            return InUse;
        }
    }
}
