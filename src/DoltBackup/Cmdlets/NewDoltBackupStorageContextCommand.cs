using System.Management.Automation;
using System.Security;
using DoltBackup.Storage;

namespace DoltBackup.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Makes the connection options for object-store backup locations (S3, Azure Blob), passed to the other cmdlets with -StorageContext.</para>
    /// <para type="description">Made once and passed along, as New-AzStorageContext is. Without a context, a location
    /// URL alone uses the default credential chains (AWS: environment, profile, instance role; Azure:
    /// DefaultAzureCredential, including managed identity). Secrets are taken as PSCredential or SecureString and are
    /// never shown. These are not the EC2 -Region/-ProfileName/-EndpointUrl of -Method EbsSnapshot.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DoltBackupStorageContext")]
    [OutputType(typeof(StorageContext))]
    public sealed class NewDoltBackupStorageContextCommand : DoltBackupCmdlet
    {
        /// <summary>S3-compatible endpoint URL.</summary>
        [Parameter(HelpMessage = "An S3-compatible endpoint (MinIO, Ceph, Wasabi), e.g. https://minio.example.com:9000. Path-style addressing is used unless -ForcePathStyle:$false.")]
        [ValidateNotNullOrEmpty]
        public string S3EndpointUrl { get; set; }

        /// <summary>Region of the bucket.</summary>
        [Parameter(HelpMessage = "The region of the S3 bucket (the signing region for a custom endpoint).")]
        [ValidateNotNullOrEmpty]
        public string S3Region { get; set; }

        /// <summary>AWS profile for S3.</summary>
        [Parameter(HelpMessage = "A profile of the shared AWS credentials/config files or the SDK store, for S3.")]
        [ValidateNotNullOrEmpty]
        public string S3ProfileName { get; set; }

        /// <summary>S3 access key id (user name) and secret access key (password).</summary>
        [Parameter(HelpMessage = "S3 access key id as the user name and secret access key as the password.")]
        [Credential]
        public PSCredential S3Credential { get; set; }

        /// <summary>Path-style addressing.</summary>
        [Parameter(HelpMessage = "Path-style addressing (https://endpoint/bucket/key). Default: on with -S3EndpointUrl, off for AWS.")]
        public SwitchParameter ForcePathStyle { get; set; }

        /// <summary>Azure Storage connection string.</summary>
        [Parameter(HelpMessage = "An Azure Storage connection string, as a SecureString.")]
        public SecureString ConnectionString { get; set; }

        /// <summary>Azure SAS token.</summary>
        [Parameter(HelpMessage = "An Azure SAS token for the container, as a SecureString.")]
        public SecureString SasToken { get; set; }

        /// <summary>Azure: the Blob service endpoint to use instead of https://&lt;account&gt;.blob.core.windows.net.</summary>
        [Parameter(HelpMessage = "Azure: the Blob service endpoint to use instead of https://<account>.blob.core.windows.net (a sovereign cloud, a private endpoint, or Azurite's http://127.0.0.1:10000/devstoreaccount1), with -SasToken or a managed identity.")]
        [ValidateNotNullOrEmpty]
        public string AzureBlobEndpoint { get; set; }

        /// <summary>User-assigned managed identity.</summary>
        [Parameter(HelpMessage = "The client id of a user-assigned managed identity (DefaultAzureCredential).")]
        [ValidateNotNullOrEmpty]
        public string ManagedIdentityClientId { get; set; }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ConnectionString != null && SasToken != null)
            {
                ThrowDoltError(new System.ArgumentException("-ConnectionString and -SasToken are two ways to sign in to Azure Storage: give one."),
                    "InvalidStorageContext", ErrorCategory.InvalidArgument, null, "Give -ConnectionString or -SasToken, not both.");
            }
            if (S3EndpointUrl != null && !(System.Uri.TryCreate(S3EndpointUrl, System.UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https")))
            {
                ThrowDoltError(new System.ArgumentException($"-S3EndpointUrl '{S3EndpointUrl}' is not an http(s) URL."),
                    "InvalidStorageContext", ErrorCategory.InvalidArgument, S3EndpointUrl, "Give a URL such as https://minio.example.com:9000.");
            }
            if (AzureBlobEndpoint != null && !(System.Uri.TryCreate(AzureBlobEndpoint, System.UriKind.Absolute, out var blob) && (blob.Scheme == "http" || blob.Scheme == "https") && string.IsNullOrEmpty(blob.Query)))
            {
                ThrowDoltError(new System.ArgumentException($"-AzureBlobEndpoint '{StorageLocation.Redact(AzureBlobEndpoint)}' is not an http(s) URL without a query string."),
                    "InvalidStorageContext", ErrorCategory.InvalidArgument, StorageLocation.Redact(AzureBlobEndpoint),
                    "Give a URL such as https://account.blob.core.usgovcloudapi.net; pass a SAS token with -SasToken, never in the URL.");
            }
            var context = new StorageContext
            {
                AzureBlobEndpoint = AzureBlobEndpoint?.TrimEnd('/'),
                S3EndpointUrl = S3EndpointUrl,
                S3Region = S3Region,
                S3ProfileName = S3ProfileName,
                ForcePathStyle = MyInvocation.BoundParameters.ContainsKey(nameof(ForcePathStyle)) ? ForcePathStyle.IsPresent : (bool?)null,
                ManagedIdentityClientId = ManagedIdentityClientId,
            };
            context.SetSecrets(S3Credential, ConnectionString, SasToken);
            WriteVerbose("Storage context: " + context);
            WriteObject(context);
        }
    }
}
