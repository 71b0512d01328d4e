namespace DoltBackup.Engine
{
    /// <summary>A named URL registered in a database: a backup (<c>dolt_backups</c>) or a remote (<c>dolt_remotes</c>).</summary>
    public sealed class DoltRemoteEntry
    {
        /// <summary>Creates an entry.</summary>
        public DoltRemoteEntry(string name, string url)
        {
            Name = name;
            Url = url;
        }

        /// <summary>The registered name.</summary>
        public string Name { get; }

        /// <summary>The URL as Dolt stores it (file URLs absolute).</summary>
        public string Url { get; }

        /// <inheritdoc />
        public override string ToString() => Name + " -> " + Url;
    }
}
