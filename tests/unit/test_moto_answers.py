"""The local stack's moto writes DynamoDB's item answers as plain JSON: the SDK must read exactly what
moto's own shape-walking writer gave it."""

from __future__ import annotations

import pytest

from local import moto_answers
from tests.unit.moto_conversation import talk

ITEM = {
    "k": {"S": "doctor#1"},
    "r": {"S": "2026-12-01T09:00:00Z"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\xffpdf"},
    "ok": {"BOOL": False},
    "nothing": {"NULL": True},
    "names": {"SS": ["а", "б"]},
    "nums": {"NS": ["1", "2"]},
    "blobs": {"BS": [b"\x01", b"\x02"]},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"deep": {"B": b"\x10"}}}]}}},
}


def conversation(client) -> list:  # type: ignore[no-untyped-def]
    """Every item operation the app uses, with the answers the SDK parsed."""
    client.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "k", "AttributeType": "S"},
            {"AttributeName": "r", "AttributeType": "S"},
        ],
    )
    key = {"k": ITEM["k"], "r": ITEM["r"]}
    answers = [
        client.put_item(TableName="t", Item=ITEM, ReturnConsumedCapacity="TOTAL"),
        client.put_item(TableName="t", Item={**ITEM, "r": {"S": "2026-12-01T09:30:00Z"}}, ReturnValues="ALL_OLD"),
        client.get_item(TableName="t", Key=key, ConsistentRead=True),
        client.get_item(TableName="t", Key={"k": {"S": "nobody"}, "r": {"S": "x"}}),
        client.query(
            TableName="t",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": ITEM["k"]},
            Limit=1,
            ReturnConsumedCapacity="TOTAL",
        ),
        client.query(
            TableName="t",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": ITEM["k"]},
            ProjectionExpression="b, nested",
            ScanIndexForward=False,
        ),
        client.scan(TableName="t"),
        client.update_item(
            TableName="t",
            Key=key,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        ),
        client.batch_get_item(RequestItems={"t": {"Keys": [key]}}),
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}}]),
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": "t",
                        "Key": key,
                        "UpdateExpression": "SET ok = :t",
                        "ExpressionAttributeValues": {":t": {"BOOL": True}},
                    }
                }
            ]
        ),
        client.batch_write_item(RequestItems={"t": [{"DeleteRequest": {"Key": key}}]}),
        client.delete_item(TableName="t", Key={**key, "r": {"S": "2026-12-01T09:30:00Z"}}, ReturnValues="ALL_OLD"),
        client.scan(TableName="t"),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


def test_the_sdk_reads_the_same_answers_from_plain_json(monkeypatch: pytest.MonkeyPatch) -> None:
    written = []
    write = moto_answers.body
    monkeypatch.setattr(moto_answers, "body", lambda result: written.append(result) or write(result))
    walked, plain = talk(conversation), talk(conversation, moto_answers)
    assert plain == walked
    # Every answer with items in it was written the plain way (moto answers a missing item and a write
    # transaction without going through DynamoDB's result type).
    assert len(written) == len(plain) - 2
    assert plain[2]["Item"]["b"] == {"B": b"\x00\xffpdf"}
    assert plain[3] == {}


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"B": b"\xff"}, '{"B":"/w=="}'),
        ({"Count": 0, "LastEvaluatedKey": None}, '{"Count":0}'),
    ],
)
def test_body_is_dynamodb_json(value: dict, expected: str) -> None:
    assert moto_answers.body(value) == expected
