using System;
using System.Collections.Generic;

namespace DoltBackup.Grants
{
    /// <summary>Everything read from one server: its identity, the accounts with their grants, and branch control.</summary>
    public sealed class GrantsSnapshot
    {
        /// <summary>host:port of the server.</summary>
        public string Endpoint { get; set; }
        /// <summary>What the server is.</summary>
        public ServerKind Kind { get; set; }
        /// <summary>VERSION() of the server.</summary>
        public string ServerVersion { get; set; }
        /// <summary>dolt_version(), when the server is Dolt.</summary>
        public string DoltVersion { get; set; }
        /// <summary>The account the export ran as (CURRENT_USER()).</summary>
        public AccountName CurrentUser { get; set; }
        /// <summary>When the accounts were read (UTC).</summary>
        public DateTime ReadUtc { get; set; }
        /// <summary>Accounts and roles that were read successfully.</summary>
        public List<ServerAccount> Accounts { get; set; } = new List<ServerAccount>();
        /// <summary>Accounts whose grants could not be read.</summary>
        public List<AccountReadFailure> Failures { get; set; } = new List<AccountReadFailure>();
        /// <summary>True when branch control was read (Dolt, and not excluded).</summary>
        public bool HasBranchControl { get; set; }
        /// <summary>dolt_branch_control rows.</summary>
        public List<BranchControlRow> BranchControl { get; set; } = new List<BranchControlRow>();
        /// <summary>dolt_branch_namespace_control rows.</summary>
        public List<BranchNamespaceRow> BranchNamespaceControl { get; set; } = new List<BranchNamespaceRow>();
        /// <summary>Things the user should know (for example branch control left out because of a filter).</summary>
        public List<string> Warnings { get; set; } = new List<string>();
    }
}
