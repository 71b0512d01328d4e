using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// The one narrow seam for everything only Dolt can do: listing databases, reading their state, managing and
    /// syncing <c>dolt_backup()</c> remotes, restoring, and pushing. Two implementations exist: <see cref="SqlDoltEngine"/>
    /// (a running sql-server, over MySqlConnector) and <see cref="CliDoltEngine"/> (the dolt CLI on an offline data
    /// directory). Every failure is raised as a <see cref="DoltEngineException"/>. Implementations are thread-safe:
    /// callers run several databases at once, and each call uses its own connection or process.
    /// </summary>
    public interface IDoltEngine : IDisposable
    {
        /// <summary>What the engine talks to, for messages and manifests (for example "server 127.0.0.1:3306"). Never holds a secret.</summary>
        string Description { get; }

        /// <summary>The Dolt version (<c>SELECT dolt_version()</c>, or <c>dolt version</c>).</summary>
        Task<string> GetDoltVersionAsync(CancellationToken cancellationToken);

        /// <summary>Every user database, sorted by name; never information_schema, mysql, performance_schema or sys.</summary>
        Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken);

        /// <summary>Branch heads (<c>dolt_branches</c>), tags (<c>dolt_tags</c>) and <c>dolt_hashof_db()</c> of one database.</summary>
        Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken cancellationToken);

        /// <summary>The backups registered in one database (<c>dolt_backups</c>, or <c>dolt backup -v</c>), sorted by name.</summary>
        Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken cancellationToken);

        /// <summary>The remotes configured in one database (<c>dolt_remotes</c>).</summary>
        Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken cancellationToken);

        /// <summary><c>dolt_backup('add', name, url)</c> in <paramref name="database"/>.</summary>
        Task AddBackupAsync(string database, string name, string url, CancellationToken cancellationToken);

        /// <summary><c>dolt_backup('remove', name)</c> in <paramref name="database"/>.</summary>
        Task RemoveBackupAsync(string database, string name, CancellationToken cancellationToken);

        /// <summary><c>dolt_backup('sync', name)</c> in <paramref name="database"/>: the destination's root is overwritten to match.</summary>
        Task SyncBackupAsync(string database, string name, CancellationToken cancellationToken);

        /// <summary>
        /// <c>dolt_backup('restore', [--force,] url, database)</c>: creates <paramref name="database"/> from a backup URL.
        /// Without <paramref name="force"/> Dolt refuses an existing database; with it, the existing one is dropped
        /// first (a Dolt database is moved to .dolt_dropped_databases).
        /// </summary>
        Task RestoreBackupAsync(string url, string database, bool force, CancellationToken cancellationToken);

        /// <summary>
        /// <c>DROP DATABASE `name`</c> (the identifier quoted, backticks doubled): removes a database, for example the
        /// scratch copy of a restore test. Dolt moves a dropped database to .dolt_dropped_databases/.
        /// </summary>
        Task DropDatabaseAsync(string database, CancellationToken cancellationToken);

        /// <summary><c>dolt_push(remote, branch)</c> in <paramref name="database"/>: committed data of one branch only.</summary>
        Task PushBranchAsync(string database, string remote, string branch, CancellationToken cancellationToken);

        /// <summary>
        /// Every commit reachable from <paramref name="branch"/>, with parents and dates:
        /// <c>SELECT commit_hash, committer, date, message, parents FROM dolt_log('--parents', branch)</c> (one query).
        /// An unknown branch fails as Dolt reports it ("branch not found").
        /// </summary>
        Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken cancellationToken);

        /// <summary>The branch a new session on <paramref name="database"/> has checked out (<c>SELECT active_branch()</c>): its default branch.</summary>
        Task<string> GetCheckedOutBranchAsync(string database, CancellationToken cancellationToken);

        /// <summary>
        /// Points <paramref name="branch"/> at <paramref name="commit"/> and leaves its working set clean (equal to that
        /// commit): <c>dolt_reset('--hard', commit)</c> when it is the branch the session has checked out (the database's
        /// default branch), else <c>dolt_branch('-f', branch, commit)</c>.
        /// </summary>
        Task MoveBranchAsync(string database, string branch, string commit, CancellationToken cancellationToken);

        /// <summary><c>dolt_branch('-D', branch)</c>: deletes a branch (Dolt refuses the checked-out or default branch).</summary>
        Task DeleteBranchAsync(string database, string branch, CancellationToken cancellationToken);

        /// <summary><c>dolt_tag('-d', tag)</c>: deletes a tag.</summary>
        Task DeleteTagAsync(string database, string tag, CancellationToken cancellationToken);
    }
}
