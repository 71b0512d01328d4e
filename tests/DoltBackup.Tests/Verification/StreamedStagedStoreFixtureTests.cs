using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Manifest;
using DoltBackup.Storage;
using DoltBackup.Storage.Sets;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Verification;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.Verification
{
    /// <summary>
    /// Every real fixture store (intact and corrupt: table files, .darc archives v1/v2, journals, oldgen), kept as the
    /// objects of a staged set and verified by streaming them (<see cref="RemoteSetFiles"/>), gets the verdicts and the
    /// words it gets in a folder: within the memory budget, and over it (ends kept in a ring, tables re-hashed as they
    /// stream by, larger .darc archives spooled).
    /// </summary>
    public class StreamedStagedStoreFixtureTests
    {
        private readonly ITestOutputHelper _out;

        public StreamedStagedStoreFixtureTests(ITestOutputHelper output) => _out = output;

        public static IEnumerable<object[]> Fixtures() => FixtureStores.Intact.Concat(ArchiveStoreVerificationTests.Corrupt).Select(f => new object[] { f });

        /// <summary>A staged set in memory holding the fixture's store as &lt;db&gt;/… objects, and its manifest.</summary>
        internal static (MemoryBackupLocation Location, BackupManifest Manifest) StagedSet(string fixture)
        {
            string noms = Path.Combine(RepoPaths.DoltFixtures, fixture, "noms");
            var location = new MemoryBackupLocation("memory://set");
            foreach (var file in Directory.GetFiles(noms, "*", SearchOption.AllDirectories))
            {
                string key = "db/" + Path.GetRelativePath(noms, file).Replace(Path.DirectorySeparatorChar, '/');
                using var stream = File.OpenRead(file);
                location.Put(key, stream, CancellationToken.None);
            }
            var manifest = new BackupManifest
            {
                Id = "set",
                Method = BackupMethod.DoltBackup,
                Destination = new BackupDestination { BaseUrl = "file:///staging", BackupFolder = "/staging", ObjectStoreUrl = "memory://set" },
            };
            manifest.Databases.Add(new DatabaseBackupItem { Name = "db", Url = "file:///staging/db", Status = ItemStatus.Completed });
            return (location, manifest);
        }

        private static List<string> StoreResults(IEnumerable<VerificationResult> results)
            => results.Where(r => r.Level != VerificationLevel.Artifact).Select(r => $"{r.Status} {r.Level} {r.Target} {r.Check}: {r.Message}").ToList();

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void Every_fixture_store_streamed_from_objects_gets_the_verdicts_it_gets_in_a_folder(string fixture)
        {
            var (location, manifest) = StagedSet(fixture);
            string noms = Path.Combine(RepoPaths.DoltFixtures, fixture, "noms");
            foreach (var (deep, budget) in new[] { (false, 0), (true, 0), (false, 10000), (true, 10000) })
            {
                var folder = NbsStoreVerifier.Verify(noms, "db", new VerificationOptions { Deep = deep });
                var options = new VerificationOptions { Deep = deep };
                if (budget > 0)
                {
                    options.ArchiveMemoryLimit = budget;
                }
                var streamed = new List<VerificationResult>();
                BackupVerifier.VerifyManifest(manifest, options, streamed.Add, new RemoteSetFiles(location, "", CancellationToken.None));
                _out.WriteLine($"deep={deep} budget={budget}\n" + FixtureStores.Describe(streamed));
                var expected = StoreResults(folder);
                var actual = StoreResults(streamed);
                Assert.Equal(expected, actual);
                Assert.All(streamed.Where(r => r.Path != null && r.Level != VerificationLevel.Artifact), r => Assert.StartsWith("memory://set/db", r.Path));
            }
        }
    }
}
