using System.Net;
using System.Text.RegularExpressions;
using OpenKcm.Core.Plugins;

namespace OpenKcm.Providers.OpenBao;

/// <summary>Pure validation of the OpenBao settings (no I/O), shared by the wizard and the runtime.</summary>
internal static partial class OpenBaoSettingsValidator
{
    // Namespaces that OpenBao/Vault reserve (they cannot name a child namespace).
    private static readonly HashSet<string> s_reservedNamespaceNames =
        new(["root", "sys", "audit", "auth", "cubbyhole", "identity"], StringComparer.OrdinalIgnoreCase);

    // Top-level paths that can never be a secrets engine mount.
    private static readonly HashSet<string> s_reservedMountRoots =
        new(["sys", "auth", "cubbyhole", "identity", "audit"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Validates <paramref name="settings"/>. <paramref name="secretIdStored"/> tells whether a secret_id is in the
    /// vault (or was just entered); null skips the "exactly one of secret_id / secret_id_path" rule, for the runtime,
    /// which resolves the secret itself. A secret_id_path must lie in <paramref name="secretIdLocations"/> (judged on
    /// the path alone; links are checked when the file is read).
    /// </summary>
    public static List<FieldError> Validate(KeystoreSettings settings, bool? secretIdStored, SecretIdLocations secretIdLocations)
    {
        var errors = new List<FieldError>();
        ValidateAddress(settings.Get(OpenBaoFieldNames.VaultAddress), errors);

        var authMethod = settings.Get(OpenBaoFieldNames.AuthMethod);
        if (authMethod is not null && !string.Equals(authMethod, OpenBaoFieldNames.AppRole, StringComparison.Ordinal))
        {
            errors.Add(new(OpenBaoFieldNames.AuthMethod,
                $"Only AppRole ('{OpenBaoFieldNames.AppRole}') is supported; '{authMethod}' is not."));
        }

        var roleId = settings.Get(OpenBaoFieldNames.RoleId);
        if (roleId is null)
        {
            errors.Add(new(OpenBaoFieldNames.RoleId,
                "Enter the AppRole role ID (bao read -field=role_id auth/approle/role/<role>/role-id)."));
        }
        else if (roleId.Any(char.IsWhiteSpace))
        {
            errors.Add(new(OpenBaoFieldNames.RoleId, "A role ID contains no spaces or line breaks; copy it again."));
        }

        ValidateSecretSource(settings.Get(OpenBaoFieldNames.SecretIdPath), secretIdStored, secretIdLocations, errors);

        var mount = settings.Get(OpenBaoFieldNames.MountPath);
        if (mount is null)
        {
            errors.Add(new(OpenBaoFieldNames.MountPath, "Enter the path where the transit engine is mounted, e.g. openkcm-keys."));
        }
        else if (MountPathError(NormalizePath(mount)) is { } mountError)
        {
            errors.Add(new(OpenBaoFieldNames.MountPath, mountError));
        }

        var key = settings.Get(OpenBaoFieldNames.KeyName);
        if (key is null)
        {
            errors.Add(new(OpenBaoFieldNames.KeyName, "Enter the name of the transit key, e.g. customer-master-key."));
        }
        else if (!IsValidKeyName(key))
        {
            errors.Add(new(OpenBaoFieldNames.KeyName,
                "A transit key name starts and ends with a letter, digit or underscore and may contain - . @ in between "
                + "(no slashes or spaces)."));
        }

        if (settings.Get(OpenBaoFieldNames.Namespace) is { } ns && NamespaceError(NormalizePath(ns)) is { } nsError)
        {
            errors.Add(new(OpenBaoFieldNames.Namespace, nsError));
        }

        if (settings.Get(OpenBaoFieldNames.CaCertificate) is { } pem)
        {
            if (CaCertificateParser.TryParse(pem, out var certificates, out var pemError))
            {
                foreach (var c in certificates)
                {
                    c.Dispose();
                }
            }
            else
            {
                errors.Add(new(OpenBaoFieldNames.CaCertificate, pemError!));
            }
        }

        return errors;
    }

    /// <summary>Strips surrounding slashes: <c>/openkcm-keys/</c> and <c>openkcm-keys</c> are the same mount.</summary>
    public static string NormalizePath(string value) => value.Trim().Trim('/');

    // Transit's own pattern for key names (framework.GenericNameRegex): \w(([\w-.@]+)?\w)?
    public static bool IsValidKeyName(string key) => KeyNameRegex().IsMatch(key);

    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static void ValidateAddress(string? address, List<FieldError> errors)
    {
        const string Field = OpenBaoFieldNames.VaultAddress;
        if (address is null)
        {
            errors.Add(new(Field, "Enter the OpenBao API address, e.g. https://openbao.company.internal:8200."));
            return;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new(Field, "Enter an absolute https:// address with host and port, e.g. https://openbao.company.internal:8200."));
            return;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add(new(Field, "The address takes no user name, query (?...) or fragment (#...): scheme, host, port and at most a path prefix."));
            return;
        }

        if (uri.AbsolutePath.Contains("/v1/", StringComparison.Ordinal) || uri.AbsolutePath.EndsWith("/v1", StringComparison.Ordinal))
        {
            errors.Add(new(Field, "Leave out /v1: enter the address as for BAO_ADDR (e.g. https://openbao.company.internal:8200)."));
            return;
        }

        // The AppRole secret_id and every token travel in request headers and bodies: in clear text over http they
        // can be read by anyone on the path. Plain http is only acceptable when it never leaves this host.
        if (uri.Scheme == "http" && !IsLoopback(uri))
        {
            errors.Add(new(Field,
                "Use https: over plain http the secret ID, tokens and key material would cross the network unencrypted. "
                + "http is accepted only for loopback addresses (localhost, 127.0.0.1, ::1)."));
        }
    }

    private static void ValidateSecretSource(
        string? secretIdPath, bool? secretIdStored, SecretIdLocations locations, List<FieldError> errors)
    {
        if (secretIdPath is not null && SecretIdPathError(secretIdPath, locations) is { } pathError)
        {
            errors.Add(new(OpenBaoFieldNames.SecretIdPath, pathError));
        }

        if (secretIdStored is not { } stored)
        {
            return;
        }

        if (stored && secretIdPath is not null)
        {
            errors.Add(new(OpenBaoFieldNames.SecretIdPath,
                "Use either a stored secret ID or a secret ID file, not both: clear one of them."));
        }
        else if (!stored && secretIdPath is null)
        {
            errors.Add(new(OpenBaoFieldNames.SecretId,
                "Enter the AppRole secret ID, or give the path of a file that contains it (secret_id_path)."));
        }
    }

    private static string? SecretIdPathError(string path, SecretIdLocations locations)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return "Enter an absolute path on the console host, e.g. /etc/openkcm/openbao-secret-id (relative paths depend on "
                + "the console's working directory).";
        }

