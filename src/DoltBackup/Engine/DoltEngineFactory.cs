using System;
using DoltBackup.Server;

namespace DoltBackup.Engine
{
    /// <summary>
    /// Creates the <see cref="IDoltEngine"/> for a request: <see cref="SqlDoltEngine"/> over MySqlConnector for a
    /// server, <see cref="CliDoltEngine"/> for an offline data directory. Cmdlets call only this, so MySqlConnector loads
    /// when a server is actually used.
    /// </summary>
    public static class DoltEngineFactory
    {
        /// <summary>
        /// TEST-ONLY hook: when set and it returns an engine, <see cref="Create"/> returns that engine instead of a real
        /// one (returning null falls through to the real engine). The PowerShell-level tests and the benchmark
        /// (InternalsVisibleTo) use it to inject an in-memory fake; production code never sets it.
        /// </summary>
        internal static Func<DoltEngineRequest, IDoltEngine> TestHook { get; set; }

        /// <summary>The engine for the request.</summary>
        public static IDoltEngine Create(DoltEngineRequest request)
        {
            var injected = TestHook?.Invoke(request);
            if (injected != null)
            {
                return injected;
            }
            if (request.IsOffline)
            {
                return new CliDoltEngine(request.DataDir, request.DoltPath, new SystemProcessRunner(), request.OperationTimeout);
            }
            return CreateSql(request.Server, request.OperationTimeout);
        }

        private static IDoltEngine CreateSql(ServerConnectionSettings settings, TimeSpan timeout)
        {
            var s = settings.Clone();
            s.CommandTimeoutSeconds = timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, timeout.TotalSeconds);
            return new SqlDoltEngine(new MySqlSessionFactory(s));
        }
    }
}
