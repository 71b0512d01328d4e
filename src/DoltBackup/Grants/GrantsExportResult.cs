using System;

namespace DoltBackup.Grants
{
    /// <summary>What Export-DoltGrants -Path wrote: the file, its SHA-256, and what it holds.</summary>
    public sealed class GrantsExportResult
    {
        /// <summary>Absolute path of the script (owner-only).</summary>
        public string Path { get; set; }
        /// <summary>host:port of the server read.</summary>
        public string Server { get; set; }
        /// <summary>Dolt, MariaDb or MySql.</summary>
        public string ServerKind { get; set; }
        /// <summary>The server's version (dolt_version() on Dolt).</summary>
        public string ServerVersion { get; set; }
        /// <summary>Accounts in the script (roles not counted).</summary>
        public int Accounts { get; set; }
        /// <summary>Roles in the script.</summary>
        public int Roles { get; set; }
        /// <summary>Branch-control and namespace rows in the script.</summary>
        public int BranchControlRows { get; set; }
        /// <summary>Accounts whose grants could not be read (not in the script).</summary>
        public string[] FailedAccounts { get; set; } = Array.Empty<string>();
        /// <summary>True when password hashes are in the file.</summary>
        public bool PasswordsIncluded { get; set; }
        /// <summary>Size in bytes.</summary>
        public long Size { get; set; }
        /// <summary>SHA-256 of the file, lower-case hex.</summary>
        public string Sha256 { get; set; }
        /// <summary>True when every account was exported.</summary>
        public bool Complete => FailedAccounts.Length == 0;
        /// <inheritdoc />
        public override string ToString() => Path;
    }
}
