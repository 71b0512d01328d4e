#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System.Linq;
using System.Management.Automation;
using System.Security;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Cli
{
    /// <summary>New-/Sync-DoltBackup against a real MySQL-protocol server (MariaDB: it is not Dolt, so Dolt calls fail honestly).</summary>
    [Collection("MariaDb")]
    public class MariaDbCmdletTests
    {
        private readonly MariaDbFixture _fixture;

        public MariaDbCmdletTests(MariaDbFixture fixture) => _fixture = fixture;

        private static PSCredential Cred(string user, string password)
        {
            var s = new SecureString();
            foreach (char c in password)
            {
                s.AppendChar(c);
            }
            return new PSCredential(user, s);
        }

        [MariaDbFact]
        public void Bad_credentials_are_one_clear_error_without_the_password()
        {
            using var shell = new PowerShellHost();
            using var dir = new TempDir();
            const string wrong = "N0t-The-Pw-93ab";
            var r = shell.Run("New-DoltBackup -Server $args[0] -Port $args[1] -Credential $args[2] -TlsMode None -Destination $args[3] -Verbose",
                "127.0.0.1", _fixture.Server.Port, Cred(_fixture.Server.AdminUser, wrong), dir.Combine("dest"));
            var e = (r.Terminating as IContainsErrorRecord)?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.AccessDenied", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.Contains("-Credential", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(wrong, r.AllText());
            Assert.Empty(r.Output);
        }

        [MariaDbFact]
        public void A_server_without_Dolt_gives_a_per_database_error_and_no_manifest()
        {
            _fixture.Server.Execute("CREATE DATABASE IF NOT EXISTS `cmdlet-db`");
            using var shell = new PowerShellHost();
            using var dir = new TempDir();
            var r = shell.Run("New-DoltBackup -Server $args[0] -Port $args[1] -Credential $args[2] -TlsMode None -Destination $args[3] -Database cmdlet-db",
                "127.0.0.1", _fixture.Server.Port, Cred(_fixture.Server.AdminUser, _fixture.Server.AdminPassword), dir.Combine("dest"));
            var e = Assert.Single(r.Errors);
            Assert.Equal("cmdlet-db", e.TargetObject);
            Assert.Contains("dolt_backups", e.Exception.Message);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(_fixture.Server.AdminPassword, r.AllText());
            Assert.False(System.IO.File.Exists(dir.Combine("dest", "manifest.json")));
        }
    }
}
