# Pester 5: user-visible behaviour of Test-DoltBackup.
# Uses the shared fixtures (../shared/fixtures beside the checkout, or DOLTBACKUP_SHARED), copied to temp dirs first.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force
    $shared = if ($env:DOLTBACKUP_SHARED) { $env:DOLTBACKUP_SHARED } else { Join-Path $PSScriptRoot '../../../shared' }
    $script:fixtures = Join-Path $shared 'fixtures'

    function Copy-Fixture([string] $Source, [string] $Name) {
        $target = Join-Path $script:temp $Name
        Copy-Item -Recurse -Path $Source -Destination $target
        Get-ChildItem -Recurse -File $target | ForEach-Object { $_.IsReadOnly = $false }
        $target
    }

    function Copy-DoltDir([string] $Fixture) {
        $db = Join-Path $script:temp 'db'
        New-Item -ItemType Directory -Path $db | Out-Null
        Copy-Fixture (Join-Path $script:fixtures "dolt/$Fixture") 'db/.dolt'
    }
}

Describe 'Test-DoltBackup' {
    BeforeEach {
        $script:temp = Join-Path ([IO.Path]::GetTempPath()) ('doltbackup-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $script:temp | Out-Null
    }
    AfterEach {
        Remove-Item -Recurse -Force $script:temp -ErrorAction SilentlyContinue
    }

    It 'is exported with help and examples' {
        Get-Command Test-DoltBackup | Should -Not -BeNullOrEmpty
        @((Get-Help Test-DoltBackup -Examples).examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'passes a real file:// backup directory, deep' {
        $store = Copy-Fixture (Join-Path $script:fixtures 'dolt-server/srv-dolt/backups/sales') 'sales'
        $results = Test-DoltBackup -Path $store -Deep
        $results | Should -Not -BeNullOrEmpty
        $results | Where-Object Status -eq 'Failed' | Should -BeNullOrEmpty
        $results | Where-Object Check -eq 'Archive.Chunks' | Select-Object -ExpandProperty Status | Should -Be 'Passed'
    }

    It 'passes every intact fixture store' -TestCases @(
        @{ Fixture = 'classic-tables' }, @{ Fixture = 'archives-v1' }, @{ Fixture = 'archives-v2' },
        @{ Fixture = 'clone-with-remote' }, @{ Fixture = 'journal' }) {
        $dolt = Copy-DoltDir $Fixture
        $summary = Test-DoltBackup -Path $dolt -Deep -Summary
        $summary.Failed | Should -Be 0
        $summary.Succeeded | Should -BeTrue
    }

    It 'finds the tampered commit of bad_commit only with -Deep' {
        $dolt = Copy-DoltDir 'corrupt/bad_commit'
        $deep = Test-DoltBackup -Path $dolt -Deep | Where-Object { $_.Status -eq 'Failed' -and $_.Level -eq 'Deep' }
        $deep.Check | Should -Be 'TableFile.Chunks'
        $deep.Message | Should -BeLike '*rlmgv0komq0oj7qu4osdo759vs4c5pvg*'
    }

    It 'finds the damaged chunk of bad_journal_crc with -Deep and not without' {
        $dolt = Copy-DoltDir 'corrupt/bad_journal_crc'
        (Test-DoltBackup -Path $dolt -Summary).Failed | Should -Be 0
        (Test-DoltBackup -Path $dolt -Deep -Summary).Failed | Should -Be 1
    }

    It 'finds a flipped byte in a journal record' {
        $dolt = Copy-DoltDir 'journal'
        $journal = Join-Path $dolt 'noms/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'
        $bytes = [IO.File]::ReadAllBytes($journal)
        $bytes[3000] = $bytes[3000] -bxor 1
        [IO.File]::WriteAllBytes($journal, $bytes)
        Test-DoltBackup -Path $dolt | Where-Object { $_.Status -eq 'Failed' -and $_.Check -eq 'Journal.Records' } | Should -Not -BeNullOrEmpty
    }

    It 'reports an unreferenced file as information, not failure' {
        $dolt = Copy-DoltDir 'archives-v2'
        $extra = Test-DoltBackup -Path $dolt | Where-Object Check -eq 'Store.ExtraFile'
        $extra.Status | Should -Be 'Info'
    }

    It 'writes an error for a path that is no backup, and goes on with the next' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $script:temp 'empty')
        $store = Copy-Fixture (Join-Path $script:fixtures 'dolt-server/srv-dolt/backups/inventory') 'inventory'
        $results = Test-DoltBackup -Path $empty.FullName, $store -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.VerificationTargetInvalid*'
        $results | Where-Object Target -eq 'inventory' | Should -Not -BeNullOrEmpty
    }

    It 'takes directories from Get-ChildItem' {
        $null = Copy-Fixture (Join-Path $script:fixtures 'dolt-server/srv-dolt/backups') 'backups'
        $summaries = Get-ChildItem -Directory (Join-Path $script:temp 'backups') | Test-DoltBackup -Summary
        $summaries | Should -HaveCount 2
        $summaries | ForEach-Object { $_.Succeeded | Should -BeTrue }
    }
}
