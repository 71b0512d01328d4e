using System.Collections.Generic;

namespace DoltBackup.Engine
{
    /// <summary>
    /// Lends an engine to code that disposes what it is given (a cmdlet, a restore engine) without handing over the
    /// engine's lifetime: every call is forwarded, Dispose does nothing.
    /// </summary>
    public sealed class NonOwningDoltEngine : IDoltEngine, ICommitIdentityEngine
    {
        private readonly IDoltEngine _e;
        /// <summary>Wraps <paramref name="e"/>.</summary>
        public NonOwningDoltEngine(IDoltEngine e) => _e = e;
        public string Description => _e.Description;
        public System.Threading.Tasks.Task<string> GetDoltVersionAsync(System.Threading.CancellationToken ct) => _e.GetDoltVersionAsync(ct);
        public System.Threading.Tasks.Task<IReadOnlyList<string>> ListDatabasesAsync(System.Threading.CancellationToken ct) => _e.ListDatabasesAsync(ct);
        public System.Threading.Tasks.Task<DatabaseState> GetDatabaseStateAsync(string d, System.Threading.CancellationToken ct) => _e.GetDatabaseStateAsync(d, ct);
        public System.Threading.Tasks.Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string d, System.Threading.CancellationToken ct) => _e.ListBackupsAsync(d, ct);
        public System.Threading.Tasks.Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string d, System.Threading.CancellationToken ct) => _e.ListRemotesAsync(d, ct);
        public System.Threading.Tasks.Task AddBackupAsync(string d, string n, string u, System.Threading.CancellationToken ct) => _e.AddBackupAsync(d, n, u, ct);
        public System.Threading.Tasks.Task RemoveBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _e.RemoveBackupAsync(d, n, ct);
        public System.Threading.Tasks.Task SyncBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _e.SyncBackupAsync(d, n, ct);
        public System.Threading.Tasks.Task RestoreBackupAsync(string u, string d, bool f, System.Threading.CancellationToken ct) => _e.RestoreBackupAsync(u, d, f, ct);
        public System.Threading.Tasks.Task DropDatabaseAsync(string d, System.Threading.CancellationToken ct) => _e.DropDatabaseAsync(d, ct);
        public System.Threading.Tasks.Task PushBranchAsync(string d, string r, string b, System.Threading.CancellationToken ct) => _e.PushBranchAsync(d, r, b, ct);
        public System.Threading.Tasks.Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string d, string b, System.Threading.CancellationToken ct) => _e.GetBranchLogAsync(d, b, ct);
        public System.Threading.Tasks.Task<string> GetCheckedOutBranchAsync(string d, System.Threading.CancellationToken ct) => _e.GetCheckedOutBranchAsync(d, ct);
        public System.Threading.Tasks.Task MoveBranchAsync(string d, string b, string c, System.Threading.CancellationToken ct) => _e.MoveBranchAsync(d, b, c, ct);
        public System.Threading.Tasks.Task DeleteBranchAsync(string d, string b, System.Threading.CancellationToken ct) => _e.DeleteBranchAsync(d, b, ct);
        public System.Threading.Tasks.Task DeleteTagAsync(string d, string t, System.Threading.CancellationToken ct) => _e.DeleteTagAsync(d, t, ct);
        public System.Threading.Tasks.Task<DoltCommitIdentity> GetCommitIdentityAsync(System.Threading.CancellationToken ct)
            => _e is ICommitIdentityEngine c ? c.GetCommitIdentityAsync(ct) : System.Threading.Tasks.Task.FromResult<DoltCommitIdentity>(null);
        public void Dispose()
        {
        }
    }
}
