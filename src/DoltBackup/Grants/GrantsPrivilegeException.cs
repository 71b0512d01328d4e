using DoltBackup.Common;

namespace DoltBackup.Grants
{
    /// <summary>The connected account may not read the account list; the message names the privilege it needs.</summary>
    public sealed class GrantsPrivilegeException : DoltBackupException
    {
        /// <summary>Creates the exception.</summary>
        public GrantsPrivilegeException(string message, string privilege, System.Exception inner = null) : base(message, inner)
        {
            Privilege = privilege;
        }

        /// <summary>The privilege that is missing, for example "SELECT on mysql.global_priv".</summary>
        public string Privilege { get; }
    }
}
