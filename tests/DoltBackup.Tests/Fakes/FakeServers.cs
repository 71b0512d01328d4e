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
        private static readonly ConcurrentDictionary<string, IDoltEngine> Engines = new ConcurrentDictionary<string, IDoltEngine>(StringComparer.OrdinalIgnoreCase);
        private static readonly ConcurrentDictionary<string, DoltEngineRequest> LastRequests = new ConcurrentDictionary<string, DoltEngineRequest>(StringComparer.OrdinalIgnoreCase);

        static FakeServers()
        {
            DoltEngineFactory.TestHook = request =>
            {
                string key = request.IsOffline ? request.DataDir : request.Server?.Host;
                if (key != null && Engines.TryGetValue(key, out var engine))
                {
                    LastRequests[key] = request.Clone();
                    return new NonOwningDoltEngine(engine); // the cmdlets dispose their engine; the test keeps the fake
                }
                return null;
            };
        }

        /// <summary>Registers a fake (or an engine over a fake CLI) under a fresh host name or a data directory; returns the key.</summary>
        public static string Register(IDoltEngine engine, string key = null)
        {
            key = key ?? "fake-" + Guid.NewGuid().ToString("N").Substring(0, 10);
            Engines[key] = engine;
            return key;
        }

        /// <summary>The last request the cmdlets made for a fake (password included, for delivery checks).</summary>
        public static DoltEngineRequest LastRequest(string key) => LastRequests.TryGetValue(key, out var r) ? r : null;
    }
}
