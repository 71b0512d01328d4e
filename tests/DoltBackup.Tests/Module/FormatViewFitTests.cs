using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Xml.Linq;
using DoltBackup.Capture;
using DoltBackup.Catalog;
using DoltBackup.Ebs;
using DoltBackup.Grants;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Retention;
using DoltBackup.Verification;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Module
{
    /// <summary>
    /// Every table view of every module/*.Format.ps1xml fits an 80-column console: checked from the widths in the file,
    /// and by rendering a realistic object (long names, full URLs, the longest status) through the module's views
    /// in a console 80 columns wide.
    /// </summary>
    public class FormatViewFitTests : IClassFixture<FormatViewFitTests.Console80>
    {
        private const int ConsoleWidth = 80;

        /// <summary>One engine with the module imported, writing to an 80-column console, for every view.</summary>
        public sealed class Console80 : IDisposable
        {
            public PowerShellHost Host { get; } = new PowerShellHost(consoleWidth: ConsoleWidth);
            public void Dispose() => Host.Dispose();
        }

        private readonly PowerShellHost _host;

        public FormatViewFitTests(Console80 console) => _host = console.Host;

        /// <summary>Room a column without a fixed width needs to show anything useful.</summary>
        private const int MinimumFreeColumn = 12;

        private static IEnumerable<(string File, XElement View)> TableViews() =>
            Directory.GetFiles(Path.Combine(RepoPaths.Root, "module"), "*.Format.ps1xml").OrderBy(f => f)
                .SelectMany(f => XDocument.Load(f).Descendants("View").Where(v => v.Element("TableControl") != null).Select(v => (Path.GetFileName(f), v)));

        public static IEnumerable<object[]> ViewNames() => TableViews().Select(v => new object[] { v.View.Element("Name").Value });

        [Fact]
        public void The_widths_of_every_table_view_leave_room_in_80_columns()
        {
            var tooWide = new List<string>();
            foreach (var (file, view) in TableViews())
            {
                var headers = view.Descendants("TableColumnHeader").ToList();
                int fixedWidths = headers.Sum(h => int.TryParse((string)h.Element("Width"), out int w) ? w : 0);
                int free = headers.Count(h => h.Element("Width") == null);
                int needed = fixedWidths + (headers.Count - 1) + free * MinimumFreeColumn;
                if (needed > ConsoleWidth - 1)
                {
                    tooWide.Add($"{file} {view.Element("Name").Value}: {needed} columns");
                }
            }
            Assert.True(tooWide.Count == 0, "Too wide for an 80-column console: " + string.Join("; ", tooWide));
        }

        [Fact]
        public void Every_table_view_has_a_sample_here()
        {
            var missing = ViewNames().Select(v => (string)v[0]).Where(n => !Samples.ContainsKey(n)).ToList();
            Assert.True(missing.Count == 0, "Add a sample for: " + string.Join(", ", missing));
        }

        [Theory]
        [MemberData(nameof(ViewNames))]
        public void Each_table_view_renders_within_80_columns_without_letter_per_line_columns(string viewName)
        {
            var view = TableViews().Single(v => v.View.Element("Name").Value == viewName).View;
            var labels = view.Descendants("TableColumnHeader").Select(h => (string)h.Element("Label")).ToList();
            string text = _host.Render("$args[0]", Samples[viewName]());

            // Escape sequences for colours take no room on a screen.
            text = System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", "");
            var lines = text.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToList();
            Assert.All(lines, l => Assert.True(l.Length <= ConsoleWidth, $"{viewName}: a line of {l.Length} characters:\n{text}"));
            // Every column is shown with its whole label (a column squeezed out of the console loses its label first).
            string header = lines[0];
            foreach (var label in labels)
            {
                Assert.True(header.Contains(label), $"{viewName}: the column '{label}' is cut or missing:\n{text}");
            }
            // A column squeezed to a letter or two wraps into lines holding one or two characters each.
            for (int i = 1; i < lines.Count; i++)
            {
                bool tiny(string l) => l.Trim().Length <= 2;
                Assert.False(tiny(lines[i]) && tiny(lines[i - 1]), $"{viewName}: a column wraps a letter per line:\n{text}");
            }
        }

        private const string LongUrl = "file:///var/backups/dolt/production-eu-west-1/20261203T021500Z-production/warehouse_archive";
        private const string LongPath = "/var/lib/dolt/production/warehouse_archive/.dolt/noms/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv";

        private static BackupManifest Set()
        {
            var m = new BackupManifest
            {
                Id = BackupId.Create("production-eu1", new DateTime(2026, 12, 3, 2, 15, 0, DateTimeKind.Utc)),
                Name = "production-eu1", Method = BackupMethod.EbsSnapshot, Status = BackupStatus.PartiallyCompleted,
                CreatedUtc = new DateTime(2026, 12, 3, 2, 15, 0, DateTimeKind.Utc),
            };
            m.Destination.BaseUrl = LongUrl;
            m.Destination.BackupFolder = "/var/backups/dolt/production-eu-west-1/20261203T021500Z-production";
            for (int i = 0; i < 12; i++)
            {
                m.Databases.Add(new DatabaseBackupItem { Name = "warehouse_archive_" + i, Status = i == 0 ? ItemStatus.Failed : ItemStatus.Completed, Bytes = 123456789 });
            }
            m.Artifacts.Add(new BackupArtifact { Kind = "ServerConfig", StoredPath = "config/config.yaml", Sha256 = new string('a', 64), Size = 1234 });
            return m;
        }

        private static readonly Dictionary<string, Func<object>> Samples = new Dictionary<string, Func<object>>
        {
            ["DoltBackup.Manifest.BackupManifest"] = () => Set(),
            ["DoltBackup.Manifest.BackupManifest#Listing"] = () =>
            {
                var o = PSObject.AsPSObject(Set());
                o.TypeNames.Insert(0, DoltBackup.Cmdlets.GetDoltBackupCommand.ListingTypeName);
                o.Properties.Add(new PSNoteProperty("Size", 1023L * 1024 * 1024 * 1024 + 1));
                o.Properties.Add(new PSNoteProperty("Age", new TimeSpan(123, 23, 59, 0)));
                return o;
            },
            ["DoltBackup.Manifest.DatabaseBackupItem"] = () => new DatabaseBackupItem
            {
                Name = "warehouse_archive_2026", Status = ItemStatus.Completed, Url = LongUrl, WorkingSetHash = "f212p79dk1pbbr4dcbhppkmmsaplic07",
                DurationMs = 123456, Branches = { new RefHead { Name = "main", Hash = "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj" } },
                Error = "Syncing backup 'doltbackup' of 'warehouse_archive_2026': the server closed the connection during the sync.",
            },
            ["DoltBackup.Manifest.BackupArtifact"] = () => new BackupArtifact
            {
                Kind = "GlobalCredential", Database = "warehouse_archive_2026", Size = 123456789, Secret = true, Sha256 = new string('b', 64),
                StoredPath = "config/data/warehouse_archive_2026/.dolt/repo_state.json",
            },
            ["DoltBackup.Manifest.OmittedFile"] = () => new OmittedFile
            {
                Kind = "GlobalCredential", OriginalPath = "/home/dolt/.dolt/creds/7m1ho1sd0u2dk0tf6t3tbo6fc9ttcc8hqf1dfv0gpkb0s.jwk",
                Reason = "A secret: left out without -IncludeSecrets.",
            },
            ["DoltBackup.Capture.ArtifactRestoreResult"] = () => new ArtifactRestoreResult
            {
                Kind = "GlobalCredential", Status = ArtifactRestoreStatus.NotWritten, Action = "Overwrite", Secret = true, TargetPath = LongPath,
                Reason = "The stored file's SHA-256 differs from the manifest: it was changed after the backup.",
            },
            ["DoltBackup.Manifest.VolumeSnapshot"] = () => new VolumeSnapshot
            {
                SnapshotId = "snap-0123456789abcdef0", VolumeId = "vol-0123456789abcdef0", Device = "/dev/nvme1n1", VolumeSizeGiB = 16384,
                State = "completed", Progress = "100%", Status = ItemStatus.Completed, StartTimeUtc = DateTime.UtcNow,
                Error = "EC2 refused ec2:CreateSnapshot for vol-0123456789abcdef0: UnauthorizedOperation.",
            },
            ["DoltBackup.Ebs.RestoredVolume"] = () => new RestoredVolume
            {
                VolumeId = "vol-0123456789abcdef1", SnapshotId = "snap-0123456789abcdef0", AvailabilityZone = "ap-southeast-2c",
                InstanceId = "i-0123456789abcdef0", Device = "/dev/sdf", State = "in-use", Status = ItemStatus.Completed,
                Error = "The volume did not attach within 300 seconds.",
            },
            ["DoltBackup.Grants.GrantsExportResult"] = () => new GrantsExportResult
            {
                Server = "dolt-production-eu-west-1.internal:3306", ServerKind = "Dolt", Accounts = 1234, Roles = 12, BranchControlRows = 123,
                FailedAccounts = new[] { "app@%" }, PasswordsIncluded = true, Path = "/var/backups/dolt/production-eu-west-1/grants/grants.sql",
            },
            ["DoltBackup.Catalog.DoltBackupRegistration"] = () => new DoltBackupRegistration
            {
                Server = "dolt-production-eu-west-1.internal:3306", Database = "warehouse_archive_2026", Name = "doltbackup-production", Url = LongUrl,
            },
            ["DoltBackup.Restore.DatabaseRestoreResult"] = () => new DatabaseRestoreResult
            {
                Database = "warehouse_archive_2026", TargetName = "restored_warehouse_2026", Status = RestoreStatus.Restored,
                Verification = VerificationOutcome.NotChecked, Duration = TimeSpan.FromSeconds(1234.5), SourceUrl = LongUrl,
                Error = "The restored heads differ from the manifest: main is d2ajqa7h, the manifest says f212p79d.",
            },
            ["DoltBackup.Restore.ArtifactGroupRestoreResult"] = () => new ArtifactGroupRestoreResult
            {
                Group = ArtifactGroup.Configuration, Status = RestoreStatus.Restored, Target = "/etc/dolt/production-eu-west-1",
                Duration = TimeSpan.FromSeconds(12.3), Error = "1 file was refused: its SHA-256 differs from the manifest.",
            },
            ["DoltBackup.Restore.ArtifactFileResult"] = () => new ArtifactFileResult
            {
                Kind = "GlobalCredential", Status = RestoreStatus.Restored, StoredPath = "config/data/warehouse_archive_2026/.dolt/repo_state.json",
                TargetPath = LongPath, Error = "Permission denied.",
            },
            ["DoltBackup.Restore.PointInTime.PointInTimeRestoreResult"] = () => new DoltBackup.Restore.PointInTime.PointInTimeRestoreResult
            {
                Database = "warehouse_archive_2026", TargetName = "warehouse_archive_2026_1400", AsOfUtc = new DateTime(2026, 11, 22, 14, 0, 0, DateTimeKind.Utc),
                Status = RestoreStatus.Restored, Verification = VerificationOutcome.Mismatch, SourceUrl = LongUrl,
                Error = "No commit at or before the moment is reachable on the line of branch(es) feature-2026: left at their heads in the set.",
            },
            ["DoltBackup.Restore.PointInTime.BranchAsOf"] = () => new DoltBackup.Restore.PointInTime.BranchAsOf
            {
                Branch = "feature/warehouse-archive-2026", Action = DoltBackup.Restore.PointInTime.BranchAsOfAction.Unresolved, Commit = "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj",
                CommitDateUtc = new DateTime(2026, 11, 22, 13, 59, 59, DateTimeKind.Utc), Message = "Load the November warehouse archive from the staging tables, then drop them",
            },
            ["DoltBackup.Retention.BackupRemovalResult"] = () => new BackupRemovalResult(Set(), BackupRemovalAction.Skipped,
                "Kept: the newest Completed set; -KeepLast 3 keeps it and the two before it."),
            ["DoltBackup.Verification.VerificationResult"] = () => new VerificationResult("warehouse_archive_2026", "TableFile.Chunks",
                VerificationStatus.Failed, "Chunk rlmgv0komq0oj7qu4osdo759vs4c5pvg of table file 5m3kg0bbm0kd0t3b1ivsrqh8a5gm5ujs does not hash to its address.",
                VerificationLevel.RestoreTest, LongPath),
            ["DoltBackup.Verification.VerificationSummary"] = () => new VerificationSummary
            {
                Target = LongPath, Passed = 12345, Failed = 123, Skipped = 1234, Info = 123,
            },
        };
    }
}
