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

    It 'has help with examples and a description for every parameter of every cmdlet' {
        foreach ($command in Get-Command -Module DoltBackup) {
            $help = Get-Help $command.Name -Full
            @($help.examples.example | Where-Object { "$($_.code)".Trim() }).Count | Should -BeGreaterThan 0 -Because "$($command.Name) needs examples"
            foreach ($p in $help.parameters.parameter) {
                ($p.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "$($command.Name) -$($p.name) needs a description"
            }
        }
    }
}

Describe 'Format views' {
    # The same check as FormatViewFitTests.cs: the New-/Sync-DoltBackup table fits an 80-column console.
    It 'shows a backup set in 80 columns with every column whole' {
        $m = [DoltBackup.Manifest.BackupManifest]::new()
        $m.Id = '20261203T021500Z-production-eu1'
        $m.Method = 'EbsSnapshot'
        $m.Status = 'PartiallyCompleted'
        $m.Destination.BaseUrl = 'file:///var/backups/dolt/production-eu-west-1/20261203T021500Z-production/warehouse_archive'
        $lines = ($m | Out-String -Width 80) -replace '\e\[[0-9;]*m', '' -split '\r?\n' | Where-Object { $_.Trim() }
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because $_ }
        foreach ($label in 'Id', 'Method', 'Status', 'Databases', 'Failed') { $lines[0] | Should -Match "\b$label\b" }
        $lines.Count | Should -Be 3
    }
}

# Get-Help finds a binary cmdlet's MAML only under the importing module's folder: every way of importing must show it.
# Each import runs in its own pwsh, so the module is loaded from that path alone.
Describe 'Help after <Name>' -ForEach @(
    @{ Name = 'Import-Module ./DoltBackup.psd1' }
    @{ Name = 'Import-Module ./out/DoltBackup' }
    @{ Name = 'Import-Module of the expanded zip' }
) {
    BeforeAll {
        $pwsh = (Get-Process -Id $PID).Path
        $manifest = switch -Wildcard ($Name) {
            '*./DoltBackup.psd1' { Join-Path $repoRoot 'DoltBackup.psd1' }
            '*./out/DoltBackup' { Join-Path $repoRoot 'out/DoltBackup/DoltBackup.psd1' }
            default {
                $expanded = Join-Path $TestDrive 'zip'
                Expand-Archive -Path (Join-Path $repoRoot 'out/DoltBackup.zip') -DestinationPath $expanded
                Join-Path $expanded 'DoltBackup/DoltBackup.psd1'
            }
        }
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        $results = & $pwsh -NoProfile -NonInteractive -Command {
            param($Manifest, $Common)
            Import-Module $Manifest -ErrorAction Stop
            foreach ($c in Get-Command -Module DoltBackup) {
                [pscustomobject]@{
                    Name         = $c.Name
                    Examples     = @((Get-Help $c.Name -Examples).examples.example | Where-Object { "$($_.code)".Trim() }).Count
                    Undocumented = @($c.Parameters.Keys | Where-Object { $_ -notin $Common } |
                            Where-Object { -not ((Get-Help $c.Name -Parameter $_).description.Text -join '').Trim() })
                }
            }
        } -args $manifest, $common
    }

    It 'shows examples and parameter descriptions for every cmdlet' {
        @($results).Count | Should -Be @(Get-Command -Module DoltBackup).Count
        foreach ($r in $results) {
            $r.Examples | Should -BeGreaterThan 0 -Because "Get-Help $($r.Name) -Examples"
            @($r.Undocumented) -join ', ' | Should -BeNullOrEmpty -Because "Get-Help $($r.Name) -Parameter"
        }
    }
}

Describe 'Get-DoltBackup' {
    # TestDrive is shared by the It blocks of this Describe: each test works in its own folder.
    BeforeEach {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
    }

    It 'reads a backup folder and a manifest.json path' {
        $folder = Join-Path $dir 'set1'
        New-SampleBackupFolder $folder
        (Get-DoltBackup -Path $folder).Id | Should -Be '20261123T191000Z-prod'
        (Get-DoltBackup -Path (Join-Path $folder 'manifest.json')).Databases[0].WorkingSetHash | Should -Be 'f212p79dk1pbbr4dcbhppkmmsaplic07'
    }

    It 'binds FullName from Get-ChildItem' {
        New-SampleBackupFolder (Join-Path $dir 'a')
        New-SampleBackupFolder (Join-Path $dir 'b')
        @(Get-ChildItem $dir -Filter manifest.json -Recurse | Get-DoltBackup).Count | Should -Be 2
    }

    It 'writes a non-terminating error for a missing folder and goes on' {
        New-SampleBackupFolder (Join-Path $dir 'good')
        $result = Get-DoltBackup -Path (Join-Path $dir 'missing'), (Join-Path $dir 'good') -ErrorVariable errs -ErrorAction SilentlyContinue
        @($result).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.ManifestNotFound,DoltBackup.Cmdlets.GetDoltBackupCommand'
    }

    It 'refuses a manifest with a newer schemaVersion' {
        $folder = Join-Path $dir 'future'
        New-Item -ItemType Directory -Path $folder | Out-Null
        '{"schemaVersion": 99}' | Set-Content (Join-Path $folder 'manifest.json')
        Get-DoltBackup -Path $folder -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].Exception.Message | Should -Match 'Update-Module'
    }
}
