using System;
using System.Threading;

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>One MariaDB server shared by every test of the "MariaDb" collection, started on first use.</summary>
    public sealed class MariaDbFixture : IDisposable
    {
        private readonly Lazy<MariaDbServer> _server = new Lazy<MariaDbServer>(MariaDbServer.Start, LazyThreadSafetyMode.ExecutionAndPublication);

        public MariaDbServer Server => _server.Value;

        public void Dispose()
        {
            if (_server.IsValueCreated)
            {
                _server.Value.Dispose();
            }
        }
    }

    [Xunit.CollectionDefinition("MariaDb")]
    public sealed class MariaDbCollection : Xunit.ICollectionFixture<MariaDbFixture>
    {
    }
}
