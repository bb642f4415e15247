using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitIntegration.Core.Store;

/// <summary>
/// The store's YAML: a fixed key order (stable diffs), nulls left out, properties sorted. Read with
/// YamlDotNet's event parser and mapped by hand so every error carries a line and column, and an
/// unknown key is an error rather than data silently dropped on the next write.
/// </summary>
public static class StoreYaml
{
    public static string Write(StoreDocument doc)
    {
        var sw = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var e = new Emitter(sw, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n"));
        e.Emit(new StreamStart());
        e.Emit(new DocumentStart());
        e.Emit(new MappingStart());
        Pair(e, "schemaVersion", doc.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        Key(e, "integrations");
        e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
        foreach (var i in doc.Integrations)
            WriteIntegration(e, i);
        e.Emit(new SequenceEnd());
        e.Emit(new MappingEnd());
        e.Emit(new DocumentEnd(true));
        e.Emit(new StreamEnd());
        return sw.ToString();
    }

    /// <summary>One integration as a YAML mapping (used by the store and by Export -Format Yaml).</summary>
    internal static void WriteIntegration(IEmitter e, Integration i)
    {
        e.Emit(new MappingStart());
        Pair(e, "id", i.Id.ToString("D"));
        Pair(e, "name", i.Name);
        Pair(e, "type", i.Type.ToString());
        Pair(e, "url", i.Url);
        Pair(e, "hostUrl", i.HostUrl);
        Pair(e, "organization", i.Organization);
        Pair(e, "privateKeyPath", i.PrivateKeyPath);
        Ref(e, "passphraseRef", i.PassphraseRef);
        Ref(e, "tokenRef", i.TokenRef);
        Ref(e, "webhookSecretRef", i.WebhookSecretRef);
        Pair(e, "sslVerify", i.SslVerify ? "true" : "false");
        Pair(e, "requireUserPat", i.RequireUserPat ? "true" : "false");
        Pair(e, "repositoryFilter", i.RepositoryFilter);
        Pair(e, "status", i.Status.ToString());
        Pair(e, "lastVerified", i.LastVerified?.ToString("o", CultureInfo.InvariantCulture));
        Pair(e, "createdAt", i.CreatedAt.ToString("o", CultureInfo.InvariantCulture));
        Pair(e, "updatedAt", i.UpdatedAt.ToString("o", CultureInfo.InvariantCulture));
        if (i.Properties.Count > 0)
        {
            Key(e, "properties");
            e.Emit(new MappingStart());
            var keys = new List<string>(i.Properties.Keys);
            keys.Sort(StringComparer.Ordinal);
            foreach (var k in keys)
                Pair(e, k, i.Properties[k], quoteAlways: true);
            e.Emit(new MappingEnd());
        }
        e.Emit(new MappingEnd());
    }

    private static void Key(IEmitter e, string k) => e.Emit(new Scalar(k));

    private static void Pair(IEmitter e, string k, string? v, bool quoteAlways = false)
    {
        if (v == null)
            return;
        Key(e, k);
        // Free text is quoted unless plain is unambiguous; multi-line text becomes a literal block.
        var style =
            v.IndexOf('\n') >= 0 ? ScalarStyle.Literal
            : quoteAlways ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        e.Emit(new Scalar(null, null, v, style, true, true));
    }

    private static void Ref(IEmitter e, string k, SecretRef? r)
    {
        if (r == null)
            return;
        Key(e, k);
        e.Emit(new MappingStart(null, null, true, MappingStyle.Flow));
        Pair(e, "vault", r.Vault);
        Pair(e, "name", r.Name);
        Pair(e, "file", r.File);
        e.Emit(new MappingEnd());
    }

    // ---------------------------------------------------------------- reading

    /// <param name="source">Named in errors (the store's path).</param>
    public static StoreDocument Read(TextReader text, string source)
    {
        var doc = new StoreDocument();
        try
        {
            var p = new Parser(text);
            p.Consume<StreamStart>();
            if (p.TryConsume<StreamEnd>(out _))
                return doc;
            p.Consume<DocumentStart>();
            if (p.Accept<Scalar>(out var empty) && empty.Value.Length == 0)
            {
                p.MoveNext();
                p.Consume<DocumentEnd>();
                return doc;
            }
            var top = Expect<MappingStart>(p, source, "a mapping with 'schemaVersion' and 'integrations'");
            bool sawVersion = false;
            while (!p.TryConsume<MappingEnd>(out _))
            {
                var key = ExpectScalar(p, source);
                switch (key.Value)
                {
                    case "schemaVersion":
                        var v = ExpectScalar(p, source);
                        if (
                            !int.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ver)
                            || ver < 1
                        )
                            throw Error(source, v.Start, $"schemaVersion '{v.Value}' is not a version number.");
                        if (ver > StoreDocument.CurrentSchemaVersion)
                            throw new StoreFormatException(
                                StoreErrorIds.StoreSchemaTooNew,
                                source,
                                v.Start,
                                $"The store '{source}' has schemaVersion {ver}, written by a newer "
                                    + $"GitIntegration (this one reads up to {StoreDocument.CurrentSchemaVersion}). "
                                    + "Update the module; the store was left unchanged."
                            );
                        doc.SchemaVersion = ver;
                        sawVersion = true;
                        break;
                    case "integrations":
                        if (p.Accept<Scalar>(out var nothing) && nothing.Value.Length == 0)
                        {
                            p.MoveNext();
                            break;
                        }
                        Expect<SequenceStart>(p, source, "a list of integrations");
                        var ids = new HashSet<Guid>();
                        while (!p.TryConsume<SequenceEnd>(out _))
                        {
                            var start = p.Current!.Start;
                            var i = ReadIntegration(p, source);
                            if (!ids.Add(i.Id))
                                throw Error(source, start, $"the id {i.Id} appears twice.");
                            doc.Integrations.Add(i);
                        }
                        break;
                    default:
                        throw Error(source, key.Start, $"unknown key '{key.Value}'.");
                }
            }
            if (!sawVersion)
                throw Error(source, top.Start, "'schemaVersion' is missing.");
            p.Consume<DocumentEnd>();
            if (!p.Accept<StreamEnd>(out _))
                throw Error(source, p.Current!.Start, "a second YAML document follows the store.");
            return doc;
        }
        catch (YamlException e)
        {
            throw Error(source, e.Start, e.Message.Replace("While parsing", "while parsing"));
        }
    }

    private static Integration ReadIntegration(IParser p, string source)
    {
        var m = Expect<MappingStart>(p, source, "an integration (a mapping)");
        var i = new Integration();
        bool id = false,
            created = false,
            updated = false;
        while (!p.TryConsume<MappingEnd>(out _))
        {
            var key = ExpectScalar(p, source);
            if (key.Value == "passphraseRef" || key.Value == "tokenRef" || key.Value == "webhookSecretRef")
            {
                var r = ReadRef(p, source);
                if (key.Value == "passphraseRef")
                    i.PassphraseRef = r;
                else if (key.Value == "tokenRef")
                    i.TokenRef = r;
                else
                    i.WebhookSecretRef = r;
                continue;
            }
            if (key.Value == "properties")
            {
                Expect<MappingStart>(p, source, "a mapping of property names to values");
                while (!p.TryConsume<MappingEnd>(out _))
                {
                    var k = ExpectScalar(p, source);
                    i.Properties[k.Value] = ExpectScalar(p, source).Value;
                }
                continue;
            }
            var v = ExpectScalar(p, source);
            var s = v.Value;
            switch (key.Value)
            {
                case "id":
                    i.Id = ParseGuid(s, source, v);
                    id = true;
                    break;
                case "name":
                    i.Name = s;
                    break;
                case "type":
                    i.Type = ParseEnum<IntegrationType>(s, source, v);
                    break;
                case "url":
                    i.Url = s;
                    break;
                case "hostUrl":
                    i.HostUrl = s;
                    break;
                case "organization":
                    i.Organization = s;
                    break;
                case "privateKeyPath":
                    i.PrivateKeyPath = s;
                    break;
                case "sslVerify":
                    i.SslVerify = ParseBool(s, source, v);
                    break;
                case "requireUserPat":
                    i.RequireUserPat = ParseBool(s, source, v);
                    break;
                case "repositoryFilter":
                    i.RepositoryFilter = s;
                    break;
                case "status":
                    i.Status = ParseEnum<IntegrationStatus>(s, source, v);
                    break;
                case "lastVerified":
                    i.LastVerified = ParseTime(s, source, v);
                    break;
                case "createdAt":
                    i.CreatedAt = ParseTime(s, source, v);
                    created = true;
                    break;
                case "updatedAt":
                    i.UpdatedAt = ParseTime(s, source, v);
                    updated = true;
                    break;
                default:
                    throw Error(source, key.Start, $"unknown key '{key.Value}' in an integration.");
            }
        }
        if (!id)
            throw Error(source, m.Start, "an integration has no 'id'.");
        // The first GitHub App builds kept the webhook secret's file name as a property; it is a reference like the
        // others now.
        if (i.WebhookSecretRef == null && i.Properties.TryGetValue("webhookSecretFile", out var legacy))
        {
            i.WebhookSecretRef = SecretRef.InFile(legacy);
            i.Properties.Remove("webhookSecretFile");
        }
        if (!created)
            i.CreatedAt = DateTimeOffset.MinValue;
        if (!updated)
            i.UpdatedAt = i.CreatedAt;
        return i;
    }

    private static SecretRef ReadRef(IParser p, string source)
    {
        var m = Expect<MappingStart>(
            p,
            source,
            "a secret reference such as {vault: MyVault, name: jira-token} or {file: x.secret}"
        );
        var r = new SecretRef();
        while (!p.TryConsume<MappingEnd>(out _))
        {
            var k = ExpectScalar(p, source);
            var v = ExpectScalar(p, source).Value;
            switch (k.Value)
            {
                case "vault":
                    r.Vault = v;
                    break;
                case "name":
                    r.Name = v;
                    break;
                case "file":
                    r.File = v;
                    break;
                default:
                    throw Error(source, k.Start, $"unknown key '{k.Value}' in a secret reference.");
            }
        }
        if (!(r.File != null ? r.Vault == null && r.Name == null : r.Vault != null && r.Name != null))
            throw Error(source, m.Start, "a secret reference needs either 'file', or both 'vault' and 'name'.");
        return r;
    }

    private static T Expect<T>(IParser p, string source, string what)
        where T : ParsingEvent
    {
        if (p.TryConsume<T>(out var ev))
            return ev;
        throw Error(source, p.Current?.Start ?? Mark.Empty, $"expected {what}.");
    }

    private static Scalar ExpectScalar(IParser p, string source) => Expect<Scalar>(p, source, "a single value");

    private static Guid ParseGuid(string s, string source, Scalar at) =>
        Guid.TryParse(s, out var g) ? g : throw Error(source, at.Start, $"'{s}' is not a GUID.");

    private static bool ParseBool(string s, string source, Scalar at) =>
        s == "true" || s == "True" ? true
        : s == "false" || s == "False" ? false
        : throw Error(source, at.Start, $"'{s}' is not true or false.");

    private static T ParseEnum<T>(string s, string source, Scalar at)
        where T : struct =>
        Enum.TryParse<T>(s, true, out var v) && Enum.IsDefined(typeof(T), v)
            ? v
            : throw Error(source, at.Start, $"'{s}' is not one of {string.Join(", ", Enum.GetNames(typeof(T)))}.");

    private static DateTimeOffset ParseTime(string s, string source, Scalar at) =>
        DateTimeOffset.TryParseExact(s, "o", CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact) ? exact
        : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw Error(source, at.Start, $"'{s}' is not a date and time.");

    private static StoreFormatException Error(string source, Mark at, string what) =>
        new StoreFormatException(
            StoreErrorIds.StoreParseFailed,
            source,
            at,
            $"The store '{source}' cannot be read: line {at.Line}, column {at.Column}: {what} "
                + "Nothing was changed. Fix the file by hand or restore the backup next to it (.bak)."
        );
}
