using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitIntegration.Core.GitHub;

/// <summary>A user or organization as GitHub describes it inside other objects.</summary>
public sealed class GitHubAccount
{
    [JsonPropertyName("login")]
    public string Login { get; set; } = "";

    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    public override string ToString() => Login;
}

/// <summary>A GitHub App (GET /app). Identified by Id: the name and slug can be changed on GitHub.</summary>
public sealed class GitHubApp
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("slug")]
    public string? Slug { get; set; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("owner")]
    public GitHubAccount? Owner { get; set; }

    [JsonPropertyName("html_url")]
    public string? HtmlUrl { get; set; }

    [JsonPropertyName("permissions")]
    public Dictionary<string, string>? Permissions { get; set; }
}

/// <summary>
/// What POST /app-manifests/{code}/conversions returns: the new app and its secrets (PEM, webhook secret). Never
/// emitted or logged.
/// </summary>
public sealed class GitHubAppRegistration
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("slug")]
    public string? Slug { get; set; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("owner")]
    public GitHubAccount? Owner { get; set; }

    [JsonPropertyName("html_url")]
    public string? HtmlUrl { get; set; }

    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; set; }

    [JsonPropertyName("webhook_secret")]
    public string? WebhookSecret { get; set; }

    [JsonPropertyName("pem")]
    public string? Pem { get; set; }
}

/// <summary>An installation of a GitHub App on an organization or user account.</summary>
public sealed class GitHubAppInstallation
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("app_id")]
    public long AppId { get; set; }

    [JsonPropertyName("app_slug")]
    public string? AppSlug { get; set; }

    [JsonPropertyName("account")]
    public GitHubAccount? Account { get; set; }

    [JsonPropertyName("target_type")]
    public string? TargetType { get; set; }

    /// <summary>all or selected.</summary>
    [JsonPropertyName("repository_selection")]
    public string? RepositorySelection { get; set; }

    [JsonPropertyName("html_url")]
    public string? HtmlUrl { get; set; }

    [JsonPropertyName("suspended_at")]
    public DateTimeOffset? SuspendedAt { get; set; }

    [JsonPropertyName("permissions")]
    public Dictionary<string, string>? Permissions { get; set; }

    /// <summary>The integration this installation belongs to (set by the commands, not by GitHub).</summary>
    [JsonIgnore]
    public string? IntegrationName { get; set; }

    [JsonIgnore]
    public bool IsSuspended => SuspendedAt != null;
}

/// <summary>A repository an installation can read (GET /installation/repositories).</summary>
public sealed class GitHubAppRepository
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("full_name")]
    public string FullName { get; set; } = "";

    [JsonPropertyName("private")]
    public bool Private { get; set; }

    [JsonPropertyName("archived")]
    public bool Archived { get; set; }

    [JsonPropertyName("default_branch")]
    public string? DefaultBranch { get; set; }

    [JsonPropertyName("html_url")]
    public string? HtmlUrl { get; set; }

    [JsonPropertyName("clone_url")]
    public string? CloneUrl { get; set; }

    [JsonPropertyName("ssh_url")]
    public string? SshUrl { get; set; }

    [JsonIgnore]
    public string? IntegrationName { get; set; }

    /// <summary>The repository as GitHub sent it, every field: what a RepositoryFilter sees.</summary>
    [JsonIgnore]
    internal JsonElement Raw { get; set; }
}

internal sealed class InstallationToken
{
    [JsonPropertyName("token")]
    public string Token { get; set; } = "";

    [JsonPropertyName("expires_at")]
    public DateTimeOffset ExpiresAt { get; set; }
}

internal static class RepositoryPage
{
    /// <summary>The repositories of one page of GET /installation/repositories, each keeping its raw JSON.</summary>
    public static List<GitHubAppRepository> Parse(GitHubResponse r)
    {
        var list = new List<GitHubAppRepository>();
        try
        {
            using var doc = JsonDocument.Parse(r.Body);
            foreach (var e in doc.RootElement.GetProperty("repositories").EnumerateArray())
            {
                var repo = e.Deserialize<GitHubAppRepository>() ?? throw new JsonException("null repository");
                repo.Raw = e.Clone();
                list.Add(repo);
            }
        }
        catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException)
        {
            throw new GitIntegrationException(
                GitHubErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                "GitHub's list of repositories could not be read ("
                    + e.Message
                    + "). Try again; if it persists, check the host URL."
            );
        }
        return list;
    }
}
