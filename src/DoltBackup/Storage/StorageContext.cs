using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace DoltBackup.Storage
{
    /// <summary>
    /// How to reach object-store backup locations: made once (New-DoltBackupStorageContext) and passed to the cmdlets
    /// with -StorageContext. Without one, a URL alone uses the default credential chain (AWS: environment, profile,
    /// instance role; Azure: DefaultAzureCredential, which includes managed identity). Separate from the EC2
    /// -Region/-ProfileName/-EndpointUrl of -Method EbsSnapshot. Secrets are kept as SecureString/PSCredential and
    /// never shown: <see cref="ToString"/> and the public properties say only whether one is set.
    /// </summary>
    public sealed class StorageContext
    {
        /// <summary>S3: a custom endpoint (MinIO, Ceph, Wasabi, a test server), e.g. https://minio.example:9000.</summary>
        public string S3EndpointUrl { get; set; }

        /// <summary>S3: the region of the bucket (signing region for a custom endpoint).</summary>
        public string S3Region { get; set; }

        /// <summary>S3: a profile of the shared AWS credentials/config files or the SDK store.</summary>
        public string S3ProfileName { get; set; }

        /// <summary>S3: path-style addressing (https://endpoint/bucket/key). Null: on for a custom endpoint, off for AWS.</summary>
        public bool? ForcePathStyle { get; set; }

        /// <summary>
        /// Azure: the Blob service endpoint used instead of https://&lt;account&gt;.blob.core.windows.net for az:// and
        /// https:// locations with a SAS token or a managed identity (a connection string carries its own endpoint).
        /// </summary>
        public string AzureBlobEndpoint { get; set; }

        /// <summary>Azure: the client id of a user-assigned managed identity (DefaultAzureCredential).</summary>
        public string ManagedIdentityClientId { get; set; }

        /// <summary>True when an S3 access key (PSCredential) is set.</summary>
        public bool HasS3Credential => S3Credential != null;

        /// <summary>True when an Azure connection string is set.</summary>
        public bool HasConnectionString => ConnectionString != null;

        /// <summary>True when an Azure SAS token is set.</summary>
        public bool HasSasToken => SasToken != null;

        /// <summary>S3 access key id (user name) and secret access key (password).</summary>
        internal PSCredential S3Credential { get; set; }

        /// <summary>Azure Storage connection string.</summary>
        internal SecureString ConnectionString { get; set; }

        /// <summary>Azure SAS token (with or without the leading '?').</summary>
        internal SecureString SasToken { get; set; }

        /// <summary>Retries of a failed request (the SDKs' own retry policies). Tests lower it so a stopped endpoint fails fast.</summary>
        internal int MaxRetries { get; set; } = 3;

        /// <summary>Timeout of one request.</summary>
        internal TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Sets the secrets (the cmdlet's and the tests' way in; the properties stay internal so they are never formatted).</summary>
        public void SetSecrets(PSCredential s3Credential, SecureString connectionString, SecureString sasToken)
        {
            S3Credential = s3Credential;
            ConnectionString = connectionString;
            SasToken = sasToken;
        }

        /// <summary>The plain text of a SecureString, for the SDK call that needs it only.</summary>
        internal static string Reveal(SecureString secret)
        {
            if (secret == null)
            {
                return null;
            }
            IntPtr p = IntPtr.Zero;
            try
            {
                p = Marshal.SecureStringToGlobalAllocUnicode(secret);
                return Marshal.PtrToStringUni(p);
            }
            finally
            {
                if (p != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(p);
                }
            }
        }

        /// <inheritdoc />
        public override string ToString()
        {
            var parts = new System.Collections.Generic.List<string>();
            if (!string.IsNullOrEmpty(S3EndpointUrl)) parts.Add("S3 endpoint " + S3EndpointUrl);
            if (!string.IsNullOrEmpty(S3Region)) parts.Add("S3 region " + S3Region);
            if (!string.IsNullOrEmpty(S3ProfileName)) parts.Add("S3 profile " + S3ProfileName);
            if (HasS3Credential) parts.Add("S3 access key (hidden)");
            if (HasConnectionString) parts.Add("Azure connection string (hidden)");
            if (!string.IsNullOrEmpty(AzureBlobEndpoint)) parts.Add("Azure Blob endpoint " + AzureBlobEndpoint);
            if (HasSasToken) parts.Add("Azure SAS token (hidden)");
            if (!string.IsNullOrEmpty(ManagedIdentityClientId)) parts.Add("Azure managed identity " + ManagedIdentityClientId);
            return parts.Count == 0 ? "Default credential chains" : string.Join("; ", parts);
        }
    }
}
