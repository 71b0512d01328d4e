using System.Collections.Generic;
using System.IO;
using System.Linq;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Verification
{
    /// <summary>Copies the shared Dolt fixtures to temp dirs and runs the verifier on them.</summary>
    internal static class FixtureStores
    {
        public static readonly string[] Intact = { "classic-tables", "archives-v1", "archives-v2", "clone-with-remote", "journal" };

        /// <summary>Copies fixtures/dolt/&lt;name&gt; (the contents of a .dolt dir) to &lt;temp&gt;/&lt;db&gt;/.dolt and returns the .dolt path.</summary>
        public static string CopyAsDoltDir(TempDir dir, string fixture, string db = null)
        {
            string doltDir = dir.Combine(db ?? fixture.Replace('/', '_'), ".dolt");
            TempDir.CopyTree(Path.Combine(RepoPaths.DoltFixtures, fixture), doltDir);
            return doltDir;
        }

        public static List<VerificationResult> Verify(string path, bool deep = false)
            => BackupVerifier.VerifyPath(path, new VerificationOptions { Deep = deep });

        public static string Describe(IEnumerable<VerificationResult> results) => string.Join("\n", results.Select(r => r.ToString()));

        public static void AssertNoFailure(List<VerificationResult> results)
        {
            Assert.True(results.All(r => r.Status != VerificationStatus.Failed && r.Status != VerificationStatus.Skipped), Describe(results));
            Assert.Contains(results, r => r.Status == VerificationStatus.Passed);
        }

        public static List<VerificationResult> Failures(List<VerificationResult> results) => results.Where(r => r.Status == VerificationStatus.Failed).ToList();
    }
}
