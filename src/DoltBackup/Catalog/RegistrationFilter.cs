using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DoltBackup.Catalog
{
    /// <summary>Which registrations Get-DoltBackup lists from a server: registration names and databases (wildcards, case-insensitive).</summary>
    public sealed class RegistrationFilter
    {
        /// <summary>Registration names to keep (null or empty: all).</summary>
        public string[] Name { get; set; }

        /// <summary>Databases to read (null or empty: all).</summary>
        public string[] Database { get; set; }

        /// <summary>Databases to leave out.</summary>
        public string[] ExcludeDatabase { get; set; }

        /// <summary>True when the database is to be read.</summary>
        public bool IncludesDatabase(string database)
            => (IsEmpty(Database) || Matches(Database, database)) && (IsEmpty(ExcludeDatabase) || !Matches(ExcludeDatabase, database));

        /// <summary>True when a registration of this name is to be listed.</summary>
        public bool IncludesName(string name) => IsEmpty(Name) || Matches(Name, name);

        /// <summary>The -Database patterns without a wildcard that name no database of the server.</summary>
        public IEnumerable<string> MissingDatabases(IEnumerable<string> databases)
        {
            var all = databases.ToList();
            return (Database ?? new string[0]).Where(p => !WildcardPattern.ContainsWildcardCharacters(p) && !all.Any(d => Matches(new[] { p }, d)));
        }

        private static bool IsEmpty(string[] patterns) => patterns == null || patterns.Length == 0;

        private static bool Matches(IEnumerable<string> patterns, string value)
            => value != null && patterns.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(value));
    }
}
