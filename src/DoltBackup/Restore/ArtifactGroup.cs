namespace DoltBackup.Restore
{
    /// <summary>The kinds of non-database content a restore puts back.</summary>
    public enum ArtifactGroup
    {
        /// <summary>Configuration files (sql-server config, global and repo config, privilege and branch-control files, TLS files).</summary>
        Configuration,
        /// <summary>The Export-DoltGrants script, replayed against the target server.</summary>
        Grants,
        /// <summary>The copied data directory of a FileCopy backup, unpacked into a data directory.</summary>
        FileCopy,
    }
}
