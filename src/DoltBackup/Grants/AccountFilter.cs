using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace DoltBackup.Grants
{
    /// <summary>
    /// -IncludeUser / -ExcludeUser: PowerShell-style wildcards (*, ?, [abc]), case-insensitive. A pattern with an '@'
    /// is matched against user@host, otherwise against the user name alone. Applies to accounts and roles alike.
    /// </summary>
    public sealed class AccountFilter
    {
        private readonly List<(Regex Regex, bool WithHost)> _include;
        private readonly List<(Regex Regex, bool WithHost)> _exclude;

        /// <summary>Creates a filter; null or empty lists mean "everything" and "nothing".</summary>
        public AccountFilter(IEnumerable<string> include, IEnumerable<string> exclude)
        {
            _include = (include ?? Enumerable.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).Select(Compile).ToList();
            _exclude = (exclude ?? Enumerable.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).Select(Compile).ToList();
        }

        /// <summary>True when any pattern was given.</summary>
        public bool IsFiltering => _include.Count > 0 || _exclude.Count > 0;

        /// <summary>True when the account passes the include and exclude patterns.</summary>
        public bool Accepts(AccountName account)
        {
            bool included = _include.Count == 0 || _include.Any(p => IsMatch(p, account));
            return included && !_exclude.Any(p => IsMatch(p, account));
        }

        private static bool IsMatch((Regex Regex, bool WithHost) p, AccountName a) => p.Regex.IsMatch(p.WithHost ? a.User + "@" + a.Host : a.User);

        private static (Regex, bool) Compile(string pattern)
        {
            var sb = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                switch (c)
                {
                    case '*': sb.Append(".*"); break;
                    case '?': sb.Append('.'); break;
                    case '`':
                        if (i + 1 < pattern.Length)
                        {
                            sb.Append(Regex.Escape(pattern[++i].ToString()));
                        }
                        break;
                    case '[':
                        int close = pattern.IndexOf(']', i + 1);
                        if (close > i + 1)
                        {
                            string set = pattern.Substring(i + 1, close - i - 1).Replace("\\", "\\\\").Replace("^", "\\^");
                            sb.Append('[').Append(set).Append(']');
                            i = close;
                        }
                        else
                        {
                            sb.Append("\\[");
                        }
                        break;
                    default: sb.Append(Regex.Escape(c.ToString())); break;
                }
            }
            sb.Append('$');
            return (new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline), pattern.IndexOf('@') >= 0);
        }
    }
}
