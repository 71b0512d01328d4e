# The baseline of the import benchmark: a binary module with a manifest, one trivial cmdlet, nothing else.
@{
    RootModule           = 'EmptyBinaryModule.dll'
    ModuleVersion        = '1.0.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '0b7c0d2e-8a55-4a4e-9a43-1f0de6f5a0aa'
    Author               = 'DoltBackup benchmarks'
    Description          = 'Empty binary module used as the import-time baseline.'
    PowerShellVersion    = '5.1'
    CmdletsToExport      = @('Get-EmptyThing')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
