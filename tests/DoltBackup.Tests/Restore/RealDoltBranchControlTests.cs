using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Backup;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Grants;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// The done-criterion for branch permissions, on real Dolt: the server fixture (fixtures/dolt-server) backed
    /// up with New-DoltBackup | Sync-DoltBackup | Export-DoltGrants and restored onto an empty server with
    /// -IncludeGrants has exactly the 4 access rows and 1 namespace row of expected.json. Skipped where dolt is not on PATH.
    /// </summary>
    public class RealDoltBranchControlTests
    {
        private static PSCredential Root() => new PSCredential("root", new SecureString());

        private static string[] Sorted(System.Collections.Generic.IEnumerable<string> rows) => rows.OrderBy(r => r, StringComparer.Ordinal).ToArray();

        [DoltFact]
        public void The_server_fixture_restored_onto_an_empty_server_with_IncludeGrants_has_exactly_its_branch_control_rows()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            using var source = RealDoltServer.Start(dir.Combine("source"), Path.Combine(RepoPaths.ServerFixture, "data"));
            using var host = new PowerShellHost();
            var backup = host.Run("New-DoltBackup -Server 127.0.0.1 -Port $args[0] -Credential $args[1] -TlsMode None -Destination $args[2] | Sync-DoltBackup | Export-DoltGrants",
                source.Port, Root(), BackupUrls.ToFileUrl(dir.Combine("dest")));
            Assert.True(backup.Errors.Count == 0, backup.AllText());
            Assert.DoesNotContain(backup.Warnings, w => w.Contains("Branch control", StringComparison.Ordinal));
            var manifest = (BackupManifest)backup.Output.Single().BaseObject;
            Assert.Contains("INSERT INTO dolt_branch_control", File.ReadAllText(Path.Combine(manifest.BackupFolder, "grants", "grants.sql")));

            using var target = RealDoltServer.Start(dir.Combine("target"));
            var r = host.Run("Restore-DoltBackup -Path $args[0] -Server 127.0.0.1 -Port $args[1] -Credential $args[2] -TlsMode None -IncludeGrants -Confirm:$false",
                manifest.BackupFolder, target.Port, Root());

            Assert.True(r.Errors.Count == 0, r.AllText());
            Assert.All(r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>(), d => Assert.Equal(VerificationOutcome.Verified, d.Verification));
            Assert.Equal(RestoreStatus.Restored, r.Output.Select(o => o.BaseObject).OfType<ArtifactGroupRestoreResult>().Single().Status);
            var expected = DoltServerRecording.Snapshot();
            Assert.Equal(Sorted(expected.BranchControl.Select(x => $"{x.Database}|{x.Branch}|{x.User}|{x.Host}|{x.Permissions}")),
                Sorted(target.Query("SELECT `database`, `branch`, `user`, `host`, CAST(`permissions` AS CHAR) FROM sales.dolt_branch_control")));
            Assert.Equal(Sorted(expected.BranchNamespaceControl.Select(x => $"{x.Database}|{x.Branch}|{x.User}|{x.Host}")),
                Sorted(target.Query("SELECT `database`, `branch`, `user`, `host` FROM inventory.dolt_branch_namespace_control")));
        }

        [DoltFact]
        public void A_server_without_a_user_database_exports_no_branch_control_and_says_so_once()
        {
            using var dir = new TempDir("doltbackup-realdolt");
            using var server = RealDoltServer.Start(dir.Combine("empty"));
            var export = GrantsExporter.ForServer(server.RootSettings()).Export(new GrantsReadOptions(), new GrantsScriptOptions());
            Assert.False(export.Snapshot.HasBranchControl);
            Assert.Contains("branch_control.db", Assert.Single(export.Snapshot.Warnings));
        }
    }
}
