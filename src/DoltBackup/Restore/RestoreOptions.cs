namespace DoltBackup.Restore
{
    /// <summary>What the user asked a restore to do.</summary>
    public sealed class RestoreOptions
    {
        /// <summary>Names or wildcard patterns of the databases to restore (null or empty: all).</summary>
        public string[] DatabasePatterns { get; set; }

        /// <summary>Restore the single selected database under this name.</summary>
        public string NewName { get; set; }

        /// <summary>Restore every selected database as prefix + name (beside the originals).</summary>
        public string Prefix { get; set; }

        /// <summary>Replace existing databases (Dolt moves a Dolt database to .dolt_dropped_databases/ and deletes a plain directory).</summary>
        public bool Force { get; set; }

        /// <summary>Restore the configuration artifacts (to their original paths, or under <see cref="ConfigRoot"/>).</summary>
        public bool IncludeConfig { get; set; }

        /// <summary>Restore configuration artifacts under this root instead of their original paths (absolute).</summary>
        public string ConfigRoot { get; set; }

        /// <summary>Replay the grants script against the target server.</summary>
        public bool IncludeGrants { get; set; }

        /// <summary>The offline data directory restored into (CLI mode), absolute; null in server mode.</summary>
        public string DataDir { get; set; }
    }
}
