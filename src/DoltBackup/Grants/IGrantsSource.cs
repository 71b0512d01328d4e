namespace DoltBackup.Grants
{
    /// <summary>Where accounts, grants and branch control come from (a MySQL-protocol server; a fake in tests).</summary>
    public interface IGrantsSource
    {
        /// <summary>
        /// Reads the server's identity, its accounts with their grants and (for Dolt) branch control. Accounts whose
        /// grants cannot be read are listed in <see cref="GrantsSnapshot.Failures"/>; an account list that cannot be
        /// read at all throws (<see cref="GrantsPrivilegeException"/> when a privilege is missing).
        /// </summary>
        GrantsSnapshot Read(GrantsReadOptions options);
    }
}
