"""Create a stage's AWS resources (in moto) from the shared definitions.

Used by the local stack and by the tests, so both see exactly what the
infrastructure code deploys.
"""

from __future__ import annotations

import json
import os

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
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    aws.ses().verify_domain_identity(Domain=resources.mail_identity())
    sqs = aws.client("sqs")
    urls = {}
    for spec in resources.queues():
        dead_url = sqs.create_queue(
            QueueName=spec.dead_letter_name,
            Attributes={"MessageRetentionPeriod": str(spec.dead_letter_retention_days * 86400)},
        )["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        urls[spec.name] = sqs.create_queue(
            QueueName=spec.name,
            Attributes={
                "VisibilityTimeout": str(spec.visibility_timeout_s),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(spec.max_receive_count)}
                ),
            },
        )["QueueUrl"]
    queue_url = urls[resources.timer_queue()]
    from chalicelib.storage.tables import Room

    definition = resources.state_machine_definition({"RoomsTable": Room.Meta.table_name, "TimerQueueUrl": queue_url})
    arn = aws.stepfunctions().create_state_machine(
        name=resources.state_machine_name(),
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/booking-timer",
    )["stateMachineArn"]
    if "CLINIC_CA_CERT_PEM" not in os.environ:
        # The local stage's development CA (a deployed stage reads the clinic's from SSM).
        from chalicelib.config import settings
        from chalicelib.signing.ca import make_development_ca

        key_pem, cert_pem = make_development_ca(settings().clinic_name)
        os.environ["CLINIC_CA_KEY_PEM"], os.environ["CLINIC_CA_CERT_PEM"] = key_pem, cert_pem
    # The app finds the timer by this variable, as the deployed stage does.
    os.environ["BOOKING_TIMER_ARN"] = arn
    os.environ["TIMER_QUEUE_URL"] = queue_url
    os.environ["DATA_EXPORT_QUEUE_URL"] = urls[resources.data_export_queue()]
    from chalicelib.config import reload_settings

    reload_settings()
    return {"bucket": bucket, "data_key": key_id, "state_machine": arn, "timer_queue": queue_url}
