namespace DoltBackup.Catalog
{
    /// <summary>A backup registered on a database of a Dolt sql-server (a row of <c>dolt_backups</c>).</summary>
    public sealed class DoltBackupRegistration
    {
        /// <summary>The server it was read from (host:port or socket; never a credential).</summary>
        public string Server { get; set; }

        /// <summary>The database the backup is registered on.</summary>
        public string Database { get; set; }

        /// <summary>The registration's name (the name given to dolt_backup('add', name, url)).</summary>
        public string Name { get; set; }

        /// <summary>The backup URL (file://, aws://, gs://, https://...).</summary>
        public string Url { get; set; }

        /// <inheritdoc />
        public override string ToString() => Database + "/" + Name + " -> " + Url;
    }
}
