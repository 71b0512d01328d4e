#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using System;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Threading;
using DoltBackup.Engine;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    public class CliDoltEngineTests
    {
        private static (CliDoltEngine Engine, RecordingProcessRunner Runner) Make(string doltPath = null)
        {
            var runner = new RecordingProcessRunner();
            return (new CliDoltEngine("/data", doltPath, runner, TimeSpan.FromMinutes(7)), runner);
        }

        [Fact]
        public void Backup_operations_run_dolt_with_exact_argument_arrays_in_the_data_dir()
        {
            var (engine, runner) = Make("/opt/dolt/bin/dolt");
            runner.Returns("").Returns("").Returns("").Returns("Ops\n").Returns("ops@example.com\n"); // add, sync, remove; then the identity check
            var ct = CancellationToken.None;
            engine.AddBackupAsync("my db", "nightly", "file:///b/my%20db", ct).GetAwaiter().GetResult();
            engine.SyncBackupAsync("my db", "nightly", ct).GetAwaiter().GetResult();
            engine.RemoveBackupAsync("my db", "nightly", ct).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/x", "x", false, ct).GetAwaiter().GetResult();
            engine.RestoreBackupAsync("file:///b/x", "x", true, ct).GetAwaiter().GetResult();
            engine.PushBranchAsync("db1", "origin", "feature/a b", ct).GetAwaiter().GetResult();

            Assert.All(runner.Runs, r => Assert.Equal("/opt/dolt/bin/dolt", r.File));
            Assert.All(runner.Runs, r => Assert.Equal("/data", r.Cwd));
            Assert.All(runner.Runs, r => Assert.Equal(TimeSpan.FromMinutes(7), r.Timeout));
            Assert.Equal(new[] { "--use-db", "my db", "backup", "add", "nightly", "file:///b/my%20db" }, runner.Runs[0].Args);
            Assert.Equal(new[] { "--use-db", "my db", "backup", "sync", "nightly" }, runner.Runs[1].Args);
            Assert.Equal(new[] { "--use-db", "my db", "backup", "remove", "nightly" }, runner.Runs[2].Args);
            Assert.Equal(new[] { "config", "--get", "user.name" }, runner.Runs[3].Args);
            Assert.Equal(new[] { "config", "--get", "user.email" }, runner.Runs[4].Args);
            Assert.Equal(new[] { "backup", "restore", "file:///b/x", "x" }, runner.Runs[5].Args);
            Assert.Equal(new[] { "backup", "restore", "--force", "file:///b/x", "x" }, runner.Runs[6].Args);
            Assert.Equal(new[] { "--use-db", "db1", "push", "origin", "feature/a b" }, runner.Runs[7].Args);
        }

        [Fact]
        public void Dolt_comes_from_PATH_when_no_DoltPath_is_given()
        {
            var (engine, runner) = Make();
            engine.GetDoltVersionAsync(CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("dolt", runner.Runs[0].File);
            Assert.Equal(new[] { "version" }, runner.Runs[0].Args);
        }

        [Fact]
        public void Lists_backups_from_verbose_output_with_trailing_space_for_empty_params()
        {
            var (engine, runner) = Make();
            runner.Returns("bac1 file:///abs/bac1 \nbac2 aws://[t:b]/db {\"aws-region\":\"us-east-1\"}\n");
            var list = engine.ListBackupsAsync("db1", CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(new[] { "--use-db", "db1", "backup", "-v" }, runner.Runs[0].Args);
            Assert.Equal(2, list.Count);
            Assert.Equal("bac1", list[0].Name);
            Assert.Equal("file:///abs/bac1", list[0].Url);
            Assert.Equal("aws://[t:b]/db", list[1].Url);
        }

        [Fact]
        public void Empty_listing_is_no_backups()
        {
            var (engine, runner) = Make();
            runner.Returns("");
            Assert.Empty(engine.ListBackupsAsync("db1", CancellationToken.None).GetAwaiter().GetResult());
        }

        [Theory]
        [InlineData("dolt version 1.43.0\n", "1.43.0")]
        [InlineData("dolt version 2.3.1\nWarning: you are on an old version of Dolt. The newest version is 2.4.0.\n", "2.3.1")]
        [InlineData("garbage", null)]
        public void Parses_dolt_version(string output, string expected)
        {
            Assert.Equal(expected, CliDoltEngine.ParseVersion(output));
        }

        [Fact]
        public void Reads_state_through_sql_json_queries()
        {
            var (engine, runner) = Make();
            runner.Returns("{\"rows\": [{\"name\":\"dev\",\"hash\":\"aaaa\"},{\"name\":\"main\",\"hash\":\"bbbb\"}]}\n")
                  .Returns("{\"rows\": []}\n")
                  .Returns("{\"rows\": [{\"h\":\"cccc\"}]}\n");
            var state = engine.GetDatabaseStateAsync("db1", CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-r", "json", "-q", "SELECT name, hash FROM dolt_branches ORDER BY name" }, runner.Runs[0].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-r", "json", "-q", "SELECT tag_name, tag_hash FROM dolt_tags ORDER BY tag_name" }, runner.Runs[1].Args);
            Assert.Equal(new[] { "--use-db", "db1", "sql", "-r", "json", "-q", "SELECT dolt_hashof_db() AS h" }, runner.Runs[2].Args);
            Assert.Equal(new[] { "dev@aaaa", "main@bbbb" }, state.Branches.Select(b => b.ToString()));
            Assert.Empty(state.Tags);
            Assert.Equal("cccc", state.WorkingSetHash);
        }

        [Fact]
        public void Unreadable_json_output_is_a_classified_error()
        {
            var (engine, runner) = Make();
            runner.Returns("{\"rows\": [ {\"name\": ");
            var e = Assert.Throws<DoltEngineException>(() => engine.GetDatabaseStateAsync("db1", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("DoltOutputUnreadable", e.ErrorId);
        }

        [Fact]
        public void Exit_1_with_stderr_becomes_a_classified_error_with_Dolts_message()
        {
            var (engine, runner) = Make();
            runner.Returns("", "backup 'nightly' not found\n", 1);
            var e = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "nightly", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.BackupNotFound, e.Kind);
            Assert.Equal(1, e.ExitCode);
            Assert.Equal("backup 'nightly' not found", e.DoltMessage);
            Assert.Contains("db1", e.Message);
        }

        [Fact]
        public void Usage_text_after_the_error_is_left_out()
        {
            var (engine, runner) = Make();
            runner.Returns("", "error: backup 'nightly' already exists\n\nusage: dolt backup [-v | --verbose]\n  dolt backup add ...\n", 1);
            var e = Assert.Throws<DoltEngineException>(() => engine.AddBackupAsync("db1", "nightly", "file:///x", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.BackupAlreadyExists, e.Kind);
            Assert.DoesNotContain("usage", e.Message);
        }

        [Fact]
        public void Old_restore_message_is_recognised()
        {
            var (engine, runner) = Make();
            runner.Returns("Ops\n").Returns("ops@example.com\n");
            runner.Returns("", "error: cannot restore backup into db1. A database with that name already exists. Did you mean to supply --force?\n", 1);
            var e = Assert.Throws<DoltEngineException>(() => engine.RestoreBackupAsync("file:///b/db1", "db1", false, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.DatabaseExists, e.Kind);
            Assert.Equal("DatabaseExists", e.ErrorId);
        }

        [Fact]
        public void Timeout_and_missing_binary_and_cancellation_are_classified()
        {
            var (engine, runner) = Make();
            runner.Results.Enqueue(() => new ProcessResult { TimedOut = true, ExitCode = -1, StandardError = "partial" });
            var t = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "b", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.Timeout, t.Kind);
            Assert.Equal("OperationTimeout", t.ErrorId);

            runner.Throws(new Win32Exception(2, "No such file or directory"));
            var nf = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "b", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.DoltNotFound, nf.Kind);
            Assert.Contains("-DoltPath", nf.RecommendedAction);

            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var c = Assert.Throws<DoltEngineException>(() => engine.SyncBackupAsync("db1", "b", cts.Token).GetAwaiter().GetResult());
            Assert.Equal(DoltErrorKind.Cancelled, c.Kind);
        }

        [Fact]
        public void Lists_databases_from_the_data_dir_layout()
        {
            using var dir = new TempDir();
            foreach (var db in new[] { "zeta", "alpha", "my-db" })
            {
                Directory.CreateDirectory(dir.Combine(db, ".dolt", "noms"));
            }
            Directory.CreateDirectory(dir.Combine("not-a-db"));
            var engine = new CliDoltEngine(dir.Path, null, new RecordingProcessRunner(), TimeSpan.Zero);
            Assert.Equal(new[] { "alpha", "my-db", "zeta" }, engine.ListDatabasesAsync(CancellationToken.None).GetAwaiter().GetResult());
        }
    }
}
