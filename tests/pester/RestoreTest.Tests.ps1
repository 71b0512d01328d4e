# Pester 5: user-visible behaviour of Test-DoltBackup -RestoreTest and Get-DoltBackup from a server.
# Uses the shared fixtures (../shared/fixtures beside the checkout, or DOLTBACKUP_SHARED), copied to temp dirs first.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force
    $shared = if ($env:DOLTBACKUP_SHARED) { $env:DOLTBACKUP_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
    $script:serverFixture = Join-Path $shared 'fixtures/dolt-server/srv-dolt'
}

Describe 'Test-DoltBackup -RestoreTest' {
    BeforeEach {
        $script:temp = Join-Path ([IO.Path]::GetTempPath()) ('doltbackup-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $script:temp | Out-Null
        $script:data = Join-Path $script:temp 'data'
        Copy-Item -Recurse -Path (Join-Path $script:serverFixture 'data') -Destination $script:data
        $script:set = New-DoltBackup -Method FileCopy -Name files -DataDir $script:data -Path (Join-Path $script:temp 'backups') |
            Sync-DoltBackup -Format Tar -SkipConfiguration
    }
    AfterEach {
        Remove-Item -Recurse -Force $script:temp -ErrorAction SilentlyContinue
    }

    It 'documents the new parameters with an example' {
        $help = Get-Help Test-DoltBackup -Full
        ($help.parameters.parameter | Where-Object name -eq 'RestoreTest') | Should -Not -BeNullOrEmpty
        ($help.parameters.parameter | Where-Object name -eq 'ScratchDataDir') | Should -Not -BeNullOrEmpty
        ($help.examples.example.code -join "`n") | Should -BeLike '*-RestoreTest*'
    }

    It 'unpacks a FileCopy set into a scratch data dir, passes each database, and deletes the scratch dir' {
        $scratch = Join-Path $script:temp 'scratch'
        $results = $script:set | Test-DoltBackup -RestoreTest -ScratchDataDir $scratch | Where-Object Level -eq 'RestoreTest'
        ($results.Target | Sort-Object) | Should -Be @('inventory', 'sales')
        $results | ForEach-Object { $_.Status | Should -Be 'Passed' }
        Test-Path $scratch | Should -BeFalse
    }

    It 'refuses a scratch dir that is not empty and leaves it alone' {
        $scratch = Join-Path $script:temp 'scratch'
        New-Item -ItemType Directory -Path $scratch | Out-Null
        Set-Content -Path (Join-Path $scratch 'keep.txt') -Value 'mine'
        $results = $script:set | Test-DoltBackup -RestoreTest -ScratchDataDir $scratch -ErrorVariable errs -ErrorAction SilentlyContinue |
            Where-Object Level -eq 'RestoreTest'
        $results | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.InvalidRestoreTestRequest*'
        Get-Content (Join-Path $scratch 'keep.txt') | Should -Be 'mine'
    }

    It 'restores nothing with -WhatIf' {
        $scratch = Join-Path $script:temp 'scratch'
        $results = $script:set | Test-DoltBackup -RestoreTest -ScratchDataDir $scratch -WhatIf | Where-Object Level -eq 'RestoreTest'
        $results | Should -BeNullOrEmpty
        Test-Path $scratch | Should -BeFalse
    }

    It 'checks the whole FileCopy set before unpacking: an altered data file unpacks nothing' {
        $manifestPath = Join-Path $script:set.BackupFolder 'manifest.json'
        $manifest = Get-Content -Raw $manifestPath | ConvertFrom-Json -DateKind String
        $file = $manifest.artifacts | Where-Object { $_.kind -eq 'DataFile' -and $_.size -gt 0 } | Select-Object -First 1
        $file.sha256 = '0' * 64
        $manifest | ConvertTo-Json -Depth 20 | Set-Content -Path $manifestPath
        $scratch = Join-Path $script:temp 'scratch'
        $results = Test-DoltBackup -Path $script:set.BackupFolder -RestoreTest -ScratchDataDir $scratch -ErrorVariable errs -ErrorAction SilentlyContinue |
            Where-Object Level -eq 'RestoreTest'
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DoltBackup.ArtifactHashMismatch,DoltBackup.Cmdlets.TestDoltBackupCommand'
        @($results).Count | Should -Be 2
        $results | ForEach-Object { "$($_.Status)" | Should -Be 'Failed' }
        Test-Path $scratch | Should -BeFalse
    }

    It 'refuses restore-test parameters without -RestoreTest' {
        { $script:set | Test-DoltBackup -ScratchDataDir (Join-Path $script:temp 'x') -ErrorAction Stop } | Should -Throw -ErrorId 'DoltBackup.InvalidRestoreTestRequest,DoltBackup.Cmdlets.TestDoltBackupCommand'
    }
}

Describe 'Get-DoltBackup from a server' {
    It 'documents the server parameter set' {
        $help = Get-Help Get-DoltBackup -Full
        ($help.parameters.parameter | Where-Object name -eq 'ExcludeDatabase') | Should -Not -BeNullOrEmpty
        ($help.syntax.syntaxItem | Measure-Object).Count | Should -Be 2
    }

    It 'reports a server that cannot be reached as one connection error and no output' {
        $out = Get-DoltBackup -Server 127.0.0.1 -Port 1 -TlsMode None -ConnectTimeout 5 -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'refuses -Path together with server parameters' {
        { Get-DoltBackup -Path $TestDrive -Server 127.0.0.1 -ErrorAction Stop } | Should -Throw -ErrorId 'DoltBackup.InvalidGetRequest,DoltBackup.Cmdlets.GetDoltBackupCommand'
    }
}
