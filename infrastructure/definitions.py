"""CloudFormation properties of every table, from the PynamoDB models the app and the local stack use."""

from __future__ import annotations

from typing import Any


def _hash_first(keys: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(keys, key=lambda k: 0 if k["KeyType"] == "HASH" else 1)


def table_name(model: Any, prefix: str | None = None) -> str:
    return f"{prefix}-{model.Meta.name_suffix}" if prefix else model.Meta.table_name


def table_properties(
    model: Any, prefix: str | None = None, *, encryption_key_arn: Any = None, deletion_protection: bool = False
) -> dict[str, Any]:
    """AWS::DynamoDB::Table properties for one model (named for the stage `prefix`): keys, indexes, TTL,
    on-demand billing, point-in-time recovery, encryption.

    Deployment only (the stack passes them, infrastructure/access.py decides per table): `encryption_key_arn`, a
    customer-managed KMS key instead of DynamoDB's AWS managed key; `deletion_protection`."""
    schema = model._get_schema()
    definitions: dict[str, dict[str, str]] = {}
    for item in schema["attribute_definitions"]:
        definitions.setdefault(item["AttributeName"], item)
    props: dict[str, Any] = {
        "TableName": table_name(model, prefix),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": list(definitions.values()),
        "KeySchema": _hash_first(schema["key_schema"]),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if encryption_key_arn is not None:
        props["SSESpecification"] = {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": encryption_key_arn}
    if deletion_protection:
        props["DeletionProtectionEnabled"] = True
    indexes = [
        {
            "IndexName": index["index_name"],
            "KeySchema": _hash_first(index["key_schema"]),
            "Projection": index["projection"],
        }
        for index in schema["global_secondary_indexes"]
    ]
    if indexes:
        props["GlobalSecondaryIndexes"] = indexes
    ttl = model._ttl_attribute()
    if ttl is not None:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl.attr_name, "Enabled": True}
    return props


def all_tables(prefix: str | None = None) -> list[dict[str, Any]]:
    # Here, not at the top: the models read the stage's settings when imported.
    from chalicelib.storage.tables import ALL_TABLES

    return [table_properties(model, prefix) for model in ALL_TABLES]
