using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace DoltBackup.Storage
{
    /// <summary>
    /// Removes secrets from text that may reach the user (a service's error message): the context's own secrets (and
    /// the AccountKey/SharedAccessSignature values inside a connection string) and any SAS signature (sig=...).
    /// </summary>
    internal sealed class SecretScrubber
    {
        private static readonly Regex SasSignature = new Regex(@"(?i)(sig|signature|accountkey|sharedaccesssignature|x-amz-security-token|x-amz-signature)=([^&;\s""']+)", RegexOptions.CultureInvariant);
        private readonly List<string> _secrets = new List<string>();

        public SecretScrubber(StorageContext context)
        {
            if (context == null)
            {
                return;
            }
            Add(context.S3Credential?.GetNetworkCredential()?.Password);
            Add(StorageContext.Reveal(context.SasToken)?.TrimStart('?'));
            string cs = StorageContext.Reveal(context.ConnectionString);
            Add(cs);
            if (cs != null)
            {
                foreach (var part in cs.Split(';'))
                {
                    int eq = part.IndexOf('=');
                    if (eq > 0)
                    {
                        string name = part.Substring(0, eq).Trim();
                        if (name.Equals("AccountKey", StringComparison.OrdinalIgnoreCase) || name.Equals("SharedAccessSignature", StringComparison.OrdinalIgnoreCase))
                        {
                            Add(part.Substring(eq + 1).Trim());
                        }
                    }
                }
            }
        }

        public string Scrub(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }
            foreach (var s in _secrets)
            {
                text = text.Replace(s, "<redacted>");
            }
            return SasSignature.Replace(text, "$1=<redacted>");
        }

        private void Add(string secret)
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                _secrets.Add(secret);
            }
        }
    }
}
