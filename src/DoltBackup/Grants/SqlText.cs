using System.Text;

namespace DoltBackup.Grants
{
    /// <summary>Quoting of SQL string literals and identifiers for scripts that MySQL, MariaDB and Dolt all read.</summary>
    public static class SqlText
    {
        /// <summary>
        /// A single-quoted string literal. Quotes are doubled; backslash, NUL, CR, LF and Ctrl-Z are backslash-escaped
        /// (the default sql_mode of MySQL, MariaDB and Dolt reads them back exactly).
        /// </summary>
        public static string Literal(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('\'');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\'': sb.Append("''"); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\0': sb.Append("\\0"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\u001a': sb.Append("\\Z"); break;
                    default: sb.Append(c); break;
                }
            }
            sb.Append('\'');
            return sb.ToString();
        }

        /// <summary>A backtick-quoted identifier (a backtick inside is doubled).</summary>
        public static string Identifier(string value) => "`" + value.Replace("`", "``") + "`";
    }
}
