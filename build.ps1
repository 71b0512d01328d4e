<#
.SYNOPSIS
    Builds, tests and packages DoltBackup.
.DESCRIPTION
    Build:   dotnet build of the solution; lays the module out in out/DoltBackup (Import-Module ./DoltBackup.psd1 works).
    Test:    the xunit suite (dotnet test), then the Pester tests in tests/pester when Pester 5 is installed.
    Package: a Release build, then out/DoltBackup.zip with DoltBackup/ at its root (Azure Automation can import it).
    Without pwsh, `dotnet build DoltBackup.sln` and `dotnet test DoltBackup.sln` do the same Build and Test work.
.EXAMPLE
    ./build.ps1                 # Build
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$solution = Join-Path $root 'DoltBackup.sln'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' {
            Invoke-Dotnet @('build', $solution, '-c', $Configuration)
            Write-Host "Module laid out in $(Join-Path $root 'out/DoltBackup'); Import-Module $(Join-Path $root 'DoltBackup.psd1')"
        }
        'Test' {
            Invoke-Dotnet @('test', $solution, '-c', $Configuration)
            $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0.0' } | Sort-Object Version -Descending | Select-Object -First 1
            if ($pester) {
                Import-Module $pester -Force
                $config = New-PesterConfiguration
                $config.Run.Path = Join-Path $root 'tests/pester'
                $config.Run.Exit = $false
                $config.Run.PassThru = $true
                $config.Output.Verbosity = 'Detailed'
                $result = Invoke-Pester -Configuration $config
                if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
            }
            else {
                Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0): the Pester tests did not run.'
            }
        }
        'Package' {
            Invoke-Dotnet @('build', (Join-Path $root 'src/DoltBackup/DoltBackup.csproj'), '-c', 'Release')
            $zip = Join-Path $root 'out/DoltBackup.zip'
            if (-not (Test-Path $zip)) { throw "The build did not produce $zip." }
            Write-Host "Package: $zip (Azure Automation: Modules > Add a module > upload this zip)"
        }
    }
}
