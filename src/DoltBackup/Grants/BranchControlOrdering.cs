using System;
using System.Collections.Generic;
using System.Linq;

namespace DoltBackup.Grants
{
    /// <summary>
    /// The order in which branch-control rows can be inserted into a fresh Dolt (dolt-reference §7): Dolt rejects a
    /// row as a duplicate when an existing row already matches it with the same permissions, so a narrower row must go
    /// in before any broader row that covers it. Rows are sorted by specificity, most specific first:
    /// <list type="number">
    /// <item>more literal characters (summed over database, branch, user and host) first;</item>
    /// <item>then longer minimum match length (literals plus '_' wildcards) first;</item>
    /// <item>then fewer '%' wildcards first;</item>
    /// <item>then ordinally by database, branch, user, host, so the order is deterministic.</item>
    /// </list>
    /// If every string a row A matches is also matched by row B, A has at least as many literals and at least the
    /// minimum length of B in each column, so A never sorts after B.
    /// </summary>
    public static class BranchControlOrdering
    {
        /// <summary>The rows in insert order (narrower before broader).</summary>
        public static List<BranchControlRow> Sort(IEnumerable<BranchControlRow> rows)
            => rows.OrderBy(r => Key(r.Database, r.Branch, r.User, r.Host), KeyComparer.Instance).ToList();

        /// <summary>The namespace rows in insert order (narrower before broader).</summary>
        public static List<BranchNamespaceRow> Sort(IEnumerable<BranchNamespaceRow> rows)
            => rows.OrderBy(r => Key(r.Database, r.Branch, r.User, r.Host), KeyComparer.Instance).ToList();

        /// <summary>Literal characters of a LIKE expression (an escaped wildcard counts as a literal).</summary>
        public static int Literals(string expression) => Count(expression).Literals;

        /// <summary>True when <paramref name="value"/> matches the LIKE expression (% any run, _ one character, \ escapes).</summary>
        public static bool Matches(string expression, string value, bool ignoreCase)
        {
            var cmp = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            return Match(expression, 0, value, 0, cmp);
        }

        /// <summary>True when every column of the row matches the literal values (database, branch and host ignore case).</summary>
        public static bool RowMatches(BranchControlRow row, string database, string branch, string user, string host)
            => Matches(row.Database, database, true) && Matches(row.Branch, branch, true) && Matches(row.User, user, false) && Matches(row.Host, host, true);

        private static bool Match(string p, int pi, string s, int si, StringComparison cmp)
        {
            while (pi < p.Length)
            {
                char c = p[pi];
                if (c == '%')
                {
                    while (pi < p.Length && p[pi] == '%')
                    {
                        pi++;
                    }
                    if (pi == p.Length)
                    {
                        return true;
                    }
                    for (int k = si; k <= s.Length; k++)
                    {
                        if (Match(p, pi, s, k, cmp))
                        {
                            return true;
                        }
                    }
                    return false;
                }
                if (si >= s.Length)
                {
                    return false;
                }
                if (c == '_')
                {
                    pi++;
                    si++;
                    continue;
                }
                if (c == '\\' && pi + 1 < p.Length)
                {
                    pi++;
                    c = p[pi];
                }
                if (string.Compare(c.ToString(), s[si].ToString(), cmp) != 0)
                {
                    return false;
                }
                pi++;
                si++;
            }
            return si == s.Length;
        }

        private static (int Literals, int Underscores, int Percents) Count(string e)
        {
            int literals = 0, underscores = 0, percents = 0;
            for (int i = 0; i < e.Length; i++)
            {
                char c = e[i];
                if (c == '\\' && i + 1 < e.Length)
                {
                    literals++;
                    i++;
                }
                else if (c == '%')
                {
                    percents++;
                }
                else if (c == '_')
                {
                    underscores++;
                }
                else
                {
                    literals++;
                }
            }
            return (literals, underscores, percents);
        }

        private static SortKey Key(string database, string branch, string user, string host)
        {
            var parts = new[] { database, branch, user, host }.Select(Count).ToArray();
            return new SortKey
            {
                Literals = parts.Sum(p => p.Literals),
                MinLength = parts.Sum(p => p.Literals + p.Underscores),
                Percents = parts.Sum(p => p.Percents),
                Text = new[] { database, branch, user, host },
            };
        }

        private sealed class SortKey
        {
            public int Literals;
            public int MinLength;
            public int Percents;
            public string[] Text;
        }

        private sealed class KeyComparer : IComparer<SortKey>
        {
            public static readonly KeyComparer Instance = new KeyComparer();

            public int Compare(SortKey a, SortKey b)
            {
                int c = b.Literals.CompareTo(a.Literals);
                if (c != 0)
                {
                    return c;
                }
                c = b.MinLength.CompareTo(a.MinLength);
                if (c != 0)
                {
                    return c;
                }
                c = a.Percents.CompareTo(b.Percents);
                if (c != 0)
                {
                    return c;
                }
                for (int i = 0; i < a.Text.Length; i++)
                {
                    c = string.CompareOrdinal(a.Text[i], b.Text[i]);
                    if (c != 0)
                    {
                        return c;
                    }
                }
                return 0;
            }
        }
    }
}
