namespace OpenKcm.Sandbox.Tests.RealClients;

/// <summary>The Python script the hvac test runs: Vault's real Python client against the emulator.</summary>
internal static class HvacScript
{
    public const string Text = """
        import base64, json, os
        import hvac
        from hvac import exceptions

        addr = os.environ["VAULT_ADDR"]
        mount, key = os.environ["MOUNT"], os.environ["KEY"]
        role_id = os.environ["ROLE_ID"]
        with open(os.environ["SECRET_ID_PATH"]) as f:
            secret_id = f.read().strip()
        root = os.environ["ROOT_TOKEN"]

        def expect(error, action):
            try:
                action()
            except error as e:
                return str(e)
            raise AssertionError("expected %s" % error.__name__)

        client = hvac.Client(url=addr)
        health = client.sys.read_health_status(method="GET")
        assert health["initialized"] and not health["sealed"] and not health["standby"], health
        assert client.sys.read_health_status(method="HEAD").status_code == 200
        assert client.sys.is_initialized() and not client.sys.is_sealed()

        login = client.auth.approle.login(role_id=role_id, secret_id=secret_id)
        assert login["auth"]["lease_duration"] == 3600 and login["auth"]["renewable"], login
        assert login["lease_duration"] == 0 and not login["renewable"], login
        assert client.is_authenticated()

        me = client.auth.token.lookup_self()["data"]
        assert "openkcm-policy" in me["policies"] and me["ttl"] == 3600, me
        renewed = client.auth.token.renew_self(increment="30m")
        assert renewed["auth"]["lease_duration"] == 1800, renewed

        plaintext = base64.b64encode(b"openkcm customer master key test").decode()
        ciphertext = client.secrets.transit.encrypt_data(name=key, mount_point=mount, plaintext=plaintext)["data"]["ciphertext"]
        assert ciphertext.startswith("vault:v1:"), ciphertext
        decrypted = client.secrets.transit.decrypt_data(name=key, mount_point=mount, ciphertext=ciphertext)["data"]["plaintext"]
        assert decrypted == plaintext
        assert client.secrets.transit.read_key(name=key, mount_point=mount)["data"]["type"] == "aes256-gcm96"
        expect(exceptions.Forbidden, lambda: client.secrets.transit.list_keys(mount_point=mount))
        expect(exceptions.Forbidden, lambda: client.secrets.transit.create_key(name="not-allowed", mount_point=mount))

        admin = hvac.Client(url=addr, token=root)
        admin.sys.create_or_update_policy(name="hvac-encrypt-only", policy='''
        # created by hvac
        path "%s/encrypt/%s" {
          capabilities = ["update"]
        }
        ''' % (mount, key))
        assert "hvac-encrypt-only" in admin.sys.list_policies()["data"]["policies"]
        admin.auth.approle.create_or_update_approle(role_name="hvac-role", token_policies=["hvac-encrypt-only"],
                                                    token_ttl="10m", token_max_ttl="20m")
        assert admin.auth.approle.read_role(role_name="hvac-role")["data"]["token_ttl"] == 600
        new_role_id = admin.auth.approle.read_role_id(role_name="hvac-role")["data"]["role_id"]
        new_secret_id = admin.auth.approle.generate_secret_id(role_name="hvac-role")["data"]["secret_id"]

        limited = hvac.Client(url=addr)
        limited.auth.approle.login(role_id=new_role_id, secret_id=new_secret_id)
        assert limited.secrets.transit.encrypt_data(name=key, mount_point=mount, plaintext=plaintext)["data"]["ciphertext"]
        expect(exceptions.Forbidden, lambda: limited.secrets.transit.decrypt_data(name=key, mount_point=mount, ciphertext=ciphertext))
        bad = expect(exceptions.InvalidRequest, lambda: hvac.Client(url=addr).auth.approle.login(role_id=new_role_id, secret_id="wrong"))
        assert "invalid role or secret ID" in bad, bad
        expect(exceptions.InvalidPath, lambda: admin.sys.read_policy(name="no-such-policy"))

        admin.sys.create_namespace(path="hvac-ns")
        in_ns = hvac.Client(url=addr, token=root, namespace="hvac-ns")
        in_ns.sys.enable_secrets_engine(backend_type="transit", path="ns-keys")
        in_ns.secrets.transit.create_key(name="ns-key", mount_point="ns-keys")
        ns_ciphertext = in_ns.secrets.transit.encrypt_data(name="ns-key", mount_point="ns-keys", plaintext=plaintext)["data"]["ciphertext"]
        assert in_ns.secrets.transit.decrypt_data(name="ns-key", mount_point="ns-keys", ciphertext=ns_ciphertext)["data"]["plaintext"] == plaintext
        expect(exceptions.InvalidPath, lambda: admin.secrets.transit.read_key(name="ns-key", mount_point="ns-keys"))

        print(json.dumps({"result": "ok", "version": health["version"]}))
        """;
}
