using System;
using System.Management.Automation;
using DoltBackup.Server;
using DoltBackup.Tests.Infrastructure;
using MySqlConnector;
using Xunit;

namespace DoltBackup.Tests.Server
{
    [Collection("MariaDb")]
    public class MySqlConnectionFactoryTests
    {
        private readonly MariaDbFixture _fixture;

        public MySqlConnectionFactoryTests(MariaDbFixture fixture) => _fixture = fixture;

        [MariaDbFact]
        public void Opens_a_connection_with_the_settings()
        {
            using var c = MySqlConnectionFactory.Open(_fixture.Server.AdminSettings());
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT CURRENT_USER()";
            Assert.StartsWith("dbtest_admin@", (string)cmd.ExecuteScalar());
        }

        [MariaDbFact]
        public void Bad_password_is_classified_as_access_denied_without_the_password()
        {
            var settings = _fixture.Server.AdminSettings().WithPassword("wrong-secret-pw");
            var e = Assert.ThrowsAny<Exception>(() => MySqlConnectionFactory.Open(settings));
            var classified = ServerErrorClassifier.Classify(e, settings.Endpoint);
            Assert.Equal("AccessDenied", classified.ErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, classified.Category);
            Assert.DoesNotContain("wrong-secret-pw", classified.Message + classified.RecommendedAction);
        }

        [Fact]
        public void Refused_connection_is_classified()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var settings = new ServerConnectionSettings { Host = "127.0.0.1", Port = port, ConnectTimeoutSeconds = 3, Tls = TlsMode.None };
            var e = Assert.ThrowsAny<Exception>(() => MySqlConnectionFactory.Open(settings));
            var classified = ServerErrorClassifier.Classify(e, settings);
            Assert.Equal("ConnectionRefused", classified.ErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, classified.Category);
            Assert.Contains("127.0.0.1:" + port, classified.Message);
        }

        [Theory]
        [InlineData("db1", "db1", null)]
        [InlineData("db1:3307", "db1", 3307)]
        [InlineData("[::1]:3307", "::1", 3307)]
        [InlineData("::1", "::1", null)]
        public void ParseServer_accepts_host_and_port_forms(string input, string host, int? port)
        {
            var (h, p) = ServerConnectionSettings.ParseServer(input);
            Assert.Equal(host, h);
            Assert.Equal(port, p);
        }

        [Theory]
        [InlineData("db1:0")]
        [InlineData("db1:99999")]
        [InlineData("db1:abc")]
        [InlineData("[::1")]
        public void ParseServer_refuses_bad_ports(string input)
        {
            Assert.Throws<ArgumentException>(() => ServerConnectionSettings.ParseServer(input));
        }

        [Fact]
        public void ToString_and_endpoint_never_show_the_password()
        {
            var s = new ServerConnectionSettings { Host = "h", Port = 1, UserName = "u" }.WithPassword("p@ss-SECRET");
            Assert.DoesNotContain("SECRET", s.ToString() + s.Endpoint);
        }

        [Fact]
        public void Identifiers_are_quoted_with_backticks_doubled()
        {
            Assert.Equal("`a``b`", MySqlConnectionFactory.QuoteIdentifier("a`b"));
        }
    }
}
