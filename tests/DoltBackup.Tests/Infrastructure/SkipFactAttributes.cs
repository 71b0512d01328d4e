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
