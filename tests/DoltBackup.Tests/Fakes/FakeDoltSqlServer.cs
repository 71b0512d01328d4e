using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;

namespace DoltBackup.Tests.Fakes
{
    /// <summary>
    /// A stand-in for a Dolt sql-server at the SQL level, below <see cref="SqlDoltEngine"/> (an
    /// <see cref="ISqlSessionFactory"/>). NOT Dolt: it answers exactly the statements the engine sends, with the texts
    /// of dolt-transcripts.md, so the real engine code can be measured and its round trips counted. A round trip is one
    /// command on a connection: a query text (one or several statements: Dolt's default,
    /// <c>disable_client_multi_statements: false</c>), a <c>USE</c>, a pooled open (MySqlConnector resets a pooled
    /// connection with COM_RESET_CONNECTION, which Dolt answers by closing and recreating the session) or a new
    /// connection's handshake. The modelled server runs one command at a time (on the 2-core machine of issue 16,
    /// running 4 or 8 at once gave no gain), each costing <see cref="RoundTripLatency"/> plus the work of a sync or
    /// restore, summed in <see cref="ServerTime"/>.
    /// </summary>
    public sealed class FakeDoltSqlServer : ISqlSessionFactory
    {
        private readonly object _server = new object();
        private readonly Stack<Connection> _pool = new Stack<Connection>();
        private long _roundTrips;
        private long _connections;
        private long _statements;
        private long _serverTicks;
        private long _opens;

