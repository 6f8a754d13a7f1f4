"""The local stack's moto reads one partition for a query on a table's key: the answers must be those
moto gives when it sorts the whole table."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from local import moto_queries
from tests.unit.moto_conversation import talk


def pages(client, **query) -> list:  # type: ignore[no-untyped-def]
    """Every page of a query, as the SDK returned them."""
    answers, start = [], None
    while True:
        answer = client.query(TableName="slots", **query, **({"ExclusiveStartKey": start} if start else {}))
        answer.pop("ResponseMetadata", None)
        answers.append(answer)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return answers


def conversation(client) -> list:  # type: ignore[no-untyped-def]
    client.create_table(
        TableName="slots",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "doctor", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("doctor", "at", "status")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
            }
        ],
    )
    for doctor in ("d1", "d2", "d3"):
        for hour in range(30, 0, -1):  # written out of order
            client.put_item(
                TableName="slots",
                Item={
                    "doctor": {"S": doctor},
                    "at": {"S": f"2026-12-01T{hour:02d}"},
                    "status": {"S": "free" if hour % 3 else "held"},
                    "n": {"N": str(hour)},
                },
            )
    d2 = {":d": {"S": "d2"}}
    return [
        pages(client, KeyConditionExpression="doctor = :d", ExpressionAttributeValues=d2),
        pages(
            client,
            KeyConditionExpression="doctor = :d AND #at BETWEEN :a AND :b",
            ExpressionAttributeNames={"#at": "at"},
            ExpressionAttributeValues={**d2, ":a": {"S": "2026-12-01T05"}, ":b": {"S": "2026-12-01T20"}},
        ),
        pages(
            client,
            KeyConditionExpression="doctor = :d AND begins_with(#at, :p)",
            ExpressionAttributeNames={"#at": "at"},
            ExpressionAttributeValues={**d2, ":p": {"S": "2026-12-01T1"}},
            ScanIndexForward=False,
        ),
        pages(
            client,
            KeyConditionExpression="doctor = :d",
            FilterExpression="#s = :free",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={**d2, ":free": {"S": "free"}},
            Limit=7,
        ),
        pages(
            client,
            KeyConditionExpression="doctor = :d",
            ExpressionAttributeValues=d2,
            Limit=4,
            ScanIndexForward=False,
            ConsistentRead=True,
            ProjectionExpression="#at, n",
            ExpressionAttributeNames={"#at": "at"},
        ),
        pages(client, KeyConditionExpression="doctor = :d", ExpressionAttributeValues={":d": {"S": "nobody"}}),
        pages(
            client,
            IndexName="by_status",
            KeyConditionExpression="#s = :h",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":h": {"S": "held"}},
            Limit=5,
        ),
    ]


def test_partition_reads_answer_as_the_whole_table_sort_does() -> None:
    whole, partitioned = talk(conversation), talk(conversation, moto_queries)
    assert partitioned == whole
    assert [item["at"]["S"][-2:] for item in whole[0][0]["Items"]][:3] == ["01", "02", "03"]
    assert sum(len(page["Items"]) for page in whole[3]) == 20


def test_a_table_key_query_lists_only_its_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    moto_queries.install()
    listed: list[int] = []
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="eu-central-1")
            conversation(client)
            items = Table.all_items
            monkeypatch.setattr(Table, "all_items", lambda self: listed.append(len(items(self))) or items(self))
            client.query(
                TableName="slots", KeyConditionExpression="doctor = :d", ExpressionAttributeValues={":d": {"S": "d1"}}
            )
            client.scan(TableName="slots")
    finally:
        monkeypatch.undo()
        moto_queries.uninstall()
    assert listed[0] == 30  # d1's slots only, of 90
    assert listed[-1] == 90  # a scan still reads the whole table
