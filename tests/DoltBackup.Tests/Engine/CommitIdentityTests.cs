#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using DoltBackup.Manifest;
using DoltBackup.Restore;
using DoltBackup.Tests.Fakes;
using DoltBackup.Tests.Infrastructure;
using DoltBackup.Tests.Restore;
using DoltBackup.Verification;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    /// <summary>
    /// `dolt backup restore` needs a commit identity (dolt-transcripts, "backup restore with no identity"). Without one
    /// the CLI engine restores through `dolt sql`, where Dolt supplies its default identity for that process only, and
    /// says so once before anything starts; when even that fails, the error names the exact fix. With the fake CLI.
    /// </summary>
    public class CommitIdentityTests
    {
        private static readonly CancellationToken None = CancellationToken.None;

        private static (CliDoltEngine Engine, FakeDoltCli Cli, BackupManifest Manifest) Make(TempDir dir, string name, string email, params string[] databases)
        {
            var cli = new FakeDoltCli { UserName = name, UserEmail = email };
            var manifest = RestoreFixtures.Manifest(new RestoreFakeDolt(), dir.Combine("set"), databases.Length == 0 ? new[] { "sales" } : databases);
            foreach (var d in manifest.Databases)
            {
                cli.Stores[d.Url] = d;
            }
            string dataDir = dir.Combine("data");
            Directory.CreateDirectory(dataDir);
            return (new CliDoltEngine(dataDir, null, cli, TimeSpan.FromMinutes(1)), cli, manifest);
        }

        [Fact]
        public void With_an_identity_the_restore_runs_dolt_backup_restore_and_nothing_is_noticed()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, "Ops", "ops@example.com");
            engine.RestoreBackupAsync(m.Databases[0].Url, "sales", false, None).GetAwaiter().GetResult();
            Assert.Equal(new[] { "config --get user.name", "config --get user.email", "backup restore " + m.Databases[0].Url + " sales" }, cli.Commands);
            Assert.Null(CommitIdentityCheck.NoticeFor(engine, None));
        }

        [Fact]
        public void Without_an_identity_the_engine_restores_through_dolt_sql_where_Dolt_supplies_its_default_identity()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, null, null);
            string url = m.Databases[0].Url;
            cli.Stores["file:///b/it's \\x"] = m.Databases[0];

            // What Dolt says to the plain command (dolt-transcripts), which the engine therefore does not use.
            var plain = cli.RunAsync("dolt", new[] { "backup", "restore", url, "sales" }, engine.DataDir, TimeSpan.Zero, None).GetAwaiter().GetResult();
            Assert.Equal("error reading from or writing to noms: Aborting commit due to empty author name. Is your config set?\n", plain.StandardError);
            Assert.Equal(DoltErrorKind.IdentityMissing, DoltErrorParser.Classify(plain.StandardError));

            engine.RestoreBackupAsync(url, "sales", false, None).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/it's \\x", "o'k", true, None).GetAwaiter().GetResult();

            var commands = cli.Commands.Skip(1).ToList();
            Assert.Equal(new[]
            {
                "config --get user.name", "config --get user.email",
                $"sql -q CALL dolt_backup('restore', '{url}', 'sales')",
                "sql -q CALL dolt_backup('restore', '--force', 'file:///b/it''s \\\\x', 'o''k')",
            }, commands);
            Assert.True(Directory.Exists(Path.Combine(engine.DataDir, "o'k", ".dolt", "noms")));
            string notice = CommitIdentityCheck.NoticeFor(engine, None);
            Assert.Contains("user.name and user.email are not set", notice);
            Assert.Contains("Dolt System Account", notice);
            Assert.Contains("dolt config --global --add user.name", notice);
        }

        [Fact]
        public void Only_the_missing_half_is_named()
        {
            using var dir = new TempDir();
            var (engine, _, _) = Make(dir, "Ops", null);
            Assert.Contains("(user.email is not set", CommitIdentityCheck.NoticeFor(engine, None));
        }

        [Fact]
        public void When_no_identity_can_be_supplied_the_error_names_the_exact_fix()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, null, null);
            cli.SqlHasDefaultIdentity = false;
            var e = Assert.Throws<DoltEngineException>(() => engine.RestoreBackupAsync(m.Databases[0].Url, "sales", false, None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.IdentityMissing, e.Kind);
            Assert.Equal("DoltIdentityMissing", e.ErrorId);
            Assert.Contains("Aborting commit due to empty author name", e.Message);
            Assert.Contains("dolt config --global --add user.name \"Backup Operator\"", e.RecommendedAction);
            Assert.Contains("dolt config --global --add user.email", e.RecommendedAction);
        }

        [Fact]
        public void Restore_DoltBackup_DataDir_without_an_identity_warns_once_before_it_starts_and_restores_verified()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, null, null, "inventory", "sales");
            FakeServers.Register(engine, engine.DataDir);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", m.BackupFolder, engine.DataDir);

            Assert.True(r.Errors.Count == 0, r.AllText());
            string warning = Assert.Single(r.Warnings);
            Assert.Contains("Dolt System Account", warning);
            var results = r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().ToList();
            Assert.Equal(2, results.Count);
            Assert.All(results, x => Assert.Equal(VerificationOutcome.Verified, x.Verification));
            Assert.Equal(2, cli.Commands.Count(c => c.StartsWith("sql -q CALL dolt_backup('restore'", StringComparison.Ordinal)));
            Assert.DoesNotContain(cli.Commands, c => c.StartsWith("backup restore", StringComparison.Ordinal));
            Assert.True(cli.Commands.ToList().IndexOf("config --get user.name") < cli.Commands.ToList().FindIndex(c => c.StartsWith("sql -q", StringComparison.Ordinal)));
        }

        [Fact]
        public void Restore_DoltBackup_DataDir_with_an_identity_uses_dolt_backup_restore_without_a_warning()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, "Ops", "ops@example.com");
            FakeServers.Register(engine, engine.DataDir);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", m.BackupFolder, engine.DataDir);

            Assert.True(r.Errors.Count == 0, r.AllText());
            Assert.Empty(r.Warnings);
            Assert.Contains(cli.Commands, c => c == $"backup restore {m.Databases[0].Url} sales");
        }

        [Fact]
        public void Restore_DoltBackup_DataDir_when_Dolt_supplies_no_identity_is_a_DoltIdentityMissing_error_with_the_fix()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, null, null);
            cli.SqlHasDefaultIdentity = false;
            FakeServers.Register(engine, engine.DataDir);
            using var host = new PowerShellHost();
            var r = host.Run("Restore-DoltBackup -Path $args[0] -DataDir $args[1] -Confirm:$false", m.BackupFolder, engine.DataDir);

            var error = Assert.Single(r.Errors);
            Assert.Equal("DoltBackup.DoltIdentityMissing,DoltBackup.Cmdlets.RestoreDoltBackupCommand", error.FullyQualifiedErrorId);
            Assert.Contains("dolt config --global --add user.name", error.ErrorDetails.RecommendedAction);
            Assert.Equal(RestoreStatus.Failed, r.Output.Select(o => o.BaseObject).OfType<DatabaseRestoreResult>().Single().Status);
        }

        [Fact]
        public void Test_DoltBackup_RestoreTest_ScratchDataDir_without_an_identity_passes_and_warns()
        {
            using var dir = new TempDir();
            var (engine, cli, m) = Make(dir, null, null);
            string scratch = dir.Combine("scratch");
            var scratchEngine = new CliDoltEngine(scratch, null, cli, TimeSpan.FromMinutes(1));
            FakeServers.Register(scratchEngine, scratch);
            using var host = new PowerShellHost();
            var r = host.Run("Test-DoltBackup -Path $args[0] -RestoreTest -ScratchDataDir $args[1]", m.BackupFolder, scratch);

            Assert.True(r.Warnings.Count == 1, r.AllText() + string.Join("\n", cli.Commands));
            Assert.Contains("Dolt System Account", r.Warnings[0]);
            var restore = r.Output.Select(o => o.BaseObject).OfType<VerificationResult>().Single(x => x.Level == VerificationLevel.RestoreTest);
            Assert.Equal(VerificationStatus.Passed, restore.Status);
            Assert.Contains(cli.Commands, c => c.StartsWith("sql -q CALL dolt_backup('restore'", StringComparison.Ordinal));
        }
    }
}