        /// <summary>One database: branch heads, tags, working-set hash and registered backups.</summary>
        public sealed class Database
        {
            public SortedDictionary<string, string> Branches { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public SortedDictionary<string, string> Tags { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
            public string WorkingHash { get; set; }
            public SortedDictionary<string, string> Backups { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

            public Database Copy()
            {
                var d = new Database { WorkingHash = WorkingHash };
                foreach (var kv in Branches) d.Branches[kv.Key] = kv.Value;
                foreach (var kv in Tags) d.Tags[kv.Key] = kv.Value;
                return d;
            }
        }

        /// <summary>The databases, by name (Dolt's names are case-sensitive here).</summary>
        public Dictionary<string, Database> Databases { get; } = new Dictionary<string, Database>(StringComparer.Ordinal);

        /// <summary>What each backup URL holds (a copy of the database at its last sync).</summary>
        public Dictionary<string, Database> Stores { get; } = new Dictionary<string, Database>(StringComparer.Ordinal);

        /// <summary>Time charged for every round trip.</summary>
        public TimeSpan RoundTripLatency { get; set; }

        /// <summary>Extra server time of a sync into a store that already holds an earlier sync.</summary>
        public TimeSpan IncrementalSyncWork { get; set; }

        /// <summary>Extra server time of a sync into an empty store.</summary>
        public TimeSpan FullSyncWork { get; set; }

        /// <summary>Extra server time of a restore.</summary>
        public TimeSpan RestoreWork { get; set; }

        /// <summary>False: a text of several statements is refused with a syntax error (as with <c>disable_client_multi_statements: true</c>).</summary>
        public bool MultiStatements { get; set; } = true;

        /// <summary>Called with each statement before it runs (outside the server's lock), for tests that act mid-run.</summary>
        public Action<string> BeforeStatement { get; set; }

        /// <summary>Counts for the report.</summary>
        public long RoundTrips => Interlocked.Read(ref _roundTrips);
        public long ConnectionsOpened => Interlocked.Read(ref _connections);

        /// <summary>Sessions handed out (<see cref="OpenAsync"/> calls: a new connection or a reset pooled one).</summary>
        public long Opens => Interlocked.Read(ref _opens);
        public long Statements => Interlocked.Read(ref _statements);

        /// <summary>The server's busy time since the last <see cref="ResetCounters"/>: the sum of every command's cost.</summary>
        public TimeSpan ServerTime => TimeSpan.FromTicks(Interlocked.Read(ref _serverTicks));

        /// <summary>Every statement run, with its session (a number per <see cref="OpenAsync"/>) and the current database at that moment.</summary>
        public List<(int Session, string Database, string Sql)> Log { get; } = new List<(int, string, string)>();

        /// <summary>Connections currently open (handed out or pooled).</summary>
        public int OpenConnections { get; private set; }

        /// <summary>Makes the next command on every open connection fail as a lost connection (the server restarted).</summary>
        public void DropAllConnections()
        {
            lock (_server)
            {
                _generation++;
                _pool.Clear();
            }
        }

        private int _generation;
        private int _nextId;

        /// <summary>Resets the counters.</summary>
        public void ResetCounters()
        {
            Interlocked.Exchange(ref _roundTrips, 0);
            Interlocked.Exchange(ref _connections, 0);
            Interlocked.Exchange(ref _statements, 0);
            Interlocked.Exchange(ref _serverTicks, 0);
            Interlocked.Exchange(ref _opens, 0);
            lock (_server)
            {
                Log.Clear();
            }
        }

        /// <summary>Adds a database with branches main and the given ones, and a working hash.</summary>
        public Database AddDatabase(string name, params string[] branches)
        {
            var d = new Database { WorkingHash = FakeDoltEngine.Hash("ws-" + name) };
            d.Branches["main"] = FakeDoltEngine.Hash(name + "/main");
            foreach (var b in branches)
            {
                d.Branches[b] = FakeDoltEngine.Hash(name + "/" + b);
            }
            lock (_server)
            {
                Databases[name] = d;
            }
            return d;
        }

        public string Endpoint => "bench@fake-dolt:3306";

        /// <summary>As MySqlConnector's pool: an idle pooled connection is reset (one round trip), else a new one is opened (a handshake); then USE.</summary>
        public async Task<ISqlSession> OpenAsync(string database, CancellationToken cancellationToken)
        {
            Connection c;
            lock (_server)
            {
                c = _pool.Count > 0 ? _pool.Pop() : null;
            }
            if (c == null)
            {
                Interlocked.Increment(ref _connections);
                c = new Connection(this, Interlocked.Increment(ref _nextId), _generation);
                lock (_server)
                {
                    OpenConnections++;
                }
                Charge(TimeSpan.Zero); // the handshake
            }
            else
            {
                Charge(TimeSpan.Zero); // COM_RESET_CONNECTION (Dolt keeps the current database)
            }
            var session = new Session(this, c, (int)Interlocked.Increment(ref _opens));
            if (!string.IsNullOrEmpty(database))
            {
                try
                {
                    await session.ExecuteAsync("USE " + SqlDoltEngine.QuoteIdentifier(database), Array.Empty<SqlParameterValue>(), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    session.Dispose();
                    throw;
                }
            }
            return session;
        }

        public DoltEngineException Translate(Exception exception, string operation)
        {
            if (exception is FakeSqlException f && f.Code == 1049)
            {
                return new DoltEngineException(DoltErrorKind.DatabaseNotFound, operation + ": " + f.Message, "DatabaseNotFound",
                    System.Management.Automation.ErrorCategory.ObjectNotFound, "Check the database name.", f.Message, f);
            }
            if (exception is FakeSqlException lost && lost.Code == 2013)
            {
                return new DoltEngineException(DoltErrorKind.Connection, operation + ": " + lost.Message, "ConnectionLost",
                    System.Management.Automation.ErrorCategory.ConnectionError, "Check the server and run again.", lost.Message, lost);
            }
            return DoltErrorParser.ToException(operation, exception.Message, exception);
        }

        /// <summary>
        /// One round trip: its cost is added to <see cref="ServerTime"/>, the busy time of a server that runs one command at
        /// a time (virtual time: nothing sleeps, so a loaded test machine does not blur the figures).
        /// </summary>
        private void Charge(TimeSpan work)
        {
            Interlocked.Increment(ref _roundTrips);
            Interlocked.Add(ref _serverTicks, (RoundTripLatency + work).Ticks);
        }

        /// <summary>A server error, with the MySQL error code Dolt uses.</summary>
        public sealed class FakeSqlException : Exception
        {
            public FakeSqlException(int code, string message) : base(message) => Code = code;
            public int Code { get; }
        }

        private sealed class Connection
        {
            public Connection(FakeDoltSqlServer owner, int id, int generation)
            {
                Owner = owner;
                Id = id;
                Generation = generation;
            }

            public FakeDoltSqlServer Owner { get; }
            public int Id { get; }
            public int Generation { get; }
            public string Current { get; set; }
        }

        private sealed class Session : ISqlSession
        {
            private readonly FakeDoltSqlServer _s;
            private readonly int _id;
            private Connection _c;

            public Session(FakeDoltSqlServer server, Connection connection, int id)
            {
                _s = server;
                _c = connection;
                _id = id;
            }

            public Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                var sets = Run(sql, parameters, cancellationToken);
                return Task.FromResult<IReadOnlyList<object[]>>(sets.LastOrDefault(r => r != null) ?? new List<object[]>());
            }

            public Task<IReadOnlyList<IReadOnlyList<object[]>>> QueryResultSetsAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
                => Task.FromResult<IReadOnlyList<IReadOnlyList<object[]>>>(Run(sql, parameters, cancellationToken).Where(r => r != null).ToList());

            public Task ExecuteAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                Run(sql, parameters, cancellationToken);
                return Task.CompletedTask;
            }

            private List<List<object[]>> Run(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken ct)
            {
                ct.ThrowIfCancellationRequested();
                if (_c == null)
                {
                    throw new ObjectDisposedException("session");
                }
                var statements = Split(sql);
                var args = (parameters ?? Array.Empty<SqlParameterValue>()).ToDictionary(p => p.Name, p => p.Value);
                if (_c.Generation != _s._generation)
                {
                    _s.Charge(TimeSpan.Zero);
                    throw new FakeSqlException(2013, "Lost connection to MySQL server during query");
                }
                if (statements.Count > 1 && !_s.MultiStatements)
                {
                    _s.Charge(TimeSpan.Zero);
                    throw new FakeSqlException(1105, "syntax error at position " + (statements[0].Length + 2) + " near ';'");
                }
                var results = new List<List<object[]>>();
                TimeSpan work = TimeSpan.Zero;
                try
                {
                    foreach (var st in statements)
                    {
                        _s.BeforeStatement?.Invoke(st);
                        ct.ThrowIfCancellationRequested();
                        Interlocked.Increment(ref _s._statements);
                        lock (_s._server)
                        {
                            _s.Log.Add((_id, _c.Current, st));
                            results.Add(Execute(st, args, ref work));
                        }
                    }
                }
                finally
                {
                    _s.Charge(work);
                }
                return results;
            }

            private static object Arg(Dictionary<string, object> args, string name)
                => args.TryGetValue(name, out var v) ? v : throw new FakeSqlException(1105, "missing parameter " + name);

            /// <summary>Runs one statement (under the server lock); null for a statement without a result set.</summary>
            private List<object[]> Execute(string st, Dictionary<string, object> args, ref TimeSpan work)
            {
                var dbs = _s.Databases;
                if (st.StartsWith("USE ", StringComparison.Ordinal))
                {
                    string name = Unquote(st.Substring(4));
                    if (!dbs.ContainsKey(name))
                    {
                        throw new FakeSqlException(1049, "database not found: " + name);
                    }
                    _c.Current = name;
                    return null;
                }
                if (st == "SHOW DATABASES")
                {
                    return new[] { "information_schema", "mysql" }.Concat(dbs.Keys).OrderBy(n => n, StringComparer.Ordinal).Select(n => new object[] { n }).ToList();
                }
                if (st == "SELECT dolt_version()")
                {
                    return new List<object[]> { new object[] { "2.2.2" } };
                }
                if (st == "SELECT dolt_hashof_db()")
                {
                    return new List<object[]> { new object[] { Current("").WorkingHash } };
                }
                if (TrySystemTable(st, "SELECT name, hash FROM ", "dolt_branches ORDER BY name", out var d1))
                {
                    return d1.Branches.Select(kv => new object[] { kv.Key, kv.Value }).ToList();
                }
                if (TrySystemTable(st, "SELECT tag_name, tag_hash FROM ", "dolt_tags ORDER BY tag_name", out var d2))
                {
                    return d2.Tags.Select(kv => new object[] { kv.Key, kv.Value }).ToList();
                }
                if (TrySystemTable(st, "SELECT name, url FROM ", "dolt_backups ORDER BY name", out var d3))
                {
                    return d3.Backups.Select(kv => new object[] { kv.Key, kv.Value }).ToList();
                }
                if (TrySystemTable(st, "SELECT name, url FROM ", "dolt_remotes ORDER BY name", out _))
                {
                    return new List<object[]>();
                }
                if (st.StartsWith("DROP DATABASE ", StringComparison.Ordinal))
                {
                    string name = Unquote(st.Substring("DROP DATABASE ".Length));
                    if (!dbs.Remove(name))
                    {
                        throw new FakeSqlException(1008, "can't drop database " + name + "; database doesn't exist");
                    }
                    if (_c.Current == name)
                    {
                        _c.Current = null;
                    }
                    return null;
                }
                var status = new List<object[]> { new object[] { 0 } };
                switch (st)
                {
                    case "CALL dolt_backup('add', @name, @url)":
                    {
                        var db = Current("empty database name");
                        string name = (string)Arg(args, "@name");
                        if (db.Backups.ContainsKey(name))
                        {
                            throw new FakeSqlException(1105, $"backup '{name}' already exists");
                        }
                        db.Backups[name] = (string)Arg(args, "@url");
                        return status;
                    }
                    case "CALL dolt_backup('remove', @name)":
                    {
                        var db = Current("empty database name");
                        string name = (string)Arg(args, "@name");
                        if (!db.Backups.Remove(name))
                        {
                            throw new FakeSqlException(1105, $"backup '{name}' not found");
                        }
                        return status;
                    }
                    case "CALL dolt_backup('sync', @name)":
                    {
                        var db = Current("empty database name");
                        string name = (string)Arg(args, "@name");
                        if (!db.Backups.TryGetValue(name, out var url))
                        {
                            throw new FakeSqlException(1105, $"backup '{name}' not found");
                        }
                        work += _s.Stores.ContainsKey(url) ? _s.IncrementalSyncWork : _s.FullSyncWork;
                        _s.Stores[url] = db.Copy();
                        return status;
                    }
                    case "CALL dolt_backup('restore', @url, @name)":
                    case "CALL dolt_backup('restore', '--force', @url, @name)":
                    {
                        string url = (string)Arg(args, "@url");
                        string name = (string)Arg(args, "@name");
                        if (dbs.ContainsKey(name) && !st.Contains("--force"))
                        {
                            throw new FakeSqlException(1105, $"database '{name}' already exists, use '--force' to overwrite");
                        }
                        if (!_s.Stores.TryGetValue(url, out var stored))
                        {
                            throw new FakeSqlException(1105, "not found");
                        }
                        work += _s.RestoreWork;
                        dbs[name] = stored.Copy();
                        return status;
                    }
                }
                throw new FakeSqlException(1105, "the fake Dolt server does not know this statement: " + st);
            }

            private Database Current(string error)
            {
                if (_c.Current == null || !_s.Databases.TryGetValue(_c.Current, out var db))
                {
                    throw new FakeSqlException(_c.Current == null && error.Length == 0 ? 1049 : 1105, error.Length == 0 ? "database not found: " : error);
                }
                return db;
            }

            /// <summary>"prefix [`db`.]table": the database named, or the current one ("no database selected" without one).</summary>
            private bool TrySystemTable(string st, string prefix, string table, out Database db)
            {
                db = null;
                if (!st.StartsWith(prefix, StringComparison.Ordinal) || !st.EndsWith(table, StringComparison.Ordinal))
                {
                    return false;
                }
                string qualifier = st.Substring(prefix.Length, st.Length - prefix.Length - table.Length);
                string name = qualifier.Length == 0 ? _c.Current : Unquote(qualifier.Substring(0, qualifier.Length - 1));
                if (name == null)
                {
                    throw new FakeSqlException(1105, "no database selected");
                }
                if (!_s.Databases.TryGetValue(name, out db))
                {
                    throw new FakeSqlException(1049, "database not found: " + name);
                }
                return true;
            }

            public bool IsBroken => _c == null || _c.Generation != _s._generation;

            public void Dispose()
            {
                var c = _c;
                _c = null;
                if (c != null)
                {
                    lock (_s._server)
                    {
                        if (c.Generation == _s._generation)
                        {
                            _s._pool.Push(c);
                        }
                        else
                        {
                            _s.OpenConnections--;
                        }
                    }
                }
            }
        }

        private static string Unquote(string quoted)
        {
            if (quoted.Length < 2 || quoted[0] != '`' || quoted[quoted.Length - 1] != '`')
            {
                throw new FakeSqlException(1105, "syntax error near " + quoted);
            }
            return quoted.Substring(1, quoted.Length - 2).Replace("``", "`");
        }

        /// <summary>Splits a text into statements at ';' outside quotes and backticks.</summary>
        internal static List<string> Split(string sql)
        {
            var list = new List<string>();
            var sb = new StringBuilder();
            char quote = '\0';
            foreach (char ch in sql)
            {
                if (quote != '\0')
                {
                    if (ch == quote)
                    {
                        quote = '\0';
                    }
                }
                else if (ch == '`' || ch == '\'' || ch == '"')
                {
                    quote = ch;
                }
                else if (ch == ';')
                {
                    Add();
                    continue;
                }
                sb.Append(ch);
            }
            Add();
            return list;

            void Add()
            {
                string s = sb.ToString().Trim();
                sb.Clear();
                if (s.Length > 0)
                {
                    list.Add(s);
                }
            }
        }
    }
}
