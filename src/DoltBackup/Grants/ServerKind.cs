namespace DoltBackup.Grants
{
    /// <summary>Which MySQL-protocol server the accounts were read from: it decides where plugins, hashes and roles live.</summary>
    public enum ServerKind
    {
        /// <summary>MySQL (or anything that is neither Dolt nor MariaDB): mysql.user and mysql.role_edges.</summary>
        MySql,
        /// <summary>MariaDB: mysql.global_priv (plugin, hash, account_locked, is_role as JSON).</summary>
        MariaDb,
        /// <summary>Dolt (answers <c>SELECT dolt_version()</c>): mysql.user, roles as locked users, and branch control.</summary>
        Dolt,
    }
}
