#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Pester 5 tests of the module's foundation: the same user-visible behaviour as
# tests/DoltBackup.Tests/Module/*.cs. Run by ./build.ps1 -Task Test after `dotnet build`.

BeforeAll {
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $manifestPath = Join-Path $repoRoot 'DoltBackup.psd1'
    Import-Module $manifestPath -Force

    function New-SampleBackupFolder([string] $Folder) {
        New-Item -ItemType Directory -Path $Folder -Force | Out-Null
        @'
{
  "schemaVersion": 1,
  "id": "20261123T191000Z-prod",
  "name": "prod",
  "method": "DoltBackup",
  "status": "Completed",
  "createdUtc": "2026-11-23T19:10:00Z",
  "source": { "server": "db1", "port": 3306 },
  "destination": { "baseUrl": "file:///backups/prod" },
  "databases": [ { "name": "sales", "url": "file:///backups/prod/sales", "status": "Completed",
                   "branches": [ { "name": "main", "hash": "d2ajqa7h0hg1h6dn281ufpfqn3vfk5fj" } ],
                   "workingSetHash": "f212p79dk1pbbr4dcbhppkmmsaplic07" } ]
}
'@ | Set-Content -Path (Join-Path $Folder 'manifest.json') -Encoding utf8
    }
}

Describe 'DoltBackup module' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $manifestPath
        $info.CompatiblePSEditions | Should -Contain 'Desktop'
        $info.CompatiblePSEditions | Should -Contain 'Core'
        $info.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'exports Get-DoltBackup' {
        (Get-Command -Module DoltBackup).Name | Should -Contain 'Get-DoltBackup'
    }

    It 'has help with examples for every cmdlet' {
        foreach ($command in Get-Command -Module DoltBackup) {
            $help = Get-Help $command.Name -Full
            @($help.examples.example).Count | Should -BeGreaterThan 0 -Because "$($command.Name) needs examples"
        }
    }
}

Describe 'Get-DoltBackup' {
    It 'reads a backup folder and a manifest.json path' {
        $folder = Join-Path $TestDrive 'set1'
        New-SampleBackupFolder $folder
        (Get-DoltBackup -Path $folder).Id | Should -Be '20261123T191000Z-prod'
        (Get-DoltBackup -Path (Join-Path $folder 'manifest.json')).Databases[0].WorkingSetHash | Should -Be 'f212p79dk1pbbr4dcbhppkmmsaplic07'
    }

    It 'binds FullName from Get-ChildItem' {
        New-SampleBackupFolder (Join-Path $TestDrive 'a')
        New-SampleBackupFolder (Join-Path $TestDrive 'b')
        @(Get-ChildItem $TestDrive -Filter manifest.json -Recurse | Get-DoltBackup).Count | Should -Be 2
    }

    It 'writes a non-terminating error for a missing folder and goes on' {
        New-SampleBackupFolder (Join-Path $TestDrive 'good')
        $result = Get-DoltBackup -Path (Join-Path $TestDrive 'missing'), (Join-Path $TestDrive 'good') -ErrorVariable errs -ErrorAction SilentlyContinue
        @($result).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.ManifestNotFound*'
    }

    It 'refuses a manifest with a newer schemaVersion' {
        $folder = Join-Path $TestDrive 'future'
        New-Item -ItemType Directory -Path $folder | Out-Null
        '{"schemaVersion": 99}' | Set-Content (Join-Path $folder 'manifest.json')
        Get-DoltBackup -Path $folder -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].Exception.Message | Should -Match 'Update-Module'
    }
}
