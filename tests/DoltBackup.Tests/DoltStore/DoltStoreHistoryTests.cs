using System;
using System.IO;
using System.Linq;
using DoltBackup.DoltStore;
using DoltBackup.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace DoltBackup.Tests.DoltStore
{
    public class DoltStoreHistoryTests
    {
        private readonly ITestOutputHelper _out;
        public DoltStoreHistoryTests(ITestOutputHelper output) { _out = output; }

        [Fact]
        public void Explore()
        {
            foreach (var dir in new[] { Path.Combine(RepoPaths.ServerFixture, "backups", "sales"), Path.Combine(RepoPaths.ServerFixture, "backups", "inventory"),
                Path.Combine(RepoPaths.DoltFixtures, "classic-tables", "noms"), Path.Combine(RepoPaths.DoltFixtures, "archives-v1", "noms"), Path.Combine(RepoPaths.DoltFixtures, "archives-v2", "noms"),
                Path.Combine(RepoPaths.DoltFixtures, "clone-with-remote", "noms"), Path.Combine(RepoPaths.DoltFixtures, "journal", "noms") })
            {
                _out.WriteLine("== " + dir);
                try
                {
                    using (var h = DoltStoreHistory.Open(dir))
                    {
                        foreach (var d in h.Datasets) _out.WriteLine("  ds " + d.Key + " " + d.Value);
                        foreach (var t in h.Tags) _out.WriteLine("  tag " + t.Key + " " + t.Value);
                        foreach (var b in h.Branches)
                        {
                            string c = b.Value;
                            while (c != null)
                            {
                                var cm = h.Commit(c);
                                _out.WriteLine($"  {b.Key} {cm.Hash} h{cm.Height} {cm.DateUtc:o} {cm.Committer} '{cm.Message}' p={string.Join(",", cm.Parents)}");
                                c = cm.Parents.FirstOrDefault();
                            }
                        }
                        _out.WriteLine($"  read {h.ChunksRead} of {h.StoreChunkCount}");
                    }
                }
                catch (Exception e) { _out.WriteLine("  ERR " + e); }
            }
        }
    }
}