        // The path is pasted into the generated shell commands (quoted there as well) and shown in messages.
        if (!SecretIdPathRegex().IsMatch(path))
        {
            return "A secret ID file path may contain only letters, digits, '/', '.', '_' and '-'.";
        }

        // GetFullPath collapses '.' and '..' without touching the disk, so /etc/openkcm/../passwd is judged as /etc/passwd.
        if (!locations.Allows(Path.GetFullPath(path)))
        {
            return $"The secret ID file must be inside {locations.Describe()}, because the console sends its content to the "
                + $"OpenBao address above. An administrator can allow another directory with {OpenBaoOptions.SecretIdDirectoriesKey}.";
        }

        return null;
    }

    private static string? MountPathError(string mount)
    {
        if (mount.Length == 0)
        {
            return "Enter the path where the transit engine is mounted, e.g. openkcm-keys.";
        }

        var segments = mount.Split('/');
        if (segments.Any(s => !SegmentRegex().IsMatch(s)))
        {
            return "A mount path is made of segments of letters, digits, '-', '_' and '.', separated by '/', "
                + "e.g. openkcm-keys or team-a/transit.";
        }

        if (s_reservedMountRoots.Contains(segments[0]))
        {
            return $"'{segments[0]}/' is reserved by OpenBao and cannot hold a secrets engine; choose another path.";
        }

        return null;
    }

    private static string? NamespaceError(string ns)
    {
        if (ns.Length == 0)
        {
            return null;
        }

        var segments = ns.Split('/');
        if (segments.Any(s => !SegmentRegex().IsMatch(s)))
        {
            return "A namespace is a path of names made of letters, digits, '-', '_' and '.', separated by '/', "
                + "e.g. team-a/ or team-a/prod/.";
        }

        if (segments.FirstOrDefault(s_reservedNamespaceNames.Contains) is { } reserved)
        {
            return $"'{reserved}' is reserved and cannot be a namespace name. For the root namespace leave this empty.";
        }

        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9/._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretIdPathRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_](?:[A-Za-z0-9_\-.@]*[A-Za-z0-9_])?$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyNameRegex();

    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9_\-.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentRegex();
}
