using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Manifest;

namespace DoltBackup.Tests.Fakes
{
    /// <summary>
    /// An in-memory stand-in for a Dolt sql-server, for orchestration tests. It is NOT Dolt: it keeps databases,
    /// registrations and backup destinations in memory and follows the behaviour dolt-reference §1-§2 and
    /// dolt-transcripts.md describe — Dolt's error strings (as a server reports them, "Error 1105 (HY000): ..."; no current
    /// database, unknown database, a restore URL with no backup, a push to an unknown remote), add of an existing name fails, a file://
    /// add creates the directory, a sync overwrites whatever the URL held (no lock), restore of an existing name fails
    /// unless force. Latency, failures and an unreachable server can be injected. A file:// sync writes the store as
    /// Dolt does: new immutable table files named by their hash, the manifest replaced by rename (see WriteFileStore).
    /// </summary>
    public sealed class FakeDoltEngine : IDoltEngine
    {
        private const string InvalidNameChars = " \t\n\r./\\!@#$%^&*(){}[],.<>'\"?=+|";
        private readonly object _lock = new object();
        private int _running;

        public FakeDoltEngine(FakeBackupStorage storage = null)
        {
            Storage = storage ?? new FakeBackupStorage();
        }

        public sealed class Db
        {
            public SortedDictionary<string, string> Branches { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public SortedDictionary<string, string> Tags { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public string WorkingHash { get; set; }
            public SortedDictionary<string, string> Backups { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public SortedDictionary<string, string> Remotes { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            /// <summary>The branch a new session has checked out (repo_state.json's head): the default branch.</summary>
            public string CheckedOut { get; set; } = "main";
            /// <summary>
            /// The database's data as NBS table files (none unless a test commits data): a sync to a file:// store
            /// writes the ones the store lacks, as Dolt does. A commit adds a new file; existing files never change.
            /// </summary>
            public List<TableFile> TableFiles { get; } = new List<TableFile>();

            /// <summary>
            /// A commit of about <paramref name="bytes"/> of new data on <paramref name="branch"/>: a new immutable table
            /// file (real NBS format, named by its hash), a new head and a new working-set hash.
            /// </summary>
            public TableFile Commit(long bytes, string branch = "main", int chunkSize = 4096)
            {
                var (name, count, data) = NbsTableFileWriter.Build(bytes, chunkSize, new Random(TableFiles.Count * 7919 + (int)(bytes % 100_000) + branch.Length));
                return AddTableFile(new TableFile { Name = name, ChunkCount = count, Bytes = data }, branch);
            }

            /// <summary>Adds a table file (in memory, or a file on disk for big data) as a commit on <paramref name="branch"/>.</summary>
            public TableFile AddTableFile(TableFile file, string branch = "main")
            {
                TableFiles.Add(file);
                Branches[branch] = Hash(branch + "/" + file.Name);
                WorkingHash = Hash("working/" + file.Name);
                return file;
            }
        }

        /// <summary>One immutable table file of a fake database: its bytes in memory, or the path of a file holding them.</summary>
        public sealed class TableFile
        {
            public string Name { get; set; }
            public int ChunkCount { get; set; }
            public byte[] Bytes { get; set; }
            public string SourcePath { get; set; }
        }

        /// <summary>A commit: hash, parents (first parent first), committer date (UTC), message.</summary>
        public sealed class FakeCommit
        {
            public string Hash { get; set; }
            public List<string> Parents { get; set; } = new List<string>();
            public DateTime DateUtc { get; set; }
            public string Message { get; set; }
        }

        /// <summary>Every commit, by hash (shared by all databases and stores, as content-addressed chunks are).</summary>
        public ConcurrentDictionary<string, FakeCommit> Commits { get; } = new ConcurrentDictionary<string, FakeCommit>(StringComparer.Ordinal);

        /// <summary>Makes a commit on <paramref name="branch"/> of <paramref name="db"/> (creating the branch from <paramref name="from"/>'s head when new), as dolt_commit('--date', ...) would.</summary>
        public string Commit(Db db, string branch, DateTime dateUtc, string message, string from = null)
        {
            var parents = new List<string>();
            if (db.Branches.TryGetValue(branch, out var head) || (from != null && db.Branches.TryGetValue(from, out head)))
            {
                parents.Add(head);
            }
            return Put(db, branch, parents, dateUtc, message);
        }

        /// <summary>A merge commit on <paramref name="into"/> whose second parent is <paramref name="other"/>'s head.</summary>
        public string Merge(Db db, string into, string other, DateTime dateUtc, string message)
            => Put(db, into, new List<string> { db.Branches[into], db.Branches[other] }, dateUtc, message);

        private string Put(Db db, string branch, List<string> parents, DateTime dateUtc, string message)
        {
            string hash = Hash(string.Join(",", parents) + "|" + dateUtc.Ticks + "|" + message);
            Commits[hash] = new FakeCommit { Hash = hash, Parents = parents, DateUtc = DateTime.SpecifyKind(dateUtc, DateTimeKind.Utc), Message = message };
            db.Branches[branch] = hash;
            db.WorkingHash = Hash("root/" + hash);
            return hash;
        }

        /// <summary>Puts a copy of <paramref name="db"/> (heads, tags, working hash) at a backup URL, as a sync does.</summary>
        public void SyncTo(string url, string database, Db db)
        {
            lock (_lock)
            {
                Storage.Put(url, database, db);
            }
        }

        public Dictionary<string, Db> Databases { get; } = new Dictionary<string, Db>(StringComparer.OrdinalIgnoreCase);
        public FakeBackupStorage Storage { get; }
        public string Version { get; set; } = "2.3.1";
        public TimeSpan SyncLatency { get; set; } = TimeSpan.Zero;
        /// <summary>Databases whose sync fails with this Dolt message.</summary>
        public ConcurrentDictionary<string, string> SyncFailures { get; } = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>
        /// Databases whose next sync loses its connection mid-statement (the server died or killed the session): the
        /// fake raises what SqlDoltEngine raises for MySqlConnector's "Failed to read the result set." and writes nothing.
        /// The injection is used up by that sync, so a later sync completes, as after a server restart.
        /// </summary>
        public ConcurrentDictionary<string, bool> SyncConnectionLost { get; } = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Simulates an unreachable server: every call fails as a refused connection.</summary>
        public bool Unreachable { get; set; }
        /// <summary>Every call, in order: "op db arg...".</summary>
        public ConcurrentQueue<string> Calls { get; } = new ConcurrentQueue<string>();
        public int MaxConcurrentSyncs { get; private set; }
        public int SyncsStarted;
        public bool Disposed { get; private set; }
        /// <summary>Raised when a sync starts (after it is counted).</summary>
        public event Action<string> SyncStarted;

        public string Description => "fake server";

        /// <summary>Adds a database with a main branch and, optionally, more branches and tags.</summary>
        public Db AddDatabase(string name, params string[] extraBranches)
        {
            var db = new Db { WorkingHash = Hash(name + "/working") };
            db.Branches["main"] = Hash(name + "/main");
            foreach (var b in extraBranches)
            {
                db.Branches[b] = Hash(name + "/" + b);
            }
            Databases[name] = db;
            return db;
        }

        public static string Hash(string seed)
        {
            const string alphabet = "0123456789abcdefghijklmnopqrstuv";
            using var sha = System.Security.Cryptography.SHA512.Create();
            var bytes = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(seed));
            return new string(Enumerable.Range(0, 32).Select(i => alphabet[bytes[i] % 32]).ToArray());
        }

        /// <summary>Called with each recorded call before it is carried out (tests throw from it to stop a run midway, as Ctrl+C does).</summary>
        public Action<string> OnCall { get; set; }

        private void Record(string call)
        {
            Calls.Enqueue(call);
            OnCall?.Invoke(call);
        }

        public IEnumerable<string> CallsOf(string op) => Calls.Where(c => c.StartsWith(op + " ", StringComparison.Ordinal));

        private void CheckReachable(string operation)
        {
            if (Unreachable)
            {
                throw new DoltEngineException(DoltErrorKind.Connection, operation + ": Nothing accepted the connection at fake:3306 (connection refused).", "ConnectionRefused",
                    System.Management.Automation.ErrorCategory.ConnectionError, "Check that dolt sql-server runs.");
            }
        }

        private static DoltEngineException DoltError(string operation, string message) => DoltErrorParser.ToException(operation, "Error 1105 (HY000): " + message);

        private Db Get(string database, string operation)
        {
            CheckReachable(operation);
            lock (_lock)
            {
                if (string.IsNullOrEmpty(database))
                {
                    // No current database (dolt-transcripts): dolt_backup() says "empty database name",
                    // dolt_hashof_db() "database not found: ", a system table "no database selected".
                    throw operation == "state" ? DoltErrorParser.ToException(operation, "Error 1049 (HY000): database not found: ")
                        : operation == "add" || operation == "remove" || operation == "sync" || operation == "push" ? DoltError(operation, "empty database name")
                        : DoltError(operation, "no database selected");
                }
                if (!Databases.TryGetValue(database, out var db))
                {
                    // What USE of an unknown database answers (ERROR 1049, Dolt's "database not found: x").
                    throw DoltErrorParser.ToException(operation, $"Error 1049 (HY000): database not found: {database}");
                }
                return db;
            }
        }

        public Task<string> GetDoltVersionAsync(CancellationToken ct)
        {
            CheckReachable("Reading the Dolt version");
            return Task.FromResult(Version);
        }

        public Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken ct)
        {
            CheckReachable("Listing databases");
            Record("list");
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<string>>(Databases.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList());
            }
        }

