using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Makes a SHOW GRANTS line deterministic and safe to store: privileges inside a GRANT are sorted, and an
    /// <c>IDENTIFIED BY PASSWORD '…'</c> or <c>IDENTIFIED VIA … USING '…'</c> clause (MariaDB prints the hash there) is
    /// removed, because the account's authentication is written once, in its CREATE USER. Other lines (role grants,
    /// SET DEFAULT ROLE, PROXY) keep their text.
    /// </summary>
    public static class GrantLineNormalizer
    {
        /// <summary>The normalized line (without a trailing ';').</summary>
        public static string Normalize(string line)
        {
            if (line == null)
            {
                return null;
            }
            line = line.Trim().TrimEnd(';').Trim();
            if (!line.StartsWith("GRANT ", StringComparison.OrdinalIgnoreCase))
            {
                return line;
            }
            var words = TopLevelWords(line);
            int on = words.FindIndex(w => w.Text.Equals("ON", StringComparison.OrdinalIgnoreCase));
            int to = words.FindIndex(w => w.Text.Equals("TO", StringComparison.OrdinalIgnoreCase));
            string result = line;
            if (on > 0 && to > on)
            {
                int privStart = words[0].End;
                string privileges = line.Substring(privStart, words[on].Start - privStart).Trim();
                string sorted = string.Join(", ", SplitTopLevel(privileges).Select(p => SortColumns(p.Trim())).Where(p => p.Length > 0).OrderBy(p => p.ToUpperInvariant(), StringComparer.Ordinal));
                result = "GRANT " + sorted + " " + line.Substring(words[on].Start);
                words = TopLevelWords(result);
                to = words.FindIndex(w => w.Text.Equals("TO", StringComparison.OrdinalIgnoreCase));
            }
            if (to < 0)
            {
                return result;
            }
            int identified = words.FindIndex(to + 1, w => w.Text.Equals("IDENTIFIED", StringComparison.OrdinalIgnoreCase));
            if (identified < 0)
            {
                return result;
            }
            int end = words.FindIndex(identified + 1, w => w.Text.Equals("REQUIRE", StringComparison.OrdinalIgnoreCase) || w.Text.Equals("WITH", StringComparison.OrdinalIgnoreCase));
            string head = result.Substring(0, words[identified].Start).TrimEnd();
            string tail = end < 0 ? "" : " " + result.Substring(words[end].Start);
            return head + tail;
        }

        /// <summary>"UPDATE (`b`, `a`)" becomes "UPDATE (`a`, `b`)": servers list granted columns in hash order.</summary>
        private static string SortColumns(string privilege)
        {
            int open = privilege.IndexOf('(');
            if (open < 0 || !privilege.EndsWith(")", StringComparison.Ordinal))
            {
                return privilege;
            }
            string inner = privilege.Substring(open + 1, privilege.Length - open - 2);
            var columns = SplitTopLevel(inner).Select(c => c.Trim()).OrderBy(c => c, StringComparer.Ordinal);
            return privilege.Substring(0, open).TrimEnd() + " (" + string.Join(", ", columns) + ")";
        }

        /// <summary>Splits on commas outside quotes and parentheses.</summary>
        internal static List<string> SplitTopLevel(string text)
        {
            var parts = new List<string>();
            int depth = 0, start = 0;
            char quote = '\0';
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quote != '\0')
                {
                    if (c == '\\' && quote != '`' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        if (i + 1 < text.Length && text[i + 1] == quote)
                        {
                            i++;
                        }
                        else
                        {
                            quote = '\0';
                        }
                    }
                    continue;
                }
                if (c == '\'' || c == '"' || c == '`')
                {
                    quote = c;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    parts.Add(text.Substring(start, i - start));
                    start = i + 1;
                }
            }
            parts.Add(text.Substring(start));
            return parts;
        }

        /// <summary>Bare words outside quotes and parentheses, with their positions.</summary>
        internal static List<Word> TopLevelWords(string text)
        {
            var words = new List<Word>();
            int depth = 0;
            char quote = '\0';
            int wordStart = -1;
            for (int i = 0; i <= text.Length; i++)
            {
                char c = i < text.Length ? text[i] : ' ';
                if (quote != '\0')
                {
                    if (c == '\\' && quote != '`' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        if (i + 1 < text.Length && text[i + 1] == quote)
                        {
                            i++;
                        }
                        else
                        {
                            quote = '\0';
                        }
                    }
                    continue;
                }
                bool wordChar = depth == 0 && (char.IsLetterOrDigit(c) || c == '_');
                if (wordChar && wordStart < 0)
                {
                    wordStart = i;
                }
                else if (!wordChar && wordStart >= 0)
                {
                    // A word glued to a quote or '@' (part of a grantee) is not a keyword.
                    bool glued = (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1])) || (c != ' ' && c != ',' && !char.IsWhiteSpace(c) && i < text.Length);
                    if (!glued)
                    {
                        words.Add(new Word { Start = wordStart, End = i, Text = text.Substring(wordStart, i - wordStart) });
                    }
                    wordStart = -1;
                }
                if (c == '\'' || c == '"' || c == '`')
                {
                    quote = c;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                }
            }
            return words;
        }

        internal struct Word
        {
            public int Start;
            public int End;
            public string Text;
        }
    }
}
