using System.Collections.Generic;

namespace DoltBackup.Grants
{
    /// <summary>How the grants script is written.</summary>
    public sealed class GrantsScriptOptions
    {
        /// <summary>Leave out the header (server, version, UTC time), so two exports of one server diff cleanly.</summary>
        public bool NoHeader { get; set; }

        /// <summary>Leave out password hashes; accounts that had one are created locked.</summary>
        public bool ExcludePassword { get; set; }

        /// <summary>Accounts that get no locking statement (besides the exporting user and Dolt's internal account).</summary>
        public List<AccountName> ProtectedAccounts { get; set; } = new List<AccountName>();
    }
}
