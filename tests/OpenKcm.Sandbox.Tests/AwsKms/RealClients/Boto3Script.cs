namespace OpenKcm.Sandbox.Tests.AwsKms.RealClients;

/// <summary>The Python script the boto3 test runs: AWS's Python SDK (Debian's python3-boto3) against the emulator.</summary>
internal static class Boto3Script
{
    public const string Text = """
        import json, os
        import boto3, botocore
        from botocore.config import Config

        endpoint, region = os.environ["ENDPOINT"], os.environ["REGION"]
        config = Config(retries={"max_attempts": 1, "mode": "standard"})

        def client(service, **credentials):
            return boto3.client(service, endpoint_url=endpoint, region_name=region, config=config, **credentials)

        def error_code(action):
            try:
                action()
            except botocore.exceptions.ClientError as e:
                return e.response["Error"]["Code"], e.response["Error"].get("Message", ""), e.response["ResponseMetadata"]["HTTPStatusCode"]
            raise AssertionError("expected a ClientError")

        console = dict(aws_access_key_id=os.environ["ACCESS_KEY_ID"], aws_secret_access_key=os.environ["SECRET_ACCESS_KEY"])
        sts = client("sts", **console)
        assert sts.get_caller_identity()["Arn"].endswith(":user/openkcm-console")

        code, message, status = error_code(lambda: sts.assume_role(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="boto3", ExternalId="wrong-id"))
        assert (code, status) == ("AccessDenied", 403), (code, status)
        assert "is not authorized to perform: sts:AssumeRole" in message, message
        code, _, status = error_code(lambda: sts.assume_role(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="boto3", ExternalId=os.environ["EXTERNAL_ID"], DurationSeconds=7200))
        assert (code, status) == ("ValidationError", 400), (code, status)

        assumed = sts.assume_role(RoleArn=os.environ["ROLE_ARN"], RoleSessionName="boto3", ExternalId=os.environ["EXTERNAL_ID"], DurationSeconds=900)
        creds = assumed["Credentials"]
        assert creds["AccessKeyId"].startswith("ASIA") and creds["Expiration"].tzinfo is not None, creds["Expiration"]
        session = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        kms = client("kms", **session)

        meta = kms.describe_key(KeyId=os.environ["ALIAS"])["KeyMetadata"]
        assert meta["KeyState"] == "Enabled" and meta["KeyUsage"] == "ENCRYPT_DECRYPT" and meta["KeySpec"] == "SYMMETRIC_DEFAULT", meta
        assert meta["CreationDate"].year >= 2024, meta["CreationDate"]
        context = {"tenant": "t1", "purpose": "l2-wrap"}
        blob = kms.encrypt(KeyId=meta["Arn"], Plaintext=b"\x00\x01 L2 key bytes", EncryptionContext=context)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == b"\x00\x01 L2 key bytes"
        code, _, status = error_code(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": "t2", "purpose": "l2-wrap"}))
        assert (code, status) == ("InvalidCiphertextException", 400), (code, status)
        data_key = kms.generate_data_key(KeyId=meta["KeyId"], NumberOfBytes=48)
        assert len(data_key["Plaintext"]) == 48
        assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
        code, message, _ = error_code(lambda: kms.list_keys())
        assert code == "AccessDeniedException" and "kms:ListKeys" in message, (code, message)
        code, _, _ = error_code(lambda: kms.describe_key(KeyId="alias/missing"))
        assert code == "NotFoundException", code

        try:
            kms.describe_key(KeyId=os.environ["DISABLED_KEY"])["KeyMetadata"]
            kms.encrypt(KeyId=os.environ["DISABLED_KEY"], Plaintext=b"x")
            raise AssertionError("expected DisabledException")
        except kms.exceptions.DisabledException as e:
            assert "is disabled" in str(e), str(e)

        admin = client("kms", aws_access_key_id=os.environ["ADMIN_KEY_ID"], aws_secret_access_key=os.environ["ADMIN_SECRET"])
        paginator = admin.get_paginator("list_keys")
        pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
        keys = [k["KeyArn"] for page in pages for k in page["Keys"]]
        assert len(pages) == 3 and len(keys) == 5 and len(set(keys)) == 5, (len(pages), keys)

        print(json.dumps({"result": "ok", "boto3": boto3.__version__}))
        """;
}
