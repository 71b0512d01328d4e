namespace DoltBackup.Grants
{
    /// <summary>A row of Dolt's <c>dolt_branch_namespace_control</c>: who may create branches matching an expression.</summary>
    public sealed class BranchNamespaceRow
    {
        /// <summary>Creates a row.</summary>
        public BranchNamespaceRow(string database, string branch, string user, string host)
        {
            Database = database ?? "";
            Branch = branch ?? "";
            User = user ?? "";
            Host = host ?? "";
        }

        /// <summary>Database expression.</summary>
        public string Database { get; }
        /// <summary>Branch expression.</summary>
        public string Branch { get; }
        /// <summary>User expression.</summary>
        public string User { get; }
        /// <summary>Host expression.</summary>
        public string Host { get; }

        /// <inheritdoc />
        public override string ToString() => $"({Database}, {Branch}, {User}, {Host})";
    }
}
