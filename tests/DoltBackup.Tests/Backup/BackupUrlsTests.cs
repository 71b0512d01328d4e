#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using DoltBackup.Backup;
using Xunit;

namespace DoltBackup.Tests.Backup
{
    public class BackupUrlsTests
    {
        [Theory]
        [InlineData("aws://[dolt-table:dolt-bucket]/prod/", "aws://[dolt-table:dolt-bucket]/prod")]
        [InlineData("gs://bucket/prod", "gs://bucket/prod")]
        [InlineData("https://doltremoteapi.dolthub.com/myorg", "https://doltremoteapi.dolthub.com/myorg")]
        [InlineData("http://doltlab.local:50051/org", "http://doltlab.local:50051/org")]
        [InlineData("HTTPS://Host/Org", "https://Host/Org")]
        public void Supported_schemes_are_kept(string input, string expected)
        {
            Assert.Equal(expected, BackupUrls.NormalizeBase(input, p => p));
        }

        [Theory]
        [InlineData("s3://bucket/x")]
        [InlineData("az://container/x")]
        [InlineData("git+ssh://host/repo")]
        [InlineData("oci://bucket/x")]
        [InlineData("ftp://host/x")]
        [InlineData("mem://x")]
        public void Other_schemes_are_refused(string input)
        {
            var e = Assert.Throws<ArgumentException>(() => BackupUrls.NormalizeBase(input, p => p));
            Assert.Contains("file://", e.Message);
        }

        [Fact]
        public void Local_paths_and_file_urls_become_absolute_file_urls()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }
            Assert.Equal("file:///backups/prod", BackupUrls.NormalizeBase("/backups/prod/", p => p));
            Assert.Equal("file:///cwd/rel", BackupUrls.NormalizeBase("rel", p => "/cwd/" + p));
            Assert.Equal("file:///backups/my%20prod", BackupUrls.NormalizeBase("file:///backups/my prod", p => p));
            Assert.Equal("/backups/my prod", BackupUrls.LocalPath("file:///backups/my%20prod"));
        }

        [Fact]
        public void Each_database_gets_one_escaped_segment_and_versions_get_the_label()
        {
            Assert.Equal("file:///b/prod/db1", BackupUrls.ForDatabase("file:///b/prod", "db1"));
            Assert.Equal("file:///b/prod/my%20db%2Fx", BackupUrls.ForDatabase("file:///b/prod/", "my db/x"));
            Assert.Equal("gs://bkt/p/20261123T191000Z/db1", BackupUrls.ForDatabase("gs://bkt/p", "db1", "20261123T191000Z"));
            Assert.True(BackupUrls.IsVersionOf("gs://bkt/p/20261123T191000Z/db1", "gs://bkt/p", "db1"));
            Assert.False(BackupUrls.IsVersionOf("gs://bkt/p/db1", "gs://bkt/p", "db1"));
            Assert.False(BackupUrls.IsVersionOf("gs://bkt/p/20261123T191000Z/db2", "gs://bkt/p", "db1"));
        }

        [Fact]
        public void Urls_compare_as_Dolt_stores_them()
        {
            Assert.True(BackupUrls.SameUrl("file:///b/x/", "file:///b/x"));
            Assert.True(BackupUrls.SameUrl("aws://[t:b]/x", "aws://[t:b]/x/"));
            Assert.False(BackupUrls.SameUrl("file:///b/x", "file:///b/y"));
        }
    }
}
