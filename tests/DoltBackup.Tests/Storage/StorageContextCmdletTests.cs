using System.Linq;
using DoltBackup.Storage;
using DoltBackup.Tests.Infrastructure;
using Xunit;

namespace DoltBackup.Tests.Storage
{
    public class StorageContextCmdletTests
    {
        private const string Secret = "Sup3rSecretKeyValue-xyz";

        [Fact]
        public void New_DoltBackupStorageContext_keeps_the_options_and_never_shows_a_secret()
        {
            using var host = new PowerShellHost();
            var result = host.Run($@"
$sec = [System.Net.NetworkCredential]::new('', '{Secret}').SecurePassword
$cred = [pscredential]::new('AKIAEXAMPLE', $sec)
$ctx = New-DoltBackupStorageContext -S3EndpointUrl http://127.0.0.1:9000 -S3Region eu-west-1 -S3Credential $cred -Verbose
$ctx
($ctx.PSObject.Properties | ForEach-Object {{ ""$($_.Name)=$($_.Value)"" }}) -join ""`n""
""$ctx""");
            var output = result.Output;
            Assert.True(result.Terminating == null && result.Errors.Count == 0, result.AllText() + result.Terminating);
            Assert.NotEmpty(result.Verbose);
            var context = output.Select(o => o.BaseObject).OfType<StorageContext>().Single();
            Assert.Equal("http://127.0.0.1:9000", context.S3EndpointUrl);
            Assert.Equal("eu-west-1", context.S3Region);
            Assert.True(context.HasS3Credential);
            Assert.Null(context.ForcePathStyle);
            string all = result.AllText() + System.Text.Json.JsonSerializer.Serialize(context);
            Assert.DoesNotContain(Secret, all);
            Assert.Contains("S3 access key (hidden)", all);
        }

        [Fact]
        public void Azure_secrets_are_SecureStrings_and_stay_hidden()
        {
            using var host = new PowerShellHost();
            var output = host.Invoke($@"
$ctx = New-DoltBackupStorageContext -ConnectionString ([System.Net.NetworkCredential]::new('', 'AccountName=a1;AccountKey={Secret}').SecurePassword)
(($ctx.PSObject.Properties | ForEach-Object {{ ""$($_.Name)=$($_.Value)"" }}) -join ""`n"") + ""`n$ctx""");
            string all = string.Join("\n", output.Select(o => o.ToString()));
            Assert.DoesNotContain(Secret, all);
            Assert.Contains("HasConnectionString", all);
            Assert.Equal("SecureString", host.Invoke("(Get-Command New-DoltBackupStorageContext).Parameters['SasToken'].ParameterType.Name")[0].ToString());
        }

        [Fact]
        public void A_connection_string_and_a_sas_token_together_are_refused()
        {
            using var host = new PowerShellHost();
            var result = host.Run(@"
$s = [System.Net.NetworkCredential]::new('', 'x').SecurePassword
New-DoltBackupStorageContext -ConnectionString $s -SasToken $s -ErrorAction Stop");
            var record = result.Terminating?.ErrorRecord ?? result.Errors.FirstOrDefault();
            Assert.NotNull(record);
            Assert.Equal("DoltBackup.InvalidStorageContext,DoltBackup.Cmdlets.NewDoltBackupStorageContextCommand", record.FullyQualifiedErrorId);
        }
    }
}
