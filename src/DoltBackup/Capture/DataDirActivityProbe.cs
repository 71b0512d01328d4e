using DoltBackup.Locking;

namespace DoltBackup.Capture
{
    /// <summary>The real probe: a held noms/LOCK in any database, or a sql-server.info whose port answers (<see cref="DataDirUsage"/>).</summary>
    public sealed class DataDirActivityProbe : IServerActivityProbe
    {
        /// <inheritdoc />
        public bool IsInUse(string dataDir) => DataDirUsage.Probe(dataDir).InUse;
    }
}
