#
# Module manifest for DoltBackup.
# This file at the repository root points into out/DoltBackup/, where `dotnet build` lays the module out.
# The build writes a copy into out/DoltBackup/ with the 'out/DoltBackup/' prefixes removed: that copy is what ships.
# The build also writes en-US/DoltBackup.dll-Help.xml beside this file: Get-Help looks for a cmdlet's help under the
# importing module's folder, which for this manifest is the repository root.
#
@{
    RootModule           = 'out/DoltBackup/DoltBackup.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5f0c7a51-3f0e-4a53-9d35-3f4a8e2b7c19'
    Author               = 'DoltBackup contributors'
    CompanyName          = 'DoltBackup'
    Copyright            = '(c) DoltBackup contributors. Apache License 2.0.'
    Description          = 'Backs up and restores Dolt databases and Dolt SQL servers: dolt backup remotes for every database, pushes, safe file copies, EBS snapshots, configuration, users, grants and branch permissions, with a manifest that records every branch head and every file''s SHA-256.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @(
        'out/DoltBackup/DoltBackup.Format.ps1xml',
        'out/DoltBackup/Capture.Format.ps1xml',
        'out/DoltBackup/Ebs.Format.ps1xml',
        'out/DoltBackup/Verification.Format.ps1xml',
        'out/DoltBackup/Catalog.Format.ps1xml',
        'out/DoltBackup/Retention.Format.ps1xml',
        'out/DoltBackup/Grants.Format.ps1xml',
        'out/DoltBackup/Restore.Format.ps1xml',
        'out/DoltBackup/Registration.Format.ps1xml'
    )
    CmdletsToExport      = @(
        'Backup-DoltConfiguration',
        'Export-DoltGrants',
        'Get-DoltBackup',
        'New-DoltBackup',
        'New-DoltBackupStorageContext',
        'Remove-DoltBackup',
        'Restore-DoltBackup',
        'Sync-DoltBackup',
        'Test-DoltBackup'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Dolt', 'Backup', 'Restore', 'Database', 'MySQL', 'DoltHub', 'EBS', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/doltbackup/DoltBackup'
            LicenseUri   = 'https://github.com/doltbackup/DoltBackup/blob/main/LICENSE'
            ReleaseNotes = 'See https://github.com/doltbackup/DoltBackup/blob/main/CHANGELOG.md'
        }
    }
}
