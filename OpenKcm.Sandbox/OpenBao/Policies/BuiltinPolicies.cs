namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>The <c>default</c> policy every namespace starts with (the token self-service part of Vault's).</summary>
internal static class BuiltinPolicies
{
    public const string DefaultName = "default";

    public const string DefaultText = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }

        # Allow tokens to renew themselves
        path "auth/token/renew-self" {
            capabilities = ["update"]
        }

        # Allow tokens to revoke themselves
        path "auth/token/revoke-self" {
            capabilities = ["update"]
        }

        # Allow a token to look up its own capabilities on a path
        path "sys/capabilities-self" {
            capabilities = ["update"]
        }

        # Allow a token to renew a lease via lease_id in the request body
        path "sys/leases/renew" {
            capabilities = ["update"]
        }

        # Allow looking up lease properties
        path "sys/leases/lookup" {
            capabilities = ["update"]
        }

        # Allow general purpose tools
        path "sys/tools/hash" {
            capabilities = ["update"]
        }
        """;
}
