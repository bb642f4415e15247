using System;

namespace GitIntegration.Core.Rotation;

/// <summary>How far the rotation of one integration's key has come, in the order the steps run.</summary>
public enum KeyRotationStep
{
    /// <summary>Nothing done yet: no new key exists.</summary>
    NotStarted,

    /// <summary>The new key pair is written beside the old one.</summary>
    Generated,

    /// <summary>The git host has the new public key.</summary>
    Published,

    /// <summary>The repository was read with the new key.</summary>
    Verified,

    /// <summary>The integration uses the new key; the old one is still on the git host.</summary>
    Switched,

    /// <summary>The old public key is off the git host too (OldKeyUnpublished): the rotation is complete.</summary>
    Completed,
}

/// <summary>What the rotation did for one integration: the step it reached and, when it stopped short,
/// why.</summary>
public sealed class KeyRotationResult
{
    public string Name { get; set; } = "";
    public Guid Id { get; set; }
    public string? Url { get; set; }

    /// <summary>The last step done; <see cref="KeyRotationStep.Completed"/> when nothing is left.</summary>
    public KeyRotationStep Step { get; set; }

    public bool Completed => Step == KeyRotationStep.Completed;

    /// <summary>The key the integration used before (it stays on disk).</summary>
    public string? OldKeyPath { get; set; }
    public string? OldKeyFingerprint { get; set; }
    public string? NewKeyPath { get; set; }
    public string? NewKeyFingerprint { get; set; }

    /// <summary>Why the rotation stopped: the error id (also the FullyQualifiedErrorId's first part); null when
    /// completed.</summary>
    public string? Reason { get; set; }

    public string? Message { get; set; }

    /// <summary>The failure that stopped it; null when it completed or only waits for another
    /// integration.</summary>
    public GitIntegrationException? Error { get; set; }

    public override string ToString() => $"{Name}: {Step}{(Reason != null ? " (" + Reason + ")" : "")}";
}