        public Task<DatabaseState> GetDatabaseStateAsync(string database, CancellationToken ct)
        {
            var db = Get(database, "state");
            Record("state " + database);
            lock (_lock)
            {
                return Task.FromResult(new DatabaseState
                {
                    Branches = db.Branches.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    Tags = db.Tags.Select(kv => new RefHead { Name = kv.Key, Hash = kv.Value }).ToList(),
                    WorkingSetHash = db.WorkingHash,
                });
            }
        }

        public Task<IReadOnlyList<DoltRemoteEntry>> ListBackupsAsync(string database, CancellationToken ct)
        {
            var db = Get(database, "list backups");
            Record("backups " + database);
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<DoltRemoteEntry>>(db.Backups.Select(kv => new DoltRemoteEntry(kv.Key, kv.Value)).ToList());
            }
        }

        public Task<IReadOnlyList<DoltRemoteEntry>> ListRemotesAsync(string database, CancellationToken ct)
        {
            var db = Get(database, "list remotes");
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<DoltRemoteEntry>>(db.Remotes.Select(kv => new DoltRemoteEntry(kv.Key, kv.Value)).ToList());
            }
        }

        public Task AddBackupAsync(string database, string name, string url, CancellationToken ct)
        {
            const string op = "add";
            var db = Get(database, op);
            Record($"add {database} {name} {url}");
            if (string.IsNullOrEmpty(name) || name.IndexOfAny(InvalidNameChars.ToCharArray()) >= 0)
            {
                throw DoltError(op, $"backup name '{name}' is invalid");
            }
            if (string.IsNullOrEmpty(url))
            {
                throw DoltError(op, "backup URL '' is invalid");
            }
            lock (_lock)
            {
                if (db.Backups.ContainsKey(name))
                {
                    throw DoltError(op, $"backup '{name}' already exists");
                }
                var clash = db.Backups.Concat(db.Remotes).FirstOrDefault(kv => kv.Value == url);
                if (clash.Key != null)
                {
                    throw DoltError(op, $"address conflict with a remote: '{clash.Key}' -> {url}");
                }
                db.Backups[name] = url;
            }
            if (url.StartsWith("file://", StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Storage.ServerPath(new Uri(url).LocalPath)); // as Dolt does (getAbsFileRemoteUrl), on the server's disk
            }
            return Task.CompletedTask;
        }

