using System;
using System.Management.Automation;

namespace DoltBackup.Storage
{
    /// <summary>The rules for keys inside a backup location.</summary>
    public static class ObjectKey
    {
        /// <summary>Joins key segments with '/', ignoring empty ones.</summary>
        public static string Combine(params string[] parts)
        {
            var kept = new System.Collections.Generic.List<string>();
            foreach (var p in parts)
            {
                if (!string.IsNullOrEmpty(p))
                {
                    kept.Add(p.Trim('/'));
                }
            }
            return string.Join("/", kept.FindAll(p => p.Length > 0));
        }

        /// <summary>Throws StorageInvalidKey unless <paramref name="key"/> is a relative, '/'-separated key without ".." or "." segments.</summary>
        public static string Check(string key, bool allowEmpty = false)
        {
            if (key == null || (key.Length == 0 && !allowEmpty))
            {
                throw Invalid(key ?? "", "it is empty");
            }
            if (key.Length == 0)
            {
                return key;
            }
            if (key.StartsWith("/", StringComparison.Ordinal) || key.IndexOf('\\') >= 0)
            {
                throw Invalid(key, "it must be relative and use '/' as separator");
            }
            foreach (var segment in key.Split('/'))
            {
                if (segment == ".." || segment == ".")
                {
                    throw Invalid(key, "it must not contain '.' or '..' segments");
                }
            }
            return key;
        }

        private static StorageException Invalid(string key, string why) => new StorageException("StorageInvalidKey", ErrorCategory.InvalidArgument, key,
            $"'{key}' is not a valid object key: {why}.", "This is a defect of the caller: report it.");
    }
}
