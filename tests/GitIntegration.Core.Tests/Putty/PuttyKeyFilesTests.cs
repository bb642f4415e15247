using FluentAssertions;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;
using Xunit;

namespace GitIntegration.Core.Tests.Putty;

/// <summary>
/// What ConvertFrom- and ConvertTo-PuttyKey tell the admin when they refuse (the file, and the parameter that gets
/// past it), and the comment a converted key keeps, as puttygen shows it.
/// </summary>
public sealed class PuttyKeyFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static GitIntegrationException Refused(Action act) =>
        FluentActions.Invoking(act).Should().Throw<GitIntegrationException>().Which;

    private string Ppk(string name, KeyAlgorithm algorithm)
    {
        var path = _dir[name];
        File.WriteAllText(path, PpkFormat.Write(KeyGenerator.Generate(algorithm, null, "putty key"), null));
        return path;
    }

    [Fact]
    public void RefusalsNameTheFileAndTheParameterThatHelps()
    {
        var ed = Ppk("ed.ppk", KeyAlgorithm.Ed25519);
        var e = Refused(() => PuttyKeyFiles.PlanConvertFrom(ed, PrivateKeyFormat.Pem, null, false));
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        e.Target.Should().Be(ed);
        e.Message.Should()
            .Be(
                $"'{ed}' holds an Ed25519 key, which has no OpenSSL PEM form. Use -Format OpenSsh, "
                    + "or an RSA key for the integration."
            );

        var noExtension = _dir["putty"];
        File.Copy(ed, noExtension);
        e = Refused(() => PuttyKeyFiles.PlanConvertFrom(noExtension, null, null, false));
        e.ErrorId.Should().Be(ErrorIds.InvalidKeyParameters);
        e.Target.Should().Be(noExtension);
        e.Message.Should().Contain($"'{noExtension}'").And.Contain("-Destination");

        File.WriteAllText(_dir["ed"], "already there");
        e = Refused(() => PuttyKeyFiles.PlanConvertFrom(ed, null, null, false));
        e.ErrorId.Should().Be(ErrorIds.KeyFileExists);
        e.Target.Should().Be(_dir["ed"]);
        e.Message.Should()
            .Be(
                $"'{_dir["ed"]}' already exists and was left as it is. Use -Force to replace it, "
                    + "or choose another -Destination."
            );

        var pem = _dir["id.ppk"];
        File.WriteAllText(pem, KeyWriter.Write(KeyGenerator.Generate(KeyAlgorithm.Ecdsa), PrivateKeyFormat.Pem, null));
        foreach (
            var act in new Action[]
            {
                () => PuttyKeyFiles.PlanConvertFrom(pem, null, _dir["out"], false),
                () => PuttyKeyFiles.ConvertFrom(pem, null, PrivateKeyFormat.OpenSsh, null, _dir["out"], false),
            }
        )
        {
            e = Refused(act);
            e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
            e.Target.Should().Be(pem);
            e.Message.Should().Contain($"'{pem}' is not a PuTTY key").And.Contain("Convert-GitSshKey");
        }
        File.Exists(_dir["out"]).Should().BeFalse();
    }

    [Fact]
    public void AnEd25519KeyIsPlannedAsOpenSshWithAWarning()
    {
        var ed = Ppk("ed.ppk", KeyAlgorithm.Ed25519);
        var warnings = new List<string>();
        var plan = PuttyKeyFiles.PlanConvertFrom(ed, null, null, false, warnings.Add);
        plan.Format.Should().Be(PrivateKeyFormat.OpenSsh);
        plan.Destination.Should().Be(_dir["ed"]);
        warnings
            .Should()
            .ContainSingle()
            .Which.Should()
            .Contain($"'{ed}'")
            .And.Contain("OpenSSH format")
            .And.Contain("New-GitSshKey");
        PuttyKeyFiles.PlanConvertFrom(ed, PrivateKeyFormat.OpenSsh, null, false, warnings.Add);
        warnings.Should().HaveCount(1, "an OpenSSH format asked for needs no warning");
    }

    [Fact]
    public void ADamagedPpkIsReportedWithItsPath()
    {
        var path = Ppk("bad.ppk", KeyAlgorithm.Ed25519);
        File.WriteAllText(path, File.ReadAllText(path).Replace("Public-Lines: ", "Public-Lines: x"));
        var e = Refused(() => PuttyKeyFiles.Read(path, null));
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        e.Target.Should().Be(path);
        Refused(() => PuttyKeyFiles.Read(_dir["missing.ppk"], null)).Target.Should().Be(_dir["missing.ppk"]);
    }

    [Fact]
    public void ConvertToTakesTheCommentFromThePubBesideTheKey()
    {
        var source = _dir["id_ecdsa"];
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-C", "admin@runbook", "-f", source);
        KeyReader.ReadFile(source).Key!.Comment.Should().BeEmpty("PEM keeps no comment; the .pub beside it does");

        var info = PuttyKeyFiles.ConvertTo(source, null, null, new PpkWriteOptions(), _dir["id.ppk"], false);

        info.IsPrivate.Should().BeTrue();
        info.IsEncrypted.Should().BeFalse();
        info.Cipher.Should().BeNull();
        info.Comment.Should().Be("admin@runbook");
        Tool.Ok("puttygen", _dir["id.ppk"], "-O", "public-openssh").Trim().Should().EndWith(" admin@runbook");
    }

    [Fact]
    public void ConvertToWithoutAPubBesideTheKeyWritesNoComment()
    {
        var source = _dir["id_ecdsa"];
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-C", "admin@runbook", "-f", source);
        File.Delete(source + ".pub");

        var info = PuttyKeyFiles.ConvertTo(source, null, null, new PpkWriteOptions(), _dir["id.ppk"], false);

        info.Comment.Should().BeNullOrEmpty();
        Tool.Ok("puttygen", _dir["id.ppk"], "-O", "public-openssh").Trim().Split(' ').Should().HaveCount(2);
    }

    [Theory]
    [InlineData("id_rsa", "id_rsa.ppk")]
    [InlineData("key.pem", "key.ppk")]
    [InlineData("key.KEY", "key.ppk")]
    [InlineData("key.txt", "key.txt.ppk")]
    public void APpkIsWrittenBesideTheKey(string key, string ppk) =>
        PuttyKeyFiles.DefaultPpkPath(_dir[key]).Should().Be(_dir[ppk]);

    [Theory]
    [InlineData("key.ppk", "key")]
    [InlineData("KEY.PPK", "KEY")]
    [InlineData("key.pem", null)]
    public void AConvertedPpkLosesItsExtension(string ppk, string? key) =>
        PuttyKeyFiles.DefaultOpenSshPath(_dir[ppk]).Should().Be(key == null ? null : _dir[key]);
}
