using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Verification
{
    public class StoreVerificationTests
    {
        private readonly ITestOutputHelper _out;

        public StoreVerificationTests(ITestOutputHelper output) => _out = output;

        [Theory]
        [InlineData("classic-tables")]
        [InlineData("archives-v1")]
        [InlineData("archives-v2")]
        [InlineData("clone-with-remote")]
        [InlineData("journal")]
        public void Every_intact_fixture_store_passes_structure_and_deep_checks(string fixture)
        {
            using var dir = new TempDir();
            string doltDir = FixtureStores.CopyAsDoltDir(dir, fixture, "db");
            foreach (bool deep in new[] { false, true })
            {
                var results = FixtureStores.Verify(doltDir, deep);
                _out.WriteLine(FixtureStores.Describe(results));
                FixtureStores.AssertNoFailure(results);
                Assert.Equal(deep, results.Any(r => r.Level == VerificationLevel.Deep));
                Assert.All(results, r => Assert.StartsWith("db", r.Target));
            }
        }
    }
}
