#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5: Restore-DoltBackup of EbsSnapshot sets, the behaviour that needs no EC2 traffic (the requests themselves
# are tested in tests/DoltBackup.Tests/Cli/EbsRestoreCmdletTests.cs against an in-process EC2 endpoint).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force

    function New-EbsSet {
        $m = [DoltBackup.Manifest.BackupManifest]::new()
        $m.Id = '20261123T191000Z-prod'
        $m.Name = 'prod'
        $m.Method = 'EbsSnapshot'
        foreach ($i in 1, 2) {
            $s = [DoltBackup.Manifest.VolumeSnapshot]::new()
            $s.SnapshotId = "snap-000000000000000$i"
            $s.VolumeId = "vol-000000000000000$i"
            $s.AvailabilityZone = 'eu-west-1a'
            $s.Status = 'Completed'
            $m.Snapshots.Add($s)
        }
        $m
    }

    # Nothing listens here: a test that reached EC2 would fail with a connection error instead of the expected one.
    $script:Ebs = @{ Region = 'eu-west-1'; EndpointUrl = 'http://127.0.0.1:9/' }
    # Fake keys for this file only: the user's own are put back in AfterAll (the other files run in the same session).
    $script:savedKeys = @{ Id = $env:AWS_ACCESS_KEY_ID; Secret = $env:AWS_SECRET_ACCESS_KEY }
    $env:AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKE0000'
    $env:AWS_SECRET_ACCESS_KEY = 'fake-secret-key-never-sent'
}

AfterAll {
    $env:AWS_ACCESS_KEY_ID = $script:savedKeys.Id
    $env:AWS_SECRET_ACCESS_KEY = $script:savedKeys.Secret
}

Describe 'Restore-DoltBackup of an EbsSnapshot set' {
    It 'has the EBS parameters and no AWS credential parameter' {
        $cmd = Get-Command Restore-DoltBackup -Module DoltBackup
        foreach ($p in 'AvailabilityZone', 'InstanceId', 'Device', 'Tag', 'VolumeType', 'Region', 'ProfileName', 'EndpointUrl') {
            $cmd.Parameters.Keys | Should -Contain $p
        }
        # -Credential is the Dolt server login.
        $cmd.Parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
    }

    It 'refuses a device count that does not match the snapshots before any request' {
        $err = $null
        New-EbsSet | Restore-DoltBackup -InstanceId i-0123456789abcdef0 -Device /dev/sdf -Force @Ebs -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.EbsDeviceCount*'
    }

    It 'refuses -Device without -InstanceId' {
        $err = $null
        New-EbsSet | Restore-DoltBackup -Device /dev/sdf, /dev/sdg -Force @Ebs -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.EbsDeviceWithoutInstance*'
    }

    It 'refuses database parameters for an EbsSnapshot set' {
        $err = $null
        New-EbsSet | Restore-DoltBackup -Prefix check_ -Force @Ebs -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.EbsParameterNotApplicable*'
    }

    It 'refuses EBS parameters for a set of another method' {
        $m = [DoltBackup.Manifest.BackupManifest]::new()
        $m.Id = 'x'
        $m.Method = 'DoltBackup'
        $err = $null
        $m | Restore-DoltBackup -InstanceId i-0123456789abcdef0 -DataDir ([IO.Path]::GetTempPath()) -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.EbsParameterNotApplicable*'
    }

    It 'documents every EBS parameter and the mount steps' {
        foreach ($p in 'AvailabilityZone', 'InstanceId', 'Device', 'Tag', 'VolumeType', 'Region', 'ProfileName', 'EndpointUrl') {
            (Get-Help Restore-DoltBackup -Parameter $p).description.Text | Should -Not -BeNullOrEmpty
        }
        $full = (Get-Help Restore-DoltBackup -Full | Out-String)
        $full | Should -Match 'nouuid'
        $full | Should -Match 'vgimportclone'
        $full | Should -Match 'lsblk'
    }

    It 'shows a RestoredVolume with its table view' {
        $v = [DoltBackup.Ebs.RestoredVolume]::new()
        $v.SnapshotId = 'snap-0000000000000001'
        $v.VolumeId = 'vol-0new000000000001'
        $v.AvailabilityZone = 'eu-west-1a'
        $v.Status = 'Completed'
        $text = $v | Out-String
        $text | Should -Match 'Zone'
        $text | Should -Match 'vol-0new000000000001'
    }
}
