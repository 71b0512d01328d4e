using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DoltBackup.Engine;

namespace DoltBackup.Tests.Engine
{
    /// <summary>Records every statement (database, SQL text, parameters) and answers queries from a script. Not Dolt.</summary>
    public sealed class RecordingSessionFactory : ISqlSessionFactory
    {
        public List<(string Database, string Sql, (string Name, object Value)[] Parameters)> Statements { get; } = new List<(string, string, (string, object)[])>();
        public Dictionary<string, List<object[]>> Answers { get; } = new Dictionary<string, List<object[]>>();

        public string Endpoint => "u@fake:3306";

        public Task<ISqlSession> OpenAsync(string database, CancellationToken cancellationToken) => Task.FromResult<ISqlSession>(new Session(this, database));

        public DoltEngineException Translate(Exception exception, string operation) => DoltErrorParser.ToException(operation, exception.Message, exception);

        private sealed class Session : ISqlSession
        {
            private readonly RecordingSessionFactory _owner;
            private readonly string _db;

            public Session(RecordingSessionFactory owner, string db)
            {
                _owner = owner;
                _db = db;
            }

            private void Record(string sql, IReadOnlyList<SqlParameterValue> p)
                => _owner.Statements.Add((_db, sql, p.Select(x => (x.Name, x.Value)).ToArray()));

            public Task<IReadOnlyList<object[]>> QueryAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                Record(sql, parameters);
                return Task.FromResult<IReadOnlyList<object[]>>(_owner.Answers.TryGetValue(sql, out var rows) ? rows : new List<object[]>());
            }

            public Task ExecuteAsync(string sql, IReadOnlyList<SqlParameterValue> parameters, CancellationToken cancellationToken)
            {
                Record(sql, parameters);
                return Task.CompletedTask;
            }

            public void Dispose()
            {
            }
        }
    }
}
