using System;
using System.Collections.Concurrent;
using DoltBackup.Engine;

namespace DoltBackup.Tests.Fakes
{
    /// <summary>
    /// Routes the cmdlets' engine requests to fake engines by server host name (or data directory), through the
    /// test-only <see cref="DoltEngineFactory.TestHook"/>. Unregistered hosts (a real MariaDB, say) get the real engine,
    /// so tests that run in parallel do not disturb each other.
    /// </summary>
    public static class FakeServers
    {
        private static readonly ConcurrentDictionary<string, FakeDoltEngine> Engines = new ConcurrentDictionary<string, FakeDoltEngine>(StringComparer.OrdinalIgnoreCase);
        private static readonly ConcurrentDictionary<string, DoltEngineRequest> LastRequests = new ConcurrentDictionary<string, DoltEngineRequest>(StringComparer.OrdinalIgnoreCase);

        static FakeServers()
        {
            DoltEngineFactory.TestHook = request =>
            {
                string key = request.IsOffline ? request.DataDir : request.Server?.Host;
                if (key != null && Engines.TryGetValue(key, out var engine))
                {
                    LastRequests[key] = request.Clone();
                    return new NonDisposingEngine(engine);
                }
                return null;
            };
        }

        /// <summary>Registers a fake under a fresh host name; returns the name to pass as -Server.</summary>
        public static string Register(FakeDoltEngine engine, string key = null)
        {
            key = key ?? "fake-" + Guid.NewGuid().ToString("N").Substring(0, 10);
            Engines[key] = engine;
            return key;
        }

        /// <summary>The last request the cmdlets made for a fake (password included, for delivery checks).</summary>
        public static DoltEngineRequest LastRequest(string key) => LastRequests.TryGetValue(key, out var r) ? r : null;

        /// <summary>The cmdlets dispose their engine; the test keeps using the fake afterwards.</summary>
        private sealed class NonDisposingEngine : IDoltEngine
        {
            private readonly FakeDoltEngine _inner;
            public NonDisposingEngine(FakeDoltEngine inner) => _inner = inner;
            public string Description => _inner.Description;
            public System.Threading.Tasks.Task<string> GetDoltVersionAsync(System.Threading.CancellationToken ct) => _inner.GetDoltVersionAsync(ct);
            public System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<string>> ListDatabasesAsync(System.Threading.CancellationToken ct) => _inner.ListDatabasesAsync(ct);
            public System.Threading.Tasks.Task<DatabaseState> GetDatabaseStateAsync(string d, System.Threading.CancellationToken ct) => _inner.GetDatabaseStateAsync(d, ct);
            public System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string d, System.Threading.CancellationToken ct) => _inner.ListBackupsAsync(d, ct);
            public System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string d, System.Threading.CancellationToken ct) => _inner.ListRemotesAsync(d, ct);
            public System.Threading.Tasks.Task AddBackupAsync(string d, string n, string u, System.Threading.CancellationToken ct) => _inner.AddBackupAsync(d, n, u, ct);
            public System.Threading.Tasks.Task RemoveBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _inner.RemoveBackupAsync(d, n, ct);
            public System.Threading.Tasks.Task SyncBackupAsync(string d, string n, System.Threading.CancellationToken ct) => _inner.SyncBackupAsync(d, n, ct);
            public System.Threading.Tasks.Task RestoreBackupAsync(string u, string d, bool f, System.Threading.CancellationToken ct) => _inner.RestoreBackupAsync(u, d, f, ct);
            public System.Threading.Tasks.Task DropDatabaseAsync(string d, System.Threading.CancellationToken ct) => _inner.DropDatabaseAsync(d, ct);
            public System.Threading.Tasks.Task PushBranchAsync(string d, string r, string b, System.Threading.CancellationToken ct) => _inner.PushBranchAsync(d, r, b, ct);
            public void Dispose()
            {
            }
        }
    }
}
