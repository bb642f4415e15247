@{
    RootModule           = 'GitIntegration.dll'
    # Loaded first: makes GitIntegration.Core and the libraries in Dependencies/ resolvable for the cmdlets.
    NestedModules        = @('GitIntegration.Init.dll')
    # build.ps1 stamps the version from Directory.Build.props (VersionPrefix) into the shipped copy.
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f8a3e-2a4c-4d59-9d0e-7f3c1a6e2b41'
    Author               = 'GitIntegration contributors'
    CompanyName          = 'GitIntegration'
    Copyright            = '(c) GitIntegration contributors. MIT License.'
    Description          = 'Connect git repositories to an integration from scripts: SSH keys in the format the integration demands (RSA, OpenSSL PEM), key diagnosis, PuTTY conversion, verified SSH/HTTPS connections, GitHub Apps and bulk import.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('GitIntegration.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-GitRepository'
        'Convert-GitSshKey'
        'ConvertFrom-PuttyKey'
        'ConvertTo-GitHttpsUrl'
        'ConvertTo-GitSshUrl'
        'ConvertTo-PuttyKey'
        'Export-GitIntegration'
        'Get-GitHostKey'
        'Get-GitHubAppInstallation'
        'Get-GitHubAppRepository'
        'Get-GitIntegration'
        'Get-GitJiraRepository'
        'Get-GitSshKey'
        'Import-GitIntegration'
        'Import-GitJiraRepository'
        'Install-GitHubApp'
        'New-GitSshKey'
        'Publish-GitIntegration'
        'Publish-GitSshKey'
        'Remove-GitIntegration'
        'Resume-GitHubApp'
        'Set-GitIntegration'
        'Suspend-GitHubApp'
        'Test-GitIntegration'
        'Test-GitSshKey'
        'Unpublish-GitSshKey'
        'Update-GitHubAppKey'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('git', 'ssh', 'ssh-keygen', 'pem', 'putty', 'ppk', 'github-app', 'jira', 'integration', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/gitintegration/GitIntegration/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/gitintegration/GitIntegration'
            ReleaseNotes = '0.1.0: SSH keys (New-, Get-, Test-, Convert-GitSshKey), verified connections (Connect-GitRepository, Test-GitIntegration, Get-GitHostKey), the integration store with bulk import/export, GitHub Apps. Offline help (Get-Help about_GitIntegration), Tab completion, and dependencies isolated in their own load context on PowerShell 7.'
        }
    }
}
