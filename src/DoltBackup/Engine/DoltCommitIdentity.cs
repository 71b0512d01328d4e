using System.Threading;
using System.Threading.Tasks;

namespace DoltBackup.Engine
{
    /// <summary>
    /// The commit identity (user.name, user.email) the dolt CLI sees in its config: `dolt backup restore` creates the
    /// database with a commit and fails ("Aborting commit due to empty author name. Is your config set?") without one.
    /// </summary>
    public sealed class DoltCommitIdentity
    {
        /// <summary>Dolt's own fallback identity, which `dolt sql` and a sql-server use when the config has none (env.DefaultFailsafeConfig).</summary>
        public const string DoltDefaultName = "Dolt System Account";

        /// <summary>The e-mail of Dolt's fallback identity.</summary>
        public const string DoltDefaultEmail = "doltuser@dolthub.com";

        /// <summary>An identity as read (null or empty: not set).</summary>
        public DoltCommitIdentity(string name, string email)
        {
            Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
            Email = string.IsNullOrWhiteSpace(email) ? null : email.Trim();
        }

        /// <summary>user.name, or null.</summary>
        public string Name { get; }

        /// <summary>user.email, or null.</summary>
        public string Email { get; }

        /// <summary>True when both are set: `dolt backup restore` can run as it is.</summary>
        public bool IsComplete => Name != null && Email != null;

        /// <summary>What the user is told when DoltBackup lets Dolt supply its default identity (null when complete).</summary>
        public string Notice
        {
            get
            {
                if (IsComplete)
                {
                    return null;
                }
                string missing = Name == null && Email == null ? "user.name and user.email are" : Name == null ? "user.name is" : "user.email is";
                return $"The dolt CLI has no complete commit identity ({missing} not set in its config), which `dolt backup restore` needs. " +
                       "Each database is therefore restored with `dolt sql -q \"CALL dolt_backup('restore', ...)\"`, where Dolt itself fills in " +
                       $"its default identity ({DoltDefaultName}, {DoltDefaultEmail}) for that one process, as a restore through a sql-server does; " +
                       "your Dolt configuration is not changed. To use your own identity: dolt config --global --add user.name \"<name>\"; dolt config --global --add user.email \"<email>\".";
            }
        }
    }

    /// <summary>An engine whose Dolt processes need a commit identity (the CLI engine): lets a cmdlet check it before anything starts.</summary>
    public interface ICommitIdentityEngine
    {
        /// <summary>Reads the identity the dolt CLI will use (once; later calls return the same answer).</summary>
        Task<DoltCommitIdentity> GetCommitIdentityAsync(CancellationToken cancellationToken);
    }

    /// <summary>The commit-identity check of an engine, for cmdlets.</summary>
    public static class CommitIdentityCheck
    {
        /// <summary>
        /// The notice to show before an offline restore starts, or null: the engine needs no identity, has a complete
        /// one, or could not be asked (then the restore itself reports why, for example a missing dolt).
        /// </summary>
        public static string NoticeFor(IDoltEngine engine, CancellationToken cancellationToken)
        {
            if (!(engine is ICommitIdentityEngine withIdentity))
            {
                return null;
            }
            try
            {
                return withIdentity.GetCommitIdentityAsync(cancellationToken).GetAwaiter().GetResult()?.Notice;
            }
            catch (DoltEngineException e) when (e.Kind != DoltErrorKind.Cancelled)
            {
                return null;
            }
        }
    }
}