        public Task RemoveBackupAsync(string database, string name, CancellationToken ct)
        {
            var db = Get(database, "remove");
            Record($"remove {database} {name}");
            lock (_lock)
            {
                if (!db.Backups.Remove(name))
                {
                    throw DoltError("remove", $"backup '{name}' not found");
                }
            }
            return Task.CompletedTask;
        }

        public async Task SyncBackupAsync(string database, string name, CancellationToken ct)
        {
            var db = Get(database, "sync");
            Record($"sync {database} {name}");
            string url;
            lock (_lock)
            {
                if (!db.Backups.TryGetValue(name, out url))
                {
                    throw DoltError("sync", $"backup '{name}' not found");
                }
            }
            int now = Interlocked.Increment(ref _running);
            Interlocked.Increment(ref SyncsStarted);
            lock (_lock)
            {
                MaxConcurrentSyncs = Math.Max(MaxConcurrentSyncs, now);
            }
            try
            {
                SyncStarted?.Invoke(database);
                if (SyncLatency > TimeSpan.Zero)
                {
                    await Task.Delay(SyncLatency, ct).ConfigureAwait(false);
                }
                ct.ThrowIfCancellationRequested();
                if (SyncConnectionLost.TryRemove(database, out _))
                {
                    var lost = DoltBackup.Server.ServerErrorClassifier.Classify(new EndOfStreamException("Failed to read the result set."), "fake:3306", $"Syncing backup '{name}' of '{database}'");
                    throw DoltErrorParser.SyncInterrupted(DoltErrorParser.ConnectionLost(lost.Message, lost.RecommendedAction, new EndOfStreamException("Failed to read the result set.")), database, name);
                }
                if (SyncFailures.TryGetValue(database, out var message))
                {
                    throw DoltError("sync", message);
                }
                lock (_lock)
                {
                    // Dolt overwrites the destination's root, whoever wrote it before (no ownership lock).
                    Storage.Put(url, database, db);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public Task RestoreBackupAsync(string url, string database, bool force, CancellationToken ct)
        {
            CheckReachable("restore");
            Record($"restore {url} {database}{(force ? " --force" : "")}");
            var snapshot = Storage.Get(url) ?? throw DoltError($"Restoring '{database}' from {url}", "not found"); // a URL with no backup (dolt-transcripts), worded as SqlDoltEngine does
            lock (_lock)
            {
                if (Databases.ContainsKey(database) && !force)
                {
                    throw DoltError($"Restoring '{database}' from {url}", $"database '{database}' already exists, use '--force' to overwrite");
                }
                var db = new Db { WorkingHash = snapshot.WorkingHash };
                foreach (var kv in snapshot.Branches)
                {
                    db.Branches[kv.Key] = kv.Value;
                }
                foreach (var kv in snapshot.Tags)
                {
                    db.Tags[kv.Key] = kv.Value;
                }
                db.CheckedOut = db.Branches.ContainsKey("main") ? "main" : db.Branches.Keys.FirstOrDefault();
                Databases[database] = db; // no remotes, no backups (bats "no origin on restore")
            }
            return Task.CompletedTask;
        }

        /// <summary>DROP DATABASE: the database and its registrations go; an unknown name fails as Dolt reports it.</summary>
        public Task DropDatabaseAsync(string database, CancellationToken ct)
        {
            CheckReachable("drop");
            Record($"drop {database}");
            lock (_lock)
            {
                if (!Databases.Remove(database ?? ""))
                {
                    throw DoltErrorParser.ToException($"Dropping database '{database}'", $"Error 1008 (HY000): can't drop database {database}; database doesn't exist");
                }
            }
            return Task.CompletedTask;
        }

        public Task PushBranchAsync(string database, string remote, string branch, CancellationToken ct)
        {
            var db = Get(database, "push");
            Record($"push {database} {remote} {branch}");
            lock (_lock)
            {
                if (!db.Remotes.TryGetValue(remote, out var url))
                {
                    throw DoltError("push", $"fatal: remote '{remote}' not found.\nPlease make sure the remote exists.");
                }
                if (!db.Branches.ContainsKey(branch))
                {
                    throw DoltError("push", $"branch not found: '{branch}'");
                }
                Storage.PushBranch(url, branch, db.Branches[branch]);
            }
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<DoltCommit>> GetBranchLogAsync(string database, string branch, CancellationToken ct)
        {
            string op = $"Reading the history of branch '{branch}' of '{database}'";
            var db = Get(database, op);
            Record($"log {database} {branch}");
            string head;
            lock (_lock)
            {
                if (!db.Branches.TryGetValue(branch ?? "", out head))
                {
                    throw DoltError(op, "branch not found");
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var rows = new List<DoltCommit>();
            var stack = new Stack<string>();
            stack.Push(head);
            while (stack.Count > 0)
            {
                string h = stack.Pop();
                if (!seen.Add(h))
                {
                    continue;
                }
                if (!Commits.TryGetValue(h, out var c))
                {
                    throw DoltError(op, "could not find a value for this hash");
                }
                rows.Add(new DoltCommit(c.Hash, c.Parents.ToList(), c.DateUtc, "fake", c.Message));
                foreach (var p in c.Parents)
                {
                    stack.Push(p);
                }
            }
            return Task.FromResult<IReadOnlyList<DoltCommit>>(rows.OrderByDescending(r => r.DateUtc).ToList());
        }

        public Task<string> GetCheckedOutBranchAsync(string database, CancellationToken ct)
        {
            var db = Get(database, "active branch");
            Record($"active {database}");
            return Task.FromResult(db.CheckedOut);
        }

        public Task MoveBranchAsync(string database, string branch, string commit, CancellationToken ct)
        {
            string op = $"Moving branch '{branch}' of '{database}' to {commit}";
            var db = Get(database, op);
            Record($"move {database} {branch} {commit}");
            if (!Commits.ContainsKey(commit ?? ""))
            {
                throw DoltError(op, $"fatal: '{commit}' is not a commit and a branch '{branch}' cannot be created from it");
            }
            lock (_lock)
            {
                db.Branches[branch] = commit; // dolt_reset('--hard') for the checked-out branch, dolt_branch('-f') otherwise
                if (string.Equals(branch, db.CheckedOut, StringComparison.Ordinal))
                {
                    db.WorkingHash = Hash("root/" + commit); // a clean working set: the commit's root
                }
            }
            return Task.CompletedTask;
        }

        public Task DeleteBranchAsync(string database, string branch, CancellationToken ct)
        {
            string op = $"Deleting branch '{branch}' of '{database}'";
            var db = Get(database, op);
            Record($"delete-branch {database} {branch}");
            lock (_lock)
            {
                if (string.Equals(branch, db.CheckedOut, StringComparison.Ordinal))
                {
                    throw DoltError(op, $"Cannot delete checked out branch '{branch}'");
                }
                if (!db.Branches.Remove(branch ?? ""))
                {
                    throw DoltError(op, "branch not found");
                }
            }
            return Task.CompletedTask;
        }

        public Task DeleteTagAsync(string database, string tag, CancellationToken ct)
        {
            string op = $"Deleting tag '{tag}' of '{database}'";
            var db = Get(database, op);
            Record($"delete-tag {database} {tag}");
            lock (_lock)
            {
                if (!db.Tags.Remove(tag ?? ""))
                {
                    throw DoltError(op, "tag not found");
                }
            }
            return Task.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }

    /// <summary>The backup destinations the fake writes to (shared by several fake servers if wanted).</summary>
    public sealed class FakeBackupStorage
    {
        private readonly Dictionary<string, Snapshot> _stores = new Dictionary<string, Snapshot>(StringComparer.Ordinal);

        public sealed class Snapshot
        {
            public string SourceDatabase { get; set; }
            public Dictionary<string, string> Branches { get; set; } = new Dictionary<string, string>();
            public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
            public string WorkingHash { get; set; }
            public int Syncs { get; set; }
        }

        public Snapshot Get(string url)
        {
            lock (_stores)
            {
                if (_stores.TryGetValue(url, out var s))
                {
                    return s;
                }
            }
            return FromStoreFiles(url);
        }

        /// <summary>
        /// What each file:// store the fakes wrote holds, by the text of its `manifest` (process-wide). Real Dolt reads a
        /// store's refs from the chunks its manifest names; the fake does not write chunks, so a store copied elsewhere
        /// (downloaded from an object store, say) is recognised by its manifest, which names its lock (covering every
        /// ref), root and table files. A manifest the fakes never wrote is no store ("not found").
        /// </summary>
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Snapshot> ByManifest = new System.Collections.Concurrent.ConcurrentDictionary<string, Snapshot>(StringComparer.Ordinal);

        private static Snapshot FromStoreFiles(string url)
        {
            if (!url.StartsWith("file://", StringComparison.Ordinal))
            {
                return null;
            }
            string manifest = Path.Combine(new Uri(url).LocalPath, "manifest");
            if (!File.Exists(manifest))
            {
                return null;
            }
            var text = File.ReadAllText(manifest);
            if (!ByManifest.TryGetValue(text, out var known))
            {
                return null;
            }
            var spec = text.Split(':');
            for (int i = 5; i + 1 < spec.Length; i += 2)
            {
                string dir = Path.GetDirectoryName(manifest);
                if (!File.Exists(Path.Combine(dir, spec[i])) && !File.Exists(Path.Combine(dir, spec[i] + ".darc")))
                {
                    return null; // a table file is missing: Dolt fails to open the store
                }
            }
            return known;
        }

        /// <summary>
        /// A server on another host: file:// paths are on ITS disk, which this folder stands for (a path /a/b is
        /// written as &lt;root&gt;/a/b). Null (default): the server runs on this machine.
        /// </summary>
        public string ServerFileSystemRoot { get; set; }

        /// <summary>Where the server writes a file:// path (see <see cref="ServerFileSystemRoot"/>).</summary>
        public string ServerPath(string path)
            => ServerFileSystemRoot == null ? path : Path.Combine(ServerFileSystemRoot, path.TrimStart('/', '\\').Replace(":", ""));

        internal void Put(string url, string database, FakeDoltEngine.Db db)
        {
            lock (_stores)
            {
                int syncs = _stores.TryGetValue(url, out var old) ? old.Syncs : 0;
                _stores[url] = new Snapshot
                {
                    SourceDatabase = database, Branches = new Dictionary<string, string>(db.Branches), Tags = new Dictionary<string, string>(db.Tags),
                    WorkingHash = db.WorkingHash, Syncs = syncs + 1,
                };
            }
            if (url.StartsWith("file://", StringComparison.Ordinal))
            {
                string text = WriteFileStore(ServerPath(new Uri(url).LocalPath), db);
                ByManifest[text] = new Snapshot
                {
                    SourceDatabase = database, Branches = new Dictionary<string, string>(db.Branches), Tags = new Dictionary<string, string>(db.Tags),
                    WorkingHash = db.WorkingHash, Syncs = 1,
                };
            }
        }

        /// <summary>
        /// Writes a file:// store the way Dolt 2.2.2 does (dolt-reference §6, "Measured on Dolt 2.2.2"): oldgen/ and an
        /// empty LOCK are created when missing and never rewritten; each table file the store lacks is written to a
        /// temporary nbs_table_* file and renamed to its hash (a file that exists is never opened for writing); the
        /// manifest is written to nbs_manifest_* and renamed over the old one (a new inode, so a hard-linked copy of
        /// the old manifest keeps its content). It is a fake: it does not walk chunks, it copies whole files.
        /// </summary>
        private static string WriteFileStore(string dir, FakeDoltEngine.Db db)
        {
            Directory.CreateDirectory(Path.Combine(dir, "oldgen"));
            string lockFile = Path.Combine(dir, "LOCK");
            if (!File.Exists(lockFile))
            {
                File.WriteAllBytes(lockFile, Array.Empty<byte>());
            }
            List<FakeDoltEngine.TableFile> tables;
            lock (db)
            {
                tables = db.TableFiles.ToList();
            }
            foreach (var t in tables)
            {
                string final = Path.Combine(dir, t.Name);
                if (File.Exists(final))
                {
                    continue;
                }
                string temp = Path.Combine(dir, "nbs_table_" + Guid.NewGuid().ToString("N").Substring(0, 12));
                if (t.SourcePath != null)
                {
                    File.Copy(t.SourcePath, temp);
                }
                else
                {
                    File.WriteAllBytes(temp, t.Bytes);
                }
                File.Move(temp, final);
            }
            string specs = string.Concat(tables.Select(t => ":" + t.Name + ":" + t.ChunkCount));
            // The lock covers the refs too (in Dolt the root names them), so two stores with other heads never share a manifest.
            string refs = string.Concat(db.Branches.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => "b" + b.Key + "=" + b.Value))
                          + string.Concat(db.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => "t" + t.Key + "=" + t.Value));
            string text = "5:__DOLT__:" + FakeDoltEngine.Hash("lock/" + db.WorkingHash + specs + refs) + ":" + db.WorkingHash + ":00000000000000000000000000000000" + specs;
            string tempManifest = Path.Combine(dir, "nbs_manifest_" + Guid.NewGuid().ToString("N").Substring(0, 12));
            File.WriteAllText(tempManifest, text);
            File.Move(tempManifest, Path.Combine(dir, "manifest"), overwrite: true);
            return text;
        }

        internal void PushBranch(string url, string branch, string hash)
        {
            lock (_stores)
            {
                if (!_stores.TryGetValue(url, out var s))
                {
                    _stores[url] = s = new Snapshot();
                }
                s.Branches[branch] = hash;
            }
        }
    }
}
