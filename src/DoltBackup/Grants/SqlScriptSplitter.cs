using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace DoltBackup.Grants
{
    /// <summary>
    /// Splits a SQL script into statements at ';' outside quotes, backticks and comments (-- , #, /* */), and
    /// redacts authentication strings for display.
    /// </summary>
    public static class SqlScriptSplitter
    {
        private static readonly Regex Secret = new Regex(
            @"\b(AS|USING|BY\s+PASSWORD|BY)\s+'(?:[^'\\]|\\.|'')*'",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The statements of a script, in order; comments outside statements are dropped.</summary>
        public static List<ScriptStatement> Split(string script)
        {
            var result = new List<ScriptStatement>();
            var current = new StringBuilder();
            int line = 1, startLine = -1;
            int i = 0;
            while (i < script.Length)
            {
                char c = script[i];
                char n = i + 1 < script.Length ? script[i + 1] : '\0';
                if (c == '\n')
                {
                    line++;
                }
                if ((c == '-' && n == '-' && (i + 2 >= script.Length || char.IsWhiteSpace(script[i + 2]))) || c == '#')
                {
                    while (i < script.Length && script[i] != '\n')
                    {
                        i++;
                    }
                    continue;
                }
                if (c == '/' && n == '*')
                {
                    int end = script.IndexOf("*/", i + 2, System.StringComparison.Ordinal);
                    end = end < 0 ? script.Length : end + 2;
                    for (int k = i; k < end; k++)
                    {
                        if (script[k] == '\n')
                        {
                            line++;
                        }
                    }
                    current.Append(' ');
                    i = end;
                    continue;
                }
                if (c == '\'' || c == '"' || c == '`')
                {
                    if (startLine < 0)
                    {
                        startLine = line;
                    }
                    int k = i + 1;
                    while (k < script.Length)
                    {
                        if (script[k] == '\\' && c != '`' && k + 1 < script.Length)
                        {
                            k += 2;
                            continue;
                        }
                        if (script[k] == c)
                        {
                            if (k + 1 < script.Length && script[k + 1] == c)
                            {
                                k += 2;
                                continue;
                            }
                            break;
                        }
                        if (script[k] == '\n')
                        {
                            line++;
                        }
                        k++;
                    }
                    int stop = System.Math.Min(k + 1, script.Length);
                    current.Append(script, i, stop - i);
                    i = stop;
                    continue;
                }
                if (c == ';')
                {
                    Flush(result, current, startLine);
                    startLine = -1;
                    i++;
                    continue;
                }
                if (!char.IsWhiteSpace(c) && startLine < 0)
                {
                    startLine = line;
                }
                if (startLine >= 0)
                {
                    current.Append(c);
                }
                i++;
            }
            Flush(result, current, startLine);
            return result;
        }

        /// <summary>The text with every <c>AS '…'</c>, <c>USING '…'</c> and <c>BY '…'</c> string replaced by '&lt;redacted&gt;'.</summary>
        public static string Redact(string sql) => sql == null ? null : Secret.Replace(sql, m => m.Groups[1].Value + " '<redacted>'");

        private static void Flush(List<ScriptStatement> result, StringBuilder current, int startLine)
        {
            string text = current.ToString().Trim();
            current.Clear();
            if (text.Length > 0)
            {
                result.Add(new ScriptStatement { Index = result.Count, Line = startLine, Text = text });
            }
        }
    }
}
