namespace DoltBackup.Grants
{
    /// <summary>A row of Dolt's <c>dolt_branch_control</c>: LIKE-style expressions and the permissions they grant.</summary>
    public sealed class BranchControlRow
    {
        /// <summary>Creates a row.</summary>
        public BranchControlRow(string database, string branch, string user, string host, string permissions)
        {
            Database = database ?? "";
            Branch = branch ?? "";
            User = user ?? "";
            Host = host ?? "";
            Permissions = permissions ?? "";
        }

        /// <summary>Database expression (lower-cased by Dolt).</summary>
        public string Database { get; }
        /// <summary>Branch expression.</summary>
        public string Branch { get; }
        /// <summary>User expression (case-sensitive).</summary>
        public string User { get; }
        /// <summary>Host expression.</summary>
        public string Host { get; }
        /// <summary>The SET value: admin, write, merge, read, comma-separated.</summary>
        public string Permissions { get; }

        /// <inheritdoc />
        public override string ToString() => $"({Database}, {Branch}, {User}, {Host}, {Permissions})";
    }
}
