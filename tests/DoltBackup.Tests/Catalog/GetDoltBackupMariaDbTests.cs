using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DoltBackup.Catalog;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Catalog
{
    /// <summary>Get-DoltBackup from a real MySQL-protocol server that is not Dolt (MariaDB): honest errors, no secrets.</summary>
    [Collection("MariaDb")]
    public class GetDoltBackupMariaDbTests
    {
        private readonly MariaDbFixture _fixture;

        public GetDoltBackupMariaDbTests(MariaDbFixture fixture) => _fixture = fixture;

        private static PSCredential Cred(string user, string password)
        {
            var s = new System.Security.SecureString();
            foreach (char c in password)
            {
                s.AppendChar(c);
            }
            return new PSCredential(user, s);
        }

        [MariaDbFact]
        public void Bad_credentials_are_one_login_error_without_the_password()
        {
            const string wrong = "Wr0ng-Pw-Get-5c2e";
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server 127.0.0.1 -Port $args[0] -Credential $args[1] -TlsMode None", _fixture.Server.Port, Cred(_fixture.Server.AdminUser, wrong));

            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.AccessDenied", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.DoesNotContain(wrong, r.AllText());
            Assert.Empty(r.Output);
        }

        [MariaDbFact]
        public void A_server_without_Dolt_gives_one_error_per_database()
        {
            _fixture.Server.Execute("CREATE DATABASE IF NOT EXISTS `get-reg-db`");
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server 127.0.0.1 -Port $args[0] -Credential $args[1] -TlsMode None -Database get-reg-db",
                _fixture.Server.Port, Cred(_fixture.Server.AdminUser, _fixture.Server.AdminPassword));

            var e = Assert.Single(r.Errors);
            Assert.Equal("get-reg-db", e.TargetObject);
            Assert.Contains("dolt_backups", e.Exception.Message);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(_fixture.Server.AdminPassword, r.AllText());
        }

        [MariaDbFact]
        public void A_port_where_nothing_listens_is_a_connection_error()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server 127.0.0.1 -Port 1 -TlsMode None -ConnectTimeout 5");

            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Empty(r.Output);
        }
    }
}
