using System.IO;
using DoltBackup.Manifest;
using DoltBackup.Retention;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Retention
{
    public class RemainingSetsTests
    {
        private static BackupManifest Set(string id, string folder, params string[] dataPaths)
        {
            var m = new BackupManifest { Id = id, Destination = new BackupDestination { BackupFolder = folder } };
            foreach (var p in dataPaths)
            {
                m.Databases.Add(new DatabaseBackupItem { Name = Path.GetFileName(p), Url = "file://" + p });
            }
            return m;
        }

        [Fact]
        public void Finds_users_of_a_path_above_below_and_at_it_but_never_the_set_itself()
        {
            using var dir = new TempDir();
            var a = Set("a", dir.Combine("root", "a"), dir.Combine("data", "v1", "db0"));
            var b = Set("b", dir.Combine("root", "b"), dir.Combine("data", "v2", "db0"));
            var wide = Set("wide", dir.Combine("root", "wide"), dir.Combine("data", "shared"));
            var remaining = new RemainingSets(new[] { a, b, wide });

            Assert.Same(a, remaining.FindPathUser(dir.Combine("data", "v1", "db0"), b));
            Assert.Same(a, remaining.FindPathUser(dir.Combine("data", "v1"), b));                 // a's data is inside
            Assert.Same(wide, remaining.FindPathUser(dir.Combine("data", "shared", "x", "y"), a)); // inside wide's data
            Assert.Null(remaining.FindPathUser(dir.Combine("data", "v1", "db0"), a));              // only a itself
            Assert.Null(remaining.FindPathUser(dir.Combine("data", "v10"), a));                    // a sibling with a common prefix
            Assert.NotNull(remaining.FindPathUser(dir.Combine("root"), a));                        // holds b's and wide's folders

            remaining.Remove(Set("a-again", dir.Combine("root", "a")));                           // same folder: the same set
            Assert.Null(remaining.FindPathUser(dir.Combine("data", "v1"), b));
            Assert.Same(a, remaining.RemovedSetWithData(dir.Combine("data", "v1", "db0")));
            Assert.Equal(new[] { b, wide }, remaining.Sets);
        }
    }
}
