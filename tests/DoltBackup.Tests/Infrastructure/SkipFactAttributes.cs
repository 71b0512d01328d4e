namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>A fact that needs a real MariaDB server: skipped where mariadbd is missing, unless DOLTBACKUP_REQUIRE_MARIADB=1.</summary>
    public sealed class MariaDbFactAttribute : Xunit.FactAttribute
    {
        public MariaDbFactAttribute()
        {
            if ((ExternalTools.MariaDbd == null || ExternalTools.MariaDbInstallDb == null) && !ExternalTools.RequireMariaDb)
            {
                Skip = "mariadbd is not installed (apt-get install mariadb-server); set DOLTBACKUP_REQUIRE_MARIADB=1 to make this a failure.";
            }
        }
    }

    /// <summary>A fact that needs a real dolt binary on PATH: reported as skipped otherwise. Never faked.</summary>
    public sealed class DoltFactAttribute : Xunit.FactAttribute
    {
        public DoltFactAttribute()
        {
            if (ExternalTools.Dolt == null)
            {
                Skip = "dolt is not on PATH: the real-Dolt integration suite did not run.";
            }
        }
    }
}

namespace DoltBackup.Tests.Infrastructure
{
    /// <summary>A fact that needs Debian's openssl (interop with the real tool); skipped where it is missing, unless CI.</summary>
    public sealed class OpenSslFactAttribute : Xunit.FactAttribute
    {
        public OpenSslFactAttribute()
        {
            if (ExternalTools.OpenSsl == null && System.Environment.GetEnvironmentVariable("CI") != "true")
            {
                Skip = "openssl is not installed (apt-get install openssl).";
            }
        }
    }
}
