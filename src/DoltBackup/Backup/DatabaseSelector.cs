using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace DoltBackup.Backup
{
    /// <summary>-Database / -ExcludeDatabase: case-insensitive wildcards over the server's user databases.</summary>
    public static class DatabaseSelector
    {
        /// <summary>
        /// The databases to work on, in the server's order. <paramref name="include"/> null or empty means all.
        /// Names in <paramref name="include"/> without wildcards that match nothing are returned in <paramref name="missing"/>.
        /// </summary>
        public static IReadOnlyList<string> Select(IReadOnlyList<string> all, IReadOnlyList<string> include, IReadOnlyList<string> exclude, out IReadOnlyList<string> missing)
        {
            var inc = (include ?? Array.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).ToList();
            var exc = (exclude ?? Array.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToList();
            var incPatterns = inc.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToList();
            var chosen = all.Where(db => (incPatterns.Count == 0 || incPatterns.Any(p => p.IsMatch(db))) && !exc.Any(p => p.IsMatch(db))).ToList();
            missing = inc.Where(p => !WildcardPattern.ContainsWildcardCharacters(p) && !all.Any(db => string.Equals(db, p, StringComparison.OrdinalIgnoreCase))).ToList();
            return chosen;
        }
    }
}
