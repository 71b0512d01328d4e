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
    /// <summary>Get-DoltBackup with server parameters: the backups registered on each database, through the in-memory Dolt fake.</summary>
    public sealed class GetDoltBackupServerTests
    {
        private readonly FakeDoltEngine _dolt = new FakeDoltEngine();
        private readonly string _server;

        public GetDoltBackupServerTests()
        {
            foreach (string db in new[] { "sales", "hr", "ops" })
            {
                var d = _dolt.AddDatabase(db);
                d.Backups["nightly"] = "file:///backups/nightly/" + db;
                d.Backups["offsite"] = "aws://[table:bucket]/" + db;
            }
            _dolt.Databases["ops"].Backups.Remove("offsite");
            _server = FakeServers.Register(_dolt);
        }

        private static DoltBackupRegistration[] Registrations(PowerShellResult r) => r.Output.Select(o => o.BaseObject).OfType<DoltBackupRegistration>().ToArray();

        [Fact]
        public void Lists_every_registration_of_every_database_as_typed_objects()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server ($args[0] + ':3310')", _server);

            Assert.Null(r.Terminating);
            Assert.True(r.Errors.Count == 0, r.AllText());
            var list = Registrations(r);
            Assert.Equal(new[] { "hr/nightly", "hr/offsite", "ops/nightly", "sales/nightly", "sales/offsite" }, list.Select(x => x.Database + "/" + x.Name));
            Assert.All(list, x => Assert.Equal(_server + ":3310", x.Server));
            Assert.Equal("aws://[table:bucket]/sales", list.Single(x => x.Database == "sales" && x.Name == "offsite").Url);
            Assert.Equal(3310, FakeServers.LastRequest(_server).Server.Port);
        }

        [Fact]
        public void Name_Database_and_ExcludeDatabase_filter_with_wildcards()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server $args[0] -Name off* -Database s*,h* -ExcludeDatabase HR", _server);

            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "sales/offsite" }, Registrations(r).Select(x => x.Database + "/" + x.Name));
            Assert.DoesNotContain(_dolt.Calls, c => c.Contains("backups hr") || c.Contains("backups ops"));
        }

        [Fact]
        public void A_database_that_does_not_exist_is_an_error_and_the_rest_is_listed()
        {
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server $args[0] -Database sales,nosuch", _server);

            var e = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.DatabaseNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Equal("nosuch", e.TargetObject);
            Assert.Equal(2, Registrations(r).Length);
        }

        [Fact]
        public void An_unreachable_server_is_one_error_and_no_output()
        {
            _dolt.Unreachable = true;
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Server $args[0]", _server);

            var e = Assert.Single(r.Errors);
            Assert.StartsWith("DoltBackup.ConnectionRefused", e.FullyQualifiedErrorId);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Servers_piped_by_property_name_are_each_listed()
        {
            var other = new FakeDoltEngine();
            other.AddDatabase("crm").Backups["nightly"] = "file:///b/crm";
            string second = FakeServers.Register(other);
            using var host = new PowerShellHost();
            var r = host.Run("@([pscustomobject]@{ Server = $args[0] }, [pscustomobject]@{ Server = $args[1] }) | Get-DoltBackup -Name nightly -Database *", _server, second);

            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "hr", "ops", "sales", "crm" }, Registrations(r).Select(x => x.Database));
        }

        [Fact]
        public void Path_and_server_parameters_together_are_refused()
        {
            using var dir = new TempDir();
            using var host = new PowerShellHost();
            var r = host.Run("Get-DoltBackup -Path $args[0] -Server $args[1]", dir.Path, _server);

            var e = r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.InvalidGetRequest,DoltBackup.Cmdlets.GetDoltBackupCommand", e.FullyQualifiedErrorId);
            Assert.Empty(_dolt.Calls);
        }

        [Fact]
        public void The_format_view_shows_server_database_name_and_url()
        {
            var view = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.LaidOutModule, "Registration.Format.ps1xml")).Descendants("View").Single();
            Assert.Equal(typeof(DoltBackupRegistration).FullName, view.Descendants("TypeName").Single().Value);
            Assert.Equal(new[] { "Server", "Database", "Name", "Url" }, view.Descendants("PropertyName").Select(p => p.Value));
            using var host = new PowerShellHost();
            var formats = host.Invoke("(Get-Module DoltBackup).ExportedFormatFiles | ForEach-Object { [System.IO.Path]::GetFileName($_) }").Select(o => o.ToString());
            Assert.Contains("Registration.Format.ps1xml", formats);
        }
    }
}
