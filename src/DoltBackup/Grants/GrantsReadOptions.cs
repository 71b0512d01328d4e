using System;

namespace DoltBackup.Grants
{
    /// <summary>What to read from the server.</summary>
    public sealed class GrantsReadOptions
    {
        /// <summary>Which accounts and roles to read (default: all).</summary>
        public AccountFilter Filter { get; set; } = new AccountFilter(null, null);

        /// <summary>Read dolt_branch_control and dolt_branch_namespace_control when the server is Dolt (default true).</summary>
        public bool IncludeBranchControl { get; set; } = true;

        /// <summary>How many SHOW GRANTS statements go to the server in one round trip (default 500).</summary>
        public int BatchSize { get; set; } = 500;

        /// <summary>How many connections read grants at once for large account lists (default 2).</summary>
        public int Parallelism { get; set; } = 2;

        /// <summary>
        /// On MariaDB 10.11, build the grants of ordinary accounts from the grant tables in one round trip instead of
        /// one SHOW GRANTS each (default true); roles and unusual accounts still use SHOW GRANTS.
        /// </summary>
        public bool UseGrantTables { get; set; } = true;

        /// <summary>Called as grants are read: (accounts done, accounts in total), always on the calling thread.</summary>
        public Action<int, int> Progress { get; set; }
    }
}
