using System;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace DoltBackup.Storage
{
    /// <summary>
    /// A backup location parsed from what the user gave: a local path or file:// URL, s3://bucket/prefix,
    /// az://account/container/prefix or https://account.blob.core.windows.net/container/prefix. Parsed once; the
    /// driver is chosen from <see cref="Kind"/>. Holds no secret: a URL with a query string (a SAS token) is refused.
    /// </summary>
    public sealed class StorageLocation
    {
        private static readonly Regex SchemePattern = new Regex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://", RegexOptions.CultureInvariant);
        private static readonly Regex BucketPattern = new Regex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);
        private static readonly Regex AccountPattern = new Regex(@"^[a-z0-9]{3,24}$", RegexOptions.CultureInvariant);
        private static readonly Regex ContainerPattern = new Regex(@"^(\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$", RegexOptions.CultureInvariant);
        private const string AzureBlobHostSuffix = ".blob.core.windows.net";

        private StorageLocation()
        {
        }

        /// <summary>Which driver serves the location.</summary>
        public StorageKind Kind { get; private set; }

        /// <summary>Local: the full folder path.</summary>
        public string LocalPath { get; private set; }

        /// <summary>S3: the bucket.</summary>
        public string Bucket { get; private set; }

        /// <summary>Azure: the storage account.</summary>
        public string Account { get; private set; }

        /// <summary>Azure: the container.</summary>
        public string Container { get; private set; }

        /// <summary>Object stores: the key prefix ("" or ending without '/').</summary>
        public string Prefix { get; private set; } = "";

        /// <summary>The location as shown to the user (no secret).</summary>
        public string DisplayName { get; private set; }

        /// <summary>True for an object store (S3, Azure Blob).</summary>
        public bool IsRemote => Kind == StorageKind.S3 || Kind == StorageKind.AzureBlob;

        /// <summary>
        /// True when <paramref name="text"/> is a URL other than file:// (s3://, az://, https://, or an unsupported
        /// scheme that <see cref="Parse"/> then refuses with a clear error); false for a local path or file:// URL.
        /// </summary>
        public static bool IsObjectStoreUrl(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return false;
            }
            var m = SchemePattern.Match(text);
            if (!m.Success)
            {
                return false;
            }
            return !m.Groups["scheme"].Value.Equals("file", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>True when <paramref name="text"/> is an https:// URL of an Azure Blob Storage account (https://account.blob.core.windows.net/...).</summary>
        public static bool IsAzureBlobHttpsUrl(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return false;
            }
            var m = SchemePattern.Match(text);
            if (!m.Success || !m.Groups["scheme"].Value.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            SplitHost(text.Substring(m.Length), out string host);
            return host.EndsWith(AzureBlobHostSuffix, StringComparison.Ordinal) && host.Length > AzureBlobHostSuffix.Length;
        }

        private static void SplitHost(string rest, out string host)
        {
            int end = rest.IndexOfAny(new[] { '/', '?', '#' });
            host = (end < 0 ? rest : rest.Substring(0, end)).ToLowerInvariant();
        }

        /// <summary>
        /// Parses <paramref name="text"/>. A text without "scheme://" is a local path (made full against
        /// <paramref name="currentDirectory"/> when relative). Throws StorageException StorageUnknownScheme or
        /// StorageInvalidLocation with what to write instead.
        /// </summary>
        public static StorageLocation Parse(string text, string currentDirectory = null)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Invalid(text ?? "", "it is empty", "Give a folder path, s3://bucket/prefix or az://account/container/prefix.");
            }
            var m = SchemePattern.Match(text);
            if (!m.Success)
            {
                return LocalFolder(currentDirectory == null ? System.IO.Path.GetFullPath(text) : System.IO.Path.GetFullPath(System.IO.Path.Combine(currentDirectory, text)));
            }
            string scheme = m.Groups["scheme"].Value.ToLowerInvariant();
            string rest = text.Substring(m.Length);
            switch (scheme)
            {
                case "file":
                    return LocalFolder(new Uri(text).LocalPath);
                case "s3":
                    return ParseS3(text, rest);
                case "az":
                    return ParseAzure(text, rest);
                case "https":
                case "http":
                    return ParseAzureHttps(text, scheme, rest);
                default:
                    throw new StorageException("StorageUnknownScheme", ErrorCategory.InvalidArgument, Redact(text),
                        $"'{Redact(text)}' is not a backup location DoltBackup can write: the scheme '{scheme}://' is not supported for backup sets.",
                        "Give a folder path or file:// URL, s3://bucket/prefix, az://account/container/prefix or https://account.blob.core.windows.net/container/prefix.");
            }
        }

        /// <summary>A local folder location.</summary>
        public static StorageLocation LocalFolder(string fullPath) => new StorageLocation
        {
            Kind = StorageKind.Local,
            LocalPath = fullPath,
            DisplayName = fullPath,
        };

        /// <summary>The same location moved down to <paramref name="key"/> (for example one set under a root).</summary>
        public StorageLocation Child(string key)
        {
            ObjectKey.Check(key);
            var child = (StorageLocation)MemberwiseClone();
            if (Kind == StorageKind.Local)
            {
                child.LocalPath = System.IO.Path.Combine(LocalPath, key.Replace('/', System.IO.Path.DirectorySeparatorChar));
                child.DisplayName = child.LocalPath;
            }
            else
            {
                child.Prefix = ObjectKey.Combine(Prefix, key);
                child.DisplayName = DisplayName.TrimEnd('/') + "/" + key;
            }
            return child;
        }

        /// <inheritdoc />
        public override string ToString() => DisplayName;

        private static StorageLocation ParseS3(string text, string rest)
        {
            CheckNoQuery(text, rest);
            SplitFirst(rest, out string bucket, out string prefix);
            if (!BucketPattern.IsMatch(bucket))
            {
                throw Invalid(text, $"'{bucket}' is not a valid S3 bucket name", "Write s3://bucket/prefix with a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens.");
            }
            return new StorageLocation { Kind = StorageKind.S3, Bucket = bucket, Prefix = prefix, DisplayName = Display("s3://" + bucket, prefix) };
        }

        private static StorageLocation ParseAzure(string text, string rest)
        {
            CheckNoQuery(text, rest);
            SplitFirst(rest, out string account, out string afterAccount);
            SplitFirst(afterAccount, out string container, out string prefix);
            return Azure(text, account, container, prefix, "az://" + account + "/" + container);
        }

        private static StorageLocation ParseAzureHttps(string text, string scheme, string rest)
        {
            SplitFirst(rest, out string host, out string path);
            host = host.ToLowerInvariant();
            if (!host.EndsWith(AzureBlobHostSuffix, StringComparison.Ordinal))
            {
                throw new StorageException("StorageUnknownScheme", ErrorCategory.InvalidArgument, Redact(text),
                    $"'{Redact(text)}' is not a backup location DoltBackup can write: only Azure Blob Storage URLs (https://account{AzureBlobHostSuffix}/container/prefix) are accepted as https:// locations.",
                    "For DoltHub/DoltLab remotes use a Dolt backup URL with -Method DoltBackup; for a set location give a folder, s3://bucket/prefix or az://account/container/prefix.");
            }
            if (scheme != "https")
            {
                throw Invalid(text, "Azure Blob Storage is reached over https only", "Write https://account" + AzureBlobHostSuffix + "/container/prefix.");
            }
            CheckNoQuery(text, path);
            SplitFirst(path, out string container, out string prefix);
            string account = host.Substring(0, host.Length - AzureBlobHostSuffix.Length);
            return Azure(text, account, container, prefix, "https://" + host + "/" + container);
        }

        private static StorageLocation Azure(string text, string account, string container, string prefix, string root)
        {
            if (!AccountPattern.IsMatch(account))
            {
                throw Invalid(text, $"'{account}' is not a valid storage account name", "Write az://account/container/prefix with an account name of 3 to 24 lower-case letters and digits.");
            }
            if (!ContainerPattern.IsMatch(container))
            {
                throw Invalid(text, string.IsNullOrEmpty(container) ? "it names no container" : $"'{container}' is not a valid container name",
                    "Write az://account/container/prefix with a container name of 3 to 63 lower-case letters, digits and single hyphens.");
            }
            return new StorageLocation { Kind = StorageKind.AzureBlob, Account = account, Container = container, Prefix = prefix, DisplayName = Display(root, prefix) };
        }

        private static void CheckNoQuery(string text, string rest)
        {
            if (rest.IndexOf('?') >= 0 || rest.IndexOf('#') >= 0)
            {
                throw Invalid(text, "it has a query string (a SAS token in a URL would be a secret in clear text)",
                    "Give the URL without '?...' and pass the token as a SecureString: New-DoltBackupStorageContext -SasToken (Read-Host -AsSecureString).");
            }
        }

        private static void SplitFirst(string rest, out string first, out string remainder)
        {
            int slash = rest.IndexOf('/');
            first = slash < 0 ? rest : rest.Substring(0, slash);
            remainder = slash < 0 ? "" : string.Join("/", rest.Substring(slash + 1).Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries));
            if (remainder.Length > 0)
            {
                ObjectKey.Check(remainder);
            }
        }

        private static string Display(string root, string prefix) => prefix.Length == 0 ? root : root + "/" + prefix;

        /// <summary>The text without any query string (where a SAS token would be).</summary>
        internal static string Redact(string text)
        {
            int q = text.IndexOfAny(new[] { '?', '#' });
            return q < 0 ? text : text.Substring(0, q) + "?<redacted>";
        }

        private static StorageException Invalid(string text, string why, string action) => new StorageException("StorageInvalidLocation", ErrorCategory.InvalidArgument,
            Redact(text), $"'{Redact(text)}' is not a valid backup location: {why}.", action);
    }
}
