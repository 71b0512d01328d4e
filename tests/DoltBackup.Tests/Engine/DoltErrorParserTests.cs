#pragma warning disable xUnit1031 // synchronous waits on the engine's tasks are deliberate: no synchronization context here
using DoltBackup.Engine;
using Xunit;

namespace DoltBackup.Tests.Engine
{
    public class DoltErrorParserTests
    {
        [Theory]
        // Current strings (dolt-reference §1), bare, with the CLI's "error: " and through a server.
        [InlineData("backup 'bac1' not found", DoltErrorKind.BackupNotFound)]
        [InlineData("Error 1105 (HY000): backup 'bac1' not found", DoltErrorKind.BackupNotFound)]
        [InlineData("backup 'bac1' already exists", DoltErrorKind.BackupAlreadyExists)]
        [InlineData("backup name 'a.b' is invalid", DoltErrorKind.InvalidName)]
        [InlineData("address conflict with a remote: 'bac1' -> file:///backups/bac1", DoltErrorKind.AddressConflict)]
        [InlineData("backup URL '' is invalid", DoltErrorKind.InvalidUrl)]
        [InlineData("database 'repo2' already exists, use '--force' to overwrite", DoltErrorKind.DatabaseExists)]
        [InlineData("empty database name", DoltErrorKind.DatabaseNotFound)]
        [InlineData("`u`@`h` does not have the correct permissions on branch `main`", DoltErrorKind.PrivilegeMissing)]
        // What Dolt 2.2.2 answered (dolt-transcripts.md), as MySqlConnector or the CLI passes it on.
        [InlineData("database 'sales' already exists, use '--force' to overwrite", DoltErrorKind.DatabaseExists)]
        [InlineData("database not found: ", DoltErrorKind.DatabaseNotFound)]
        [InlineData("no database selected", DoltErrorKind.DatabaseNotFound)]
        [InlineData("command denied to user 'plain'@'%'", DoltErrorKind.PrivilegeMissing)]
        [InlineData("fatal: remote 'origin' not found.\nPlease make sure the remote exists.", DoltErrorKind.RemoteNotFound)]
        [InlineData("Error 1105 (HY000): `__dolt_local_user__`@`localhost` does not have the correct permissions on branch `main`", DoltErrorKind.PrivilegeMissing)]
        // Pre-1.78.5 strings.
        [InlineData("error: unknown backup: 'bac1' ", DoltErrorKind.BackupNotFound)]
        [InlineData("error: unknown backup: 'backup'; map[]", DoltErrorKind.BackupNotFound)]
        [InlineData("error: a backup named 'x' already exists.", DoltErrorKind.BackupAlreadyExists)]
        [InlineData("error: cannot restore backup into X. A database with that name already exists. Did you mean to supply --force?", DoltErrorKind.DatabaseExists)]
        [InlineData("database \"db1\" is locked by another dolt process; either clone the database to run a second server, or stop the dolt process which currently holds an exclusive write lock on the database", DoltErrorKind.Locked)]
        [InlineData("AWS parameters are unavailable when running in server mode", DoltErrorKind.Other)]
        public void Classifies_Dolt_messages(string message, DoltErrorKind kind)
        {
            Assert.Equal(kind, DoltErrorParser.Classify(DoltErrorParser.Clean(message)));
        }

        [Fact]
        public void Clean_drops_the_server_and_cli_prefixes()
        {
            Assert.Equal("backup 'bac1' not found", DoltErrorParser.Clean("Error 1105 (HY000): backup 'bac1' not found"));
            Assert.Equal("unknown backup: 'bac1'", DoltErrorParser.Clean("error: unknown backup: 'bac1' "));
        }

        [Fact]
        public void ToException_carries_id_category_action_and_Dolts_message()
        {
            var e = DoltErrorParser.ToException("Syncing backup 'b' of 'db1'", "Error 1105 (HY000): backup 'b' not found", exitCode: 1);
            Assert.Equal(DoltErrorKind.BackupNotFound, e.Kind);
            Assert.Equal("BackupNotRegistered", e.ErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, e.Category);
            Assert.Equal("Syncing backup 'b' of 'db1': backup 'b' not found", e.Message);
            Assert.Equal("backup 'b' not found", e.DoltMessage);
            Assert.Equal(1, e.ExitCode);
            Assert.Contains("New-DoltBackup", e.RecommendedAction);
            Assert.False(e.IsConnectionLevel);
        }
    }
}
