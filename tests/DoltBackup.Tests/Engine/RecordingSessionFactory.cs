using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;
using DoltBackup.Tests.Fakes;

namespace DoltBackup.Tests.Engine
{
    /// <summary>
    /// Records every statement (the session's current database, SQL text, parameters) and answers queries from a script.
    /// A text of several statements is split as a server would run it; a USE sets the session's database and is
    /// recorded in <see cref="Uses"/>. Not Dolt.
    /// </summary>
    public sealed class RecordingSessionFactory : ISqlSessionFactory
    {
        public List<(string Database, string Sql, (string Name, object Value)[] Parameters)> Statements { get; } = new List<(string, string, (string, object)[])>();
        public Dictionary<string, List<object[]>> Answers { get; } = new Dictionary<string, List<object[]>>();

        /// <summary>Every USE, by database.</summary>
        public List<string> Uses { get; } = new List<string>();

        /// <summary>Round trips (calls on a session) and sessions opened.</summary>
        public int RoundTrips { get; private set; }
        public int Opened { get; private set; }

        public string Endpoint => "u@fake:3306";

        public Task<ISqlSession> OpenAsync(string database, CancellationToken cancellationToken)
        {
            Opened++;
            return Task.FromResult<ISqlSession>(new Session(this, database));
        }

        public DoltEngineException Translate(Exception exception, string operation) => DoltErrorParser.ToException(operation, exception.Message, exception);

        private sealed class Session : ISqlSession
        {
            private readonly RecordingSessionFactory _owner;
            private string _db;

            public Session(RecordingSessionFactory owner, string db)
            {
                _owner = owner;
                _db = db;
            }

            private List<List<object[]>> Run(string sql, IReadOnlyList<SqlParameterValue> p)
            {
                _owner.RoundTrips++;
                var sets = new List<List<object[]>>();
                foreach (var st in FakeDoltSqlServer.Split(sql))
                {
                    if (st.StartsWith("USE `", StringComparison.Ordinal))
                    {
                        _db = st.Substring(5, st.Length - 6).Replace("``", "`");
                        _owner.Uses.Add(_db);
                        continue;
                    }
                    _owner.Statements.Add((_db, st, p.Select(x => (x.Name, x.Value)).ToArray()));
                    sets.Add(_owner.Answers.TryGetValue(st, out var rows) ? rows : new List<object[]>());
                }
                return sets;
            }

            public Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
                => Task.FromResult<IReadOnlyList<object[]>>(Run(sql, parameters).LastOrDefault() ?? new List<object[]>());

            public Task<IReadOnlyList<IReadOnlyList<object[]>>> QueryResultSetsAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
                => Task.FromResult<IReadOnlyList<IReadOnlyList<object[]>>>(Run(sql, parameters));

            public Task ExecuteAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                Run(sql, parameters);
                return Task.CompletedTask;
            }

            public bool IsBroken => false;

            public void Dispose()
            {
            }
        }
    }
}
