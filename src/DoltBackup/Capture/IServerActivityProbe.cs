namespace DoltBackup.Capture
{
    /// <summary>Tells whether a Dolt process (a sql-server, or a CLI holding a database) uses a data directory.</summary>
    public interface IServerActivityProbe
    {
        /// <summary>True when a Dolt process evidently uses <paramref name="dataDir"/>.</summary>
        bool IsInUse(string dataDir);
    }
}
