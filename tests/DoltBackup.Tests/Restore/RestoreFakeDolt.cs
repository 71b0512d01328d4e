using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Tests.Restore
{
    /// <summary>
    /// An in-memory stand-in for the Dolt a restore talks to. It is NOT Dolt: it keeps databases and backup stores in
    /// memory and follows dolt-reference §1-§2 for restore: an unknown URL fails, an existing name fails with Dolt's
    /// "already exists, use '--force' to overwrite" unless force, and force moves the existing database aside (as Dolt
    /// moves it to .dolt_dropped_databases/). Restore failures, state-read failures and an unreachable server can be
    /// injected. Every call is recorded, so tests can prove that -WhatIf or a refusal changed nothing.
    /// </summary>
    public sealed class RestoreFakeDolt : IDoltEngine
    {
        private readonly object _lock = new object();

        public sealed class Db
        {
            public SortedDictionary<string, string> Branches { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public SortedDictionary<string, string> Tags { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public string WorkingHash { get; set; }
            public string Origin { get; set; }

            public Db Copy()
            {
                var d = new Db { WorkingHash = WorkingHash, Origin = Origin };
                foreach (var kv in Branches) d.Branches[kv.Key] = kv.Value;
                foreach (var kv in Tags) d.Tags[kv.Key] = kv.Value;
                return d;
            }
        }

        /// <summary>The server's databases (Dolt resolves names case-insensitively).</summary>
        public Dictionary<string, Db> Databases { get; } = new Dictionary<string, Db>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Backup stores by URL.</summary>
        public Dictionary<string, Db> Stores { get; } = new Dictionary<string, Db>(StringComparer.Ordinal);

        /// <summary>Databases replaced by a forced restore, in order (Dolt keeps them in .dolt_dropped_databases/).</summary>
        public List<(string Name, Db Db)> Dropped { get; } = new List<(string, Db)>();

        /// <summary>Target names whose restore fails with the given Dolt message.</summary>
        public ConcurrentDictionary<string, string> RestoreFailures { get; } = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Databases whose state cannot be read after the restore.</summary>
        public HashSet<string> StateFailures { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Every call fails as a refused connection.</summary>
        public bool Unreachable { get; set; }

        /// <summary>Every call, in order: "list", "restore URL NAME [--force]", "state NAME".</summary>
        public ConcurrentQueue<string> Calls { get; } = new ConcurrentQueue<string>();

        public bool Disposed { get; private set; }

        public string Description => "fake server";

        public IEnumerable<string> Restores => Calls.Where(c => c.StartsWith("restore ", StringComparison.Ordinal));

        public static string Hash(string seed)
        {
            const string alphabet = "0123456789abcdefghijklmnopqrstuv";
            using var sha = System.Security.Cryptography.SHA256.Create();
            var bytes = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(seed));
            return new string(Enumerable.Range(0, 32).Select(i => alphabet[bytes[i] % 32]).ToArray());
        }

        /// <summary>Puts a backup store at <paramref name="url"/> with main (and more branches), one tag and a working hash.</summary>
        public Db AddStore(string url, string seed, params string[] extraBranches)
        {
            var db = new Db { WorkingHash = Hash(seed + "/working"), Origin = url };
            db.Branches["main"] = Hash(seed + "/main");
            foreach (var b in extraBranches)
            {
                db.Branches[b] = Hash(seed + "/" + b);
            }
            db.Tags["v1"] = Hash(seed + "/v1");
            Stores[url] = db;
            return db;
        }

        public Db AddDatabase(string name, string seed)
        {
            var db = new Db { WorkingHash = Hash(seed + "/working"), Origin = "live" };
            db.Branches["main"] = Hash(seed + "/main");
            Databases[name] = db;
            return db;
        }

        private void CheckReachable(string operation)
        {
            if (Unreachable)
            {
                throw new DoltEngineException(DoltErrorKind.Connection, operation + ": Nothing accepted the connection at fake:3306 (connection refused).", "ConnectionRefused",
                    System.Management.Automation.ErrorCategory.ConnectionError, "Check that dolt sql-server runs.");
            }
        }

        private static DoltEngineException DoltError(string operation, string message) => DoltErrorParser.ToException(operation, "Error 1105 (HY000): " + message);

        public Task<string> GetDoltVersionAsync(CancellationToken ct) => Task.FromResult("2.3.1");

        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken ct)
        {
            CheckReachable("Listing databases");
            Calls.Enqueue("list");
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<string>>(Databases.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList());
            }
        }

        public Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken ct)
        {
            CheckReachable("state");
            Calls.Enqueue("state " + database);
            lock (_lock)
            {
                if (StateFailures.Contains(database))
                {
                    throw DoltError("Reading the state of " + database, "table not found: dolt_branches");
                }
                if (!Databases.TryGetValue(database, out var db))
                {
                    throw DoltErrorParser.ToException("state", $"Error 1049 (HY000): database not found: {database}");
                }
                return Task.FromResult(new DatabaseState
                {
                    Branches = db.Branches.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    Tags = db.Tags.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    WorkingSetHash = db.WorkingHash,
                });
            }
        }

        public Task RestoreBackupAsync(string url, string database, bool force, CancellationToken ct)
        {
            CheckReachable("restore");
            Calls.Enqueue($"restore {url} {database}{(force ? " --force" : "")}");
            lock (_lock)
            {
                if (RestoreFailures.TryGetValue(database, out string message))
                {
                    throw DoltError($"Restoring '{database}' from {url}", message);
                }
                if (!Stores.TryGetValue(url, out var store))
                {
                    throw DoltError($"Restoring '{database}' from {url}", "not found"); // a URL with no backup (dolt-transcripts)
                }
                if (Databases.TryGetValue(database, out var existing))
                {
                    if (!force)
                    {
                        throw DoltError($"Restoring '{database}' from {url}", $"database '{database}' already exists, use '--force' to overwrite");
                    }
                    Dropped.Add((database, existing));
                    Databases.Remove(database);
                }
                Databases[database] = store.Copy();
            }
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task AddBackupAsync(string database, string name, string url, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task RemoveBackupAsync(string database, string name, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task SyncBackupAsync(string database, string name, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task DropDatabaseAsync(string database, CancellationToken ct)
        {
            CheckReachable("drop");
            Calls.Enqueue("drop " + database);
            lock (_lock)
            {
                if (!Databases.TryGetValue(database, out var db))
                {
                    throw DoltErrorParser.ToException($"Dropping database '{database}'", $"Error 1008 (HY000): can't drop database {database}; database doesn't exist");
                }
                Databases.Remove(database);
                Dropped.Add((database, db));
            }
            return Task.CompletedTask;
        }

        public Task PushBranchAsync(string database, string remote, string branch, CancellationToken ct) => throw new NotSupportedException("not used by restore");
        public Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken ct) => throw new NotSupportedException("point-in-time tests use FakeDoltEngine");
        public Task<string> GetCheckedOutBranchAsync(string database, CancellationToken ct) => throw new NotSupportedException("point-in-time tests use FakeDoltEngine");
        public Task MoveBranchAsync(string database, string branch, string commit, CancellationToken ct) => throw new NotSupportedException("point-in-time tests use FakeDoltEngine");
        public Task DeleteBranchAsync(string database, string branch, CancellationToken ct) => throw new NotSupportedException("point-in-time tests use FakeDoltEngine");
        public Task DeleteTagAsync(string database, string tag, CancellationToken ct) => throw new NotSupportedException("point-in-time tests use FakeDoltEngine");

        public void Dispose() => Disposed = true;
    }
}
