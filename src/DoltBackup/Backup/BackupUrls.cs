using System;
using System.IO;
using System.Linq;

namespace DoltBackup.Backup
{
    /// <summary>
    /// Backup URLs: which schemes are accepted (file, aws, gs, http/https for DoltHub and DoltLab), the URL of each
    /// database under a base URL, and the local folder of a file:// URL.
    /// </summary>
    public static class BackupUrls
    {
        /// <summary>The schemes DoltBackup registers backups for.</summary>
        public static readonly string[] SupportedSchemes = { "file", "aws", "gs", "https", "http" };

        /// <summary>
        /// Turns -Destination into an absolute base URL: a URL with a supported scheme is kept (trailing '/' removed);
        /// a local path (no "scheme://", or a Windows drive) becomes a file:/// URL of its full path, resolved by
        /// <paramref name="resolvePath"/>. Any other scheme is refused with an <see cref="ArgumentException"/>.
        /// </summary>
        public static string NormalizeBase(string destination, Func<string, string> resolvePath)
        {
            if (string.IsNullOrWhiteSpace(destination))
            {
                throw new ArgumentException("The destination is empty.");
            }
            string d = destination.Trim();
            int sep = d.IndexOf("://", StringComparison.Ordinal);
            bool drive = d.Length >= 2 && char.IsLetter(d[0]) && d[1] == ':' && (d.Length == 2 || d[2] == '\\' || d[2] == '/');
            if (sep < 0 || drive)
            {
                return ToFileUrl((resolvePath ?? Path.GetFullPath)(d));
            }
            string scheme = d.Substring(0, sep).ToLowerInvariant();
            if (!SupportedSchemes.Contains(scheme))
            {
                throw new ArgumentException(
                    $"The destination '{destination}' uses the scheme '{scheme}', which DoltBackup does not register backups for. " +
                    "Use file:// (or a local path), aws://[table:bucket]/path, gs://bucket/path, https:// for DoltHub and DoltLab, " +
                    "or s3://bucket/prefix or az://account/container/prefix (staged on this host, then uploaded).");
            }
            if (scheme == "file")
            {
                string local = LocalPath(d);
                if (!Path.IsPathRooted(local))
                {
                    local = (resolvePath ?? Path.GetFullPath)(local);
                }
                return ToFileUrl(local);
            }
            string rest = d.Substring(sep + 3).TrimEnd('/');
            if (rest.Length == 0)
            {
                throw new ArgumentException($"The destination '{destination}' has no host or bucket.");
            }
            return scheme + "://" + rest;
        }

        /// <summary>The scheme of a URL, lower-case.</summary>
        public static string Scheme(string url)
        {
            int sep = (url ?? "").IndexOf("://", StringComparison.Ordinal);
            return sep < 0 ? "" : url.Substring(0, sep).ToLowerInvariant();
        }

        /// <summary>True for file:// URLs.</summary>
        public static bool IsFile(string url) => Scheme(url) == "file";

        /// <summary>An absolute file:/// URL for a local path (characters escaped as Dolt's URL parser expects).</summary>
        public static string ToFileUrl(string fullPath)
        {
            string p = Path.GetFullPath(fullPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            if (p.Length == 0)
            {
                p = Path.GetFullPath(fullPath);
            }
            return new Uri(p).AbsoluteUri;
        }

        /// <summary>The local path of a file:// URL (percent escapes decoded).</summary>
        public static string LocalPath(string fileUrl)
        {
            if (fileUrl.StartsWith("file:///", StringComparison.OrdinalIgnoreCase) || fileUrl.StartsWith("file://localhost/", StringComparison.OrdinalIgnoreCase))
            {
                return new Uri(fileUrl).LocalPath;
            }
            // file://relative/path: what follows the scheme is a path, relative to the current directory (as Dolt reads it).
            return Uri.UnescapeDataString(fileUrl.Substring("file://".Length));
        }

        /// <summary>
        /// The URL of one database: base, then the version label when versioned, then the database name (escaped, so
        /// any database name maps to exactly one path segment).
        /// </summary>
        public static string ForDatabase(string baseUrl, string database, string versionLabel = null)
        {
            string b = baseUrl.TrimEnd('/');
            if (!string.IsNullOrEmpty(versionLabel))
            {
                b += "/" + versionLabel;
            }
            return b + "/" + Uri.EscapeDataString(database);
        }

        /// <summary>The folder URL that holds the databases of a set (base, plus the label when versioned).</summary>
        public static string SetUrl(string baseUrl, string versionLabel = null)
            => string.IsNullOrEmpty(versionLabel) ? baseUrl.TrimEnd('/') : baseUrl.TrimEnd('/') + "/" + versionLabel;

        /// <summary>True when <paramref name="url"/> is the URL of <paramref name="database"/> in some version of a versioned set under <paramref name="baseUrl"/>.</summary>
        public static bool IsVersionOf(string url, string baseUrl, string database)
        {
            string prefix = baseUrl.TrimEnd('/') + "/";
            string suffix = "/" + Uri.EscapeDataString(database);
            if (url == null || url.Length < prefix.Length + suffix.Length || !url.StartsWith(prefix, StringComparison.Ordinal) || !url.EndsWith(suffix, StringComparison.Ordinal))
            {
                return false;
            }
            string label = url.Substring(prefix.Length, url.Length - prefix.Length - suffix.Length);
            return label.Length == 16 && Manifest.BackupId.TryParseTime(label).HasValue;
        }

        /// <summary>Compares URLs as Dolt stores them (trailing '/' ignored; file URLs compared as full paths).</summary>
        public static bool SameUrl(string a, string b)
        {
            if (a == null || b == null)
            {
                return false;
            }
            if (IsFile(a) && IsFile(b))
            {
                try
                {
                    string pa = Path.GetFullPath(LocalPath(a)).TrimEnd('/', '\\');
                    string pb = Path.GetFullPath(LocalPath(b)).TrimEnd('/', '\\');
                    return string.Equals(pa, pb, Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
                }
                catch (ArgumentException)
                {
                    return false;
                }
                catch (UriFormatException)
                {
                    return false;
                }
            }
            return string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.Ordinal);
        }
    }
}
