using System.IO;
using System.Linq;
using DoltBackup.Manifest;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>Sync-DoltBackup captures the configuration a restore needs after the databases (issue 5 in the pipeline).</summary>
    public class SyncCaptureCmdletTests
    {
        private static (CmdletTestBed Bed, string DataDir, string Home) Server()
        {
            var bed = new CmdletTestBed(0);
            string root = bed.Dir.Combine("srv");
            TempDir.CopyTree(RepoPaths.ServerFixture, root);
            string dataDir = Path.Combine(root, "data");
            var engine = new FakeDoltEngine();
            engine.AddDatabase("sales");
            engine.AddDatabase("inventory");
            FakeServers.Register(engine, dataDir);
            return (bed, dataDir, Path.Combine(root, "home", ".dolt"));
        }

        [Fact]
        public void Sync_captures_config_files_and_leaves_secrets_out_by_default()
        {
            var (bed, dataDir, home) = Server();
            using (bed)
            {
                var r = bed.Shell.Run("New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] | Sync-DoltBackup -GlobalConfigDir $args[2]", dataDir, bed.Dest, home);
                Assert.Empty(r.Errors);
                var m = (BackupManifest)r.Output.Single().BaseObject;
                Assert.Equal(BackupStatus.Completed, m.Status);
                Assert.Contains(m.Artifacts, a => a.Database == "sales" && a.OriginalPath == Path.Combine(dataDir, "sales", ".dolt", "repo_state.json"));
                Assert.Contains(m.Artifacts, a => a.OriginalPath == Path.Combine(dataDir, ".doltcfg", "privileges.db"));
                Assert.Contains(m.Artifacts, a => a.OriginalPath == Path.Combine(home, "config_global.json"));
                var jwk = Directory.GetFiles(Path.Combine(home, "creds")).Single();
                Assert.Contains(m.Omitted, o => o.OriginalPath == jwk);
                Assert.Single(r.Warnings, w => w.Contains("Configuration capture"));

                // Every artifact is in the backup folder with its recorded hash; the key's bytes are nowhere there.
                foreach (var a in m.Artifacts)
                {
                    string stored = Path.Combine(m.BackupFolder, a.StoredPath);
                    Assert.Equal(a.Sha256, System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(stored))).ToLowerInvariant());
                }
                string secret = File.ReadAllText(jwk);
                foreach (var f in Directory.GetFiles(m.BackupFolder, "*", SearchOption.AllDirectories))
                {
                    Assert.DoesNotContain(secret, File.ReadAllText(f));
                }
                // The written manifest says the same.
                Assert.Equal(m.Artifacts.Count, ManifestStore.Read(m.BackupFolder).Artifacts.Count);
            }
        }

        [Fact]
        public void IncludeSecrets_stores_the_key_owner_only_and_SkipConfiguration_captures_nothing()
        {
            var (bed, dataDir, home) = Server();
            using (bed)
            {
                var m = (BackupManifest)bed.Shell.Invoke("New-DoltBackup -DataDir $args[0] -DoltPath /opt/dolt -Destination $args[1] | Sync-DoltBackup -GlobalConfigDir $args[2] -IncludeSecrets", dataDir, bed.Dest, home).Single().BaseObject;
                var key = Assert.Single(m.Artifacts, a => a.OriginalPath.EndsWith(".jwk"));
                Assert.True(key.Secret);
                if (!System.OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(m.BackupFolder, key.StoredPath)));
                }

                var skipped = (BackupManifest)bed.Shell.Invoke("Get-DoltBackup $args[0] | Sync-DoltBackup -DataDir $args[1] -DoltPath /opt/dolt -SkipConfiguration", m.BackupFolder, dataDir).Single().BaseObject;
                Assert.Equal(BackupStatus.Completed, skipped.Status);
            }
        }

        [Fact]
        public void A_server_known_only_by_name_gets_one_warning_that_says_how_to_capture()
        {
            using var bed = new CmdletTestBed(2);
            var r = bed.Shell.Run("New-DoltBackup -Server $args[0] -Destination $args[1] | Sync-DoltBackup", bed.Host, bed.Dest);
            Assert.Empty(r.Errors);
            Assert.Single(r.Warnings, w => w.Contains("were not captured") && w.Contains("-ConfigPath"));
        }
    }
}
