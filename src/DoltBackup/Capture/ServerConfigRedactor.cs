using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DoltBackup.Capture
{
    /// <summary>
    /// Finds literal secrets in the text of a sql-server YAML (user.password, mcp_server.password, golden_mysql_conn)
    /// and replaces each value with a placeholder, leaving every other byte as it was. A value that is only ${VAR}
    /// placeholders is not a secret in the file: it stays.
    /// </summary>
    public static class ServerConfigRedactor
    {
        /// <summary>What replaces a redacted value.</summary>
        public const string Placeholder = "\"<removed by DoltBackup: secret>\"";

        private static readonly string[][] SecretSettings =
        {
            new[] { "user", "password" },
            new[] { "mcp_server", "password" },
            new[] { "golden_mysql_conn" },
        };

        private static readonly Regex OnlyPlaceholders = new Regex(@"^(\$\{[A-Za-z_][A-Za-z0-9_]*\})+$", RegexOptions.CultureInvariant);

        /// <summary>
        /// Returns the text with literal secrets replaced; <paramref name="redacted"/> lists the settings replaced
        /// (empty when nothing was). Throws <see cref="InvalidDataException"/> when the raw text is not parseable YAML,
        /// in which case the caller cannot know it is free of secrets.
        /// </summary>
        public static string Redact(string rawYaml, out List<string> redacted)
        {
            redacted = new List<string>();
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(rawYaml));
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new InvalidDataException($"The sql-server config text (before ${{VAR}} expansion) is not parseable YAML at line {e.Start.Line}.");
            }
            if (stream.Documents.Count == 0 || !(stream.Documents[0].RootNode is YamlMappingNode root))
            {
                return rawYaml;
            }
            var spans = new List<(int Start, int End, string Setting)>();
            foreach (var path in SecretSettings)
            {
                YamlNode node = root;
                foreach (var key in path)
                {
                    node = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
                }
                if (node == null)
                {
                    continue;
                }
                if (node is YamlScalarNode scalar)
                {
                    string value = scalar.Value ?? "";
                    bool isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && (value == "" || value == "~" || value.Equals("null", StringComparison.OrdinalIgnoreCase));
                    if (isNull || value.Length == 0 || OnlyPlaceholders.IsMatch(value))
                    {
                        continue;
                    }
                }
                spans.Add(((int)node.Start.Index, (int)node.End.Index, string.Join(".", path)));
            }
            string text = rawYaml;
            foreach (var span in spans.OrderByDescending(s => s.Start))
            {
                int end = span.End;
                while (end > span.Start && (text[end - 1] == '\n' || text[end - 1] == '\r'))
                {
                    end--; // a block scalar's span ends after its line break: keep the line break
                }
                text = text.Substring(0, span.Start) + Placeholder + text.Substring(end);
                redacted.Add(span.Setting);
            }
            redacted.Reverse();
            return text;
        }
    }
}
