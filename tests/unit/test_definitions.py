"""One definition per table serves the local stack, the tests and the infrastructure."""

from __future__ import annotations


def test_infrastructure_tables_match_what_the_local_stack_creates(aws) -> None:
    from chalicelib import aws as clients
    from chalicelib.storage.tables import ALL_TABLES
    from infrastructure.definitions import all_tables

    declared = {t["TableName"]: t for t in all_tables()}
    assert len(declared) == len(ALL_TABLES)
    for name, props in declared.items():
        created = clients.dynamodb().describe_table(TableName=name)["Table"]
        assert sorted(created["KeySchema"], key=lambda k: k["KeyType"]) == props["KeySchema"], name
        assert {i["IndexName"] for i in created.get("GlobalSecondaryIndexes", [])} == {
            i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])
        }, name
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert declared[next(n for n in declared if n.endswith("-sessions"))]["TimeToLiveSpecification"] == {
        "AttributeName": "ttl",
        "Enabled": True,
    }
