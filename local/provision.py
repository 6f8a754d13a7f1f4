"""Create a stage's AWS resources (in moto) from the shared definitions.

Used by the local stack and by the tests, so both see exactly what the
infrastructure code deploys.
"""
from __future__ import annotations

from chalicelib import aws, resources
from chalicelib.storage.tables import ALL_TABLES


def provision() -> dict[str, str]:
    """Create every table, bucket, key and identity; return what was made."""
    for model in ALL_TABLES:
        model.create_table(wait=False)
    kms = aws.kms()
    key_id = kms.create_key(Description="documents at rest", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=resources.data_key_alias(), TargetKeyId=key_id)
    s3 = aws.s3()
    bucket = resources.documents_bucket()
    region = aws.s3().meta.region_name
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    aws.ses().verify_domain_identity(Domain=resources.mail_identity())
    return {"bucket": bucket, "data_key": key_id}
