using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Grants
{
    [Collection("MariaDb")]
    public class ExportDoltGrantsCommandTests
    {
        private const string Cred = "$sec = [System.Security.SecureString]::new(); foreach ($ch in $args[1].ToCharArray()) { $sec.AppendChar($ch) }; $cred = [pscredential]::new($args[0], $sec); ";
        private readonly MariaDbFixture _fixture;

        public ExportDoltGrantsCommandTests(MariaDbFixture fixture) => _fixture = fixture;

        private static void NoErrors(PowerShellResult r) => Assert.True(r.Errors.Count == 0, string.Join("\n", r.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));

        private object[] Args(params object[] more) => new object[] { _fixture.Server.AdminUser, _fixture.Server.AdminPassword, _fixture.Server.Port }.Concat(more).ToArray();

        private static string NewBackupFolder(TempDir dir, MariaDbServer server)
        {
            string folder = dir.Combine("20261123T020000Z-prod");
            var manifest = new BackupManifest
            {
                Id = "20261123T020000Z-prod",
                Name = "prod",
                CreatedUtc = new DateTime(2026, 11, 23, 2, 0, 0, DateTimeKind.Utc),
                Source = new BackupSource { Server = "127.0.0.1", Port = server.Port },
                Destination = new BackupDestination { BackupFolder = folder },
            };
            ManifestStore.Write(manifest);
            return folder;
        }

        [MariaDbFact]
        public void Without_Path_the_script_text_is_output()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -IncludeUser 'rt_*' -NoHeader", Args());
            Assert.Null(r.Terminating);
            NoErrors(r);
            string script = (string)Assert.Single(r.Output).BaseObject;
            Assert.Contains("CREATE ROLE IF NOT EXISTS 'rt_role1';", script);
            Assert.Contains("CREATE USER IF NOT EXISTS 'rt_plain'@'%' IDENTIFIED WITH mysql_native_password AS '*", script);
            Assert.EndsWith("FLUSH PRIVILEGES;\n", script);
            Assert.DoesNotContain("-- Server:", script);
        }

        [MariaDbFact]
        public void Path_writes_an_owner_only_file_and_verbose_output_never_shows_a_hash()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            string path = dir.Combine("out", "grants.sql");
            Directory.CreateDirectory(Path.GetDirectoryName(path));
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -IncludeUser 'rt_*' -Path $args[3] -Verbose", Args(path));
            Assert.Null(r.Terminating);
            NoErrors(r);
            var result = (GrantsExportResult)Assert.Single(r.Output).BaseObject;
            Assert.Equal(path, result.Path);
            Assert.Equal("MariaDb", result.ServerKind);
            Assert.True(result.Complete);
            Assert.True(result.Accounts >= 6);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            string text = File.ReadAllText(path);
            string hash = MariaDbAccounts.Hash(_fixture.Server, "rt_plain", "%");
            Assert.StartsWith("*", hash);
            Assert.Contains(hash, text);
            Assert.NotEmpty(r.Verbose);
            Assert.DoesNotContain(hash, r.AllText());
            Assert.DoesNotContain(_fixture.Server.AdminPassword, r.AllText());
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);

            // An existing file is not overwritten without -Force.
            var again = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -Path $args[3] -Confirm:$false", Args(path));
            var error = Assert.Single(again.Errors);
            Assert.Equal("DoltBackup.GrantsFileExists,DoltBackup.Cmdlets.ExportDoltGrantsCommand", error.FullyQualifiedErrorId);
            var forced = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -Path $args[3] -Force -NoHeader -ExcludePassword -IncludeUser 'rt_*'", Args(path));
            NoErrors(forced);
            Assert.DoesNotContain(hash, File.ReadAllText(path));
            Assert.False(((GrantsExportResult)forced.Output.Single().BaseObject).PasswordsIncluded);
        }

        [MariaDbFact]
        public void With_CopyTo_the_set_and_its_grants_script_are_copied_off_the_host()
        {
            if (!DoltBackup.Tests.Storage.ObjectStoreServers.S3rverInstalled && !DoltBackup.Tests.Storage.ObjectStoreServers.Required)
            {
                return; // The object-store part is covered by Storage/OffHostSetTests where s3rver runs.
            }
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            string folder = NewBackupFolder(dir, _fixture.Server);
            string url = $"s3://{DoltBackup.Tests.Storage.ObjectStoreServers.S3Bucket}/grants-{Guid.NewGuid():N}";
            var context = DoltBackup.Tests.Storage.ObjectStoreServers.S3rverContext();
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'rt_*' -CopyTo $args[4] -StorageContext $args[5]", Args(folder, url, context));
            NoErrors(r);
            using var location = DoltBackup.Storage.BackupLocations.Open(url, context);
            var keys = location.List("", System.Threading.CancellationToken.None).Select(o => o.Key).ToList();
            Assert.Equal(new[] { "20261123T020000Z-prod/grants/grants.sql", "20261123T020000Z-prod/manifest.json" }, keys);
            var remote = DoltBackup.Storage.Sets.RemoteSetCatalog.ReadManifest(location, "20261123T020000Z-prod", System.Threading.CancellationToken.None);
            Assert.Single(remote.Artifacts, a => a.Kind == "GrantsScript");
        }

        [MariaDbFact]
        public void A_manifest_from_Get_DoltBackup_gets_the_script_as_an_artifact_and_is_passed_on()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            string folder = NewBackupFolder(dir, _fixture.Server);
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'rt_*'", Args(folder));
            Assert.Null(r.Terminating);
            NoErrors(r);
            var manifest = (BackupManifest)Assert.Single(r.Output).BaseObject;
            var artifact = Assert.Single(manifest.Artifacts, a => a.Kind == "GrantsScript");
            string file = Path.Combine(folder, "grants", "grants.sql");
            Assert.Equal("grants/grants.sql", artifact.StoredPath);
            byte[] bytes = File.ReadAllBytes(file);
            Assert.Equal(bytes.Length, artifact.Size);
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant(), artifact.Sha256);
            Assert.True(artifact.Secret);
            Assert.Equal(ItemStatus.Completed, artifact.Status);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            // manifest.json on disk was rewritten with the artifact, and holds no hash.
            var reread = ManifestStore.Read(folder);
            Assert.Equal(artifact.Sha256, Assert.Single(reread.Artifacts).Sha256);
            Assert.Equal(BackupStatus.Completed, reread.Status);
            Assert.DoesNotContain(MariaDbAccounts.Hash(_fixture.Server, "rt_plain", "%"), File.ReadAllText(Path.Combine(folder, "manifest.json")));

            // Exporting again replaces the artifact instead of adding a second one.
            var second = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'rt_*' -ExcludePassword", Args(folder));
            NoErrors(second);
            var updated = ManifestStore.Read(folder);
            Assert.False(Assert.Single(updated.Artifacts).Secret);
        }

        [MariaDbFact]
        public void A_manifest_piped_in_the_same_session_brings_its_connection_so_no_credential_is_retyped()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            var manifest = ManifestStore.Read(NewBackupFolder(dir, _fixture.Server));
            // What New-DoltBackup / Sync-DoltBackup attach in-session (never serialized).
            manifest.SessionConnection = _fixture.Server.AdminSettings();
            using var ps = new PowerShellHost();
            var r = ps.Run("$args[0] | Export-DoltGrants -IncludeUser 'rt_*'", manifest);
            NoErrors(r);
            var passed = (BackupManifest)Assert.Single(r.Output).BaseObject;
            Assert.Single(passed.Artifacts, a => a.Kind == "GrantsScript");
            Assert.DoesNotContain(_fixture.Server.AdminPassword, File.ReadAllText(passed.ManifestPath));
        }

        [MariaDbFact]
        public void WhatIf_writes_nothing()
        {
            using var dir = new TempDir();
            string folder = NewBackupFolder(dir, _fixture.Server);
            string before = File.ReadAllText(Path.Combine(folder, "manifest.json"));
            string path = dir.Combine("whatif.sql");
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -WhatIf; Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -Path $args[4] -WhatIf", Args(folder, path));
            Assert.Null(r.Terminating);
            NoErrors(r);
            Assert.False(File.Exists(path));
            Assert.False(Directory.Exists(Path.Combine(folder, "grants")));
            Assert.Equal(before, File.ReadAllText(Path.Combine(folder, "manifest.json")));
            Assert.Empty(((BackupManifest)Assert.Single(r.Output).BaseObject).Artifacts);
        }

        [MariaDbFact]
        public void Missing_privilege_is_an_error_record_naming_it_and_is_recorded_in_the_manifest()
        {
            _fixture.Server.Execute("DROP USER IF EXISTS 'np_ps'@'%'; CREATE USER 'np_ps'@'%' IDENTIFIED BY 'np-ps-pw';");
            using var dir = new TempDir();
            string folder = NewBackupFolder(dir, _fixture.Server);
            using var ps = new PowerShellHost();
            var r = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None; Get-DoltBackup $args[3] | Export-DoltGrants -Credential $cred -TlsMode None",
                "np_ps", "np-ps-pw", _fixture.Server.Port, folder);
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Errors.Count);
            foreach (var e in r.Errors)
            {
                Assert.StartsWith("DoltBackup.GrantsPrivilegeMissing,", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
                Assert.Contains("SELECT on mysql.global_priv", e.ErrorDetails.Message);
                Assert.Contains("SELECT on mysql.global_priv", e.ErrorDetails.RecommendedAction);
            }
            var manifest = (BackupManifest)Assert.Single(r.Output).BaseObject;
            Assert.Equal(ItemStatus.Failed, Assert.Single(manifest.Artifacts).Status);
            var reread = ManifestStore.Read(folder);
            Assert.Equal(BackupStatus.Failed, reread.Status);
            Assert.Contains(reread.Errors, e => e.ErrorId == "DoltBackup.GrantsPrivilegeMissing");
        }

        [MariaDbFact]
        public void An_unreadable_account_is_a_non_terminating_error_and_visible_in_the_result()
        {
            var server = _fixture.Server;
            server.Execute("DROP USER IF EXISTS 'psa_ok'@'%'; DELETE FROM mysql.global_priv WHERE User = 'psghost'; CREATE USER 'psa_ok'@'%' IDENTIFIED BY 'a';" +
                           "INSERT INTO mysql.global_priv (Host, User, Priv) VALUES ('%', 'psghost', '{\"access\":0}');");
            try
            {
                using var dir = new TempDir();
                string path = dir.Combine("g.sql");
                string folder = NewBackupFolder(dir, server);
                using var ps = new PowerShellHost();
                var r = ps.Run(Cred + "Export-DoltGrants -Server 127.0.0.1 -Port $args[2] -Credential $cred -TlsMode None -IncludeUser 'ps*' -Path $args[3]; Get-DoltBackup $args[4] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'ps*'",
                    Args(path, folder));
                Assert.Null(r.Terminating);
                Assert.Equal(2, r.Errors.Count);
                Assert.All(r.Errors, e =>
                {
                    Assert.StartsWith("DoltBackup.GrantsAccountFailed,", e.FullyQualifiedErrorId);
                    Assert.Equal("'psghost'@'%'", e.TargetObject);
                });
                var result = (GrantsExportResult)r.Output[0].BaseObject;
                Assert.Equal(new[] { "'psghost'@'%'" }, result.FailedAccounts);
                Assert.False(result.Complete);
                Assert.Contains("CREATE USER IF NOT EXISTS 'psa_ok'@'%'", File.ReadAllText(path));
                var reread = ManifestStore.Read(folder);
                Assert.Equal(BackupStatus.PartiallyCompleted, reread.Status);
                Assert.Contains(reread.Errors, e => e.ErrorId == "DoltBackup.GrantsAccountFailed" && e.Target == "'psghost'@'%'");
            }
            finally
            {
                server.Execute("DELETE FROM mysql.global_priv WHERE User = 'psghost';");
            }
        }

        [Fact]
        public void Parameters_bind_by_set_and_pipeline()
        {
            using var ps = new PowerShellHost();
            var sets = ps.Invoke("(Get-Command Export-DoltGrants).ParameterSets | ForEach-Object { $_.Name + ':' + (($_.Parameters | Where-Object { $_.IsMandatory }).Name -join ',') }")
                .Select(o => o.ToString()).OrderBy(s => s).ToArray();
            Assert.Equal(new[] { "Manifest:InputObject", "Server:" }, sets);
            var pipeline = ps.Invoke("((Get-Command Export-DoltGrants).Parameters['InputObject'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipeline").Single();
            Assert.True((bool)pipeline.BaseObject);
            Assert.True((bool)ps.Invoke("(Get-Command Export-DoltGrants).Parameters.ContainsKey('WhatIf')").Single().BaseObject);
            var r = ps.Run("Export-DoltGrants -Server 127.0.0.1 -Port 0");
            Assert.Contains(r.Errors.Select(e => e.FullyQualifiedErrorId).Concat(new[] { r.Terminating?.ErrorRecord?.FullyQualifiedErrorId }), id => id != null && id.StartsWith("ParameterArgumentValidationError"));
        }

        [MariaDbFact]
        public void Into_a_passphrase_encrypted_set_the_script_is_written_only_as_p7m_and_needs_the_passphrase()
        {
            MariaDbAccounts.Create(_fixture.Server);
            using var dir = new TempDir();
            string folder = NewBackupFolder(dir, _fixture.Server);
            var manifest = ManifestStore.Read(folder);
            DoltBackup.Encryption.SetEncryption.Record(manifest, DoltBackup.Tests.Encryption.TestKeys.Passphrase("grants pw"), hasDoltStores: false);
            ManifestStore.Write(manifest);
            using var ps = new PowerShellHost();

            var refused = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'rt_*'", Args(folder));
            Assert.Equal("DoltBackup.EncryptionKeyRequired,DoltBackup.Cmdlets.ExportDoltGrantsCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
            Assert.False(Directory.Exists(Path.Combine(folder, "grants")));

            var r = ps.Run(Cred + "Get-DoltBackup -Path $args[3] | Export-DoltGrants -Credential $cred -TlsMode None -IncludeUser 'rt_*' -EncryptionPassphrase $args[4]",
                Args(folder, DoltBackup.Tests.Encryption.TestKeys.Secure("grants pw")));
            NoErrors(r);
            var artifact = Assert.Single(ManifestStore.Read(folder).Artifacts, a => a.Kind == "GrantsScript");
            Assert.Equal("grants/grants.sql.p7m", artifact.StoredPath);
            Assert.True(artifact.Encrypted);
            Assert.Equal(new[] { "grants.sql.p7m" }, Directory.GetFiles(Path.Combine(folder, "grants")).Select(Path.GetFileName).ToArray());
            string hash = MariaDbAccounts.Hash(_fixture.Server, "rt_plain", "%");
            Assert.DoesNotContain(hash, File.ReadAllText(Path.Combine(folder, "grants", "grants.sql.p7m"), System.Text.Encoding.Latin1));
            byte[] plain = DoltBackup.Restore.StoredArtifactReader.ReadVerified(folder, artifact, DoltBackup.Tests.Encryption.TestKeys.Passphrase("grants pw"));
            Assert.Contains(hash, System.Text.Encoding.UTF8.GetString(plain));
        }
    }
}
