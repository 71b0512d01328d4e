# Pester 5 tests for Export-DoltGrants. They need a MySQL-protocol server (Dolt, MariaDB or MySQL) that the account
# in $env:DOLTBACKUP_TEST_SERVER / _USER / _PASSWORD can administer (root without password by default); without it
# they are skipped.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../DoltBackup.psd1') -Force
    $script:server = $env:DOLTBACKUP_TEST_SERVER
    if ($script:server) {
        # ConvertTo-SecureString refuses an empty string: no password is an empty SecureString.
        $secure = if ($env:DOLTBACKUP_TEST_PASSWORD) { ConvertTo-SecureString $env:DOLTBACKUP_TEST_PASSWORD -AsPlainText -Force } else { [securestring]::new() }
        $user = if ($env:DOLTBACKUP_TEST_USER) { $env:DOLTBACKUP_TEST_USER } else { 'root' }
        $script:cred = [pscredential]::new($user, $secure)
    }
}

Describe 'Export-DoltGrants' {
    It 'is exported and supports -WhatIf' {
        $cmd = Get-Command Export-DoltGrants -Module DoltBackup
        $cmd.Parameters.Keys | Should -Contain 'WhatIf'
        $cmd.Parameters.Keys | Should -Contain 'ExcludePassword'
        $cmd.Parameters['InputObject'].Attributes.ValueFromPipeline | Should -Contain $true
    }

    It 'outputs a script with CREATE USER ... IDENTIFIED WITH ... AS and FLUSH PRIVILEGES' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $text = Export-DoltGrants -Server $server -Credential $cred -TlsMode None -NoHeader
        $text | Should -Match "CREATE USER IF NOT EXISTS '.+'@'.+'"
        $text | Should -Not -Match "IDENTIFIED BY '\*"
        $text | Should -Match 'FLUSH PRIVILEGES;'
    }

    It 'gives byte-identical scripts for two exports with -NoHeader' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $a = Export-DoltGrants -Server $server -Credential $cred -TlsMode None -NoHeader
        $b = Export-DoltGrants -Server $server -Credential $cred -TlsMode None -NoHeader
        $a | Should -BeExactly $b
    }

    It 'writes an owner-only file with -Path and refuses to overwrite it without -Force' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $path = Join-Path $TestDrive 'grants.sql'
        $result = Export-DoltGrants -Server $server -Credential $cred -TlsMode None -Path $path
        $result.Path | Should -Be $path
        $result.Sha256 | Should -Be (Get-FileHash $path -Algorithm SHA256).Hash.ToLowerInvariant()
        if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) {
            (Get-Item $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]::UserRead -bor [System.IO.UnixFileMode]::UserWrite)
        }
        Export-DoltGrants -Server $server -Credential $cred -TlsMode None -Path $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DoltBackup.GrantsFileExists*'
    }

    It '-WhatIf writes nothing' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $path = Join-Path $TestDrive 'whatif.sql'
        Export-DoltGrants -Server $server -Credential $cred -TlsMode None -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'reads Dolt branch control without the "could not be read" warning (qualified with a user database)' -Skip:(-not $env:DOLTBACKUP_TEST_SERVER) {
        $text = Export-DoltGrants -Server $server -Credential $cred -TlsMode None -NoHeader -WarningVariable bcWarnings -WarningAction SilentlyContinue
        @($bcWarnings | Where-Object { "$_" -like '*could not be read*' }) | Should -HaveCount 0
        if ("$text" -match 'DELETE FROM dolt_branch_control;') {
            "$text" | Should -Match 'USE <any database>'
        }
    }
}
