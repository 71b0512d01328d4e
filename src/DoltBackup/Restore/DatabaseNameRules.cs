using System.Text.RegularExpressions;

namespace DoltBackup.Restore
{
    /// <summary>
    /// Which names a restore may create. A manifest is untrusted input and Dolt turns a database name into a directory
    /// of the data directory, so only letters, digits, '_', '-' and '$' are accepted (no '.', '/', '\' or spaces): a name
    /// can never point outside the data directory.
    /// </summary>
    public static class DatabaseNameRules
    {
        private static readonly Regex Valid = new Regex("^[A-Za-z0-9_$][A-Za-z0-9_$-]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>True when <paramref name="name"/> is safe to restore as.</summary>
        public static bool IsValid(string name) => name != null && Valid.IsMatch(name);

        /// <summary>True when <paramref name="prefix"/> can start a database name.</summary>
        public static bool IsValidPrefix(string prefix) => !string.IsNullOrEmpty(prefix) && IsValid(prefix);
    }
}
