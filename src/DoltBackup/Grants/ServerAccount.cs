using System.Collections.Generic;

namespace DoltBackup.Grants
{
    /// <summary>One account or role as read from the server: authentication, lock state and its SHOW GRANTS lines.</summary>
    public sealed class ServerAccount
    {
        /// <summary>User and host.</summary>
        public AccountName Name { get; set; }

        /// <summary>Authentication plugin, for example mysql_native_password (empty when the server has none recorded).</summary>
        public string Plugin { get; set; } = "";

        /// <summary>The password hash or other authentication string. A secret: never log or display it.</summary>
        internal string AuthenticationString { get; set; } = "";

        /// <summary>True when the account is locked (ACCOUNT LOCK).</summary>
        public bool Locked { get; set; }

        /// <summary>True for a role (MariaDB is_role; on MySQL and Dolt a locked, password-less account granted to others).</summary>
        public bool IsRole { get; set; }

        /// <summary>The lines of SHOW GRANTS, as the server returned them.</summary>
        public List<string> Grants { get; set; } = new List<string>();

        /// <summary>True when an authentication string is recorded.</summary>
        public bool HasPassword => !string.IsNullOrEmpty(AuthenticationString);

        /// <summary>Sets the authentication string (readers only).</summary>
        internal ServerAccount WithAuthentication(string plugin, string authenticationString)
        {
            Plugin = plugin ?? "";
            AuthenticationString = authenticationString ?? "";
            return this;
        }

        /// <inheritdoc />
        public override string ToString() => Name?.ToString();
    }
}
