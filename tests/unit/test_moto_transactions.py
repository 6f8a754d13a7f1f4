"""The local stack's TransactWriteItems: all or nothing, reasons in order, as DynamoDB does."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


@pytest.fixture
def table():  # type: ignore[no-untyped-def]
    from moto.dynamodb.models import DynamoDBBackend

    from local import moto_transactions

    original = DynamoDBBackend.transact_write_items
    moto_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-central-1")
        client.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        )
        client.put_item(TableName="t", Item={"k": {"S": "slot"}, "status": {"S": "free"}, "n": {"N": "1"}})
        yield client
    DynamoDBBackend.transact_write_items = original


def item(client, key: str):  # type: ignore[no-untyped-def]
    return client.get_item(TableName="t", Key={"k": {"S": key}}).get("Item")


def hold(status: str, booking: str = "b1") -> list[dict]:
    return [
        {
            "Update": {
                "TableName": "t",
                "Key": {"k": {"S": "slot"}},
                "UpdateExpression": "SET #s = :held",
                "ConditionExpression": "#s = :want",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":held": {"S": "held"}, ":want": {"S": status}},
            }
        },
        {
            "Put": {
                "TableName": "t",
                "Item": {"k": {"S": booking}, "status": {"S": "held"}},
                "ConditionExpression": "attribute_not_exists(k)",
            }
        },
    ]


def test_all_parts_are_written_when_every_condition_holds(table) -> None:  # type: ignore[no-untyped-def]
    table.transact_write_items(TransactItems=hold("free"))
    assert item(table, "slot")["status"] == {"S": "held"}
    assert item(table, "b1")["status"] == {"S": "held"}


def test_one_failed_condition_writes_nothing_and_names_the_part(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=hold("booked"))
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None"]
    assert item(table, "slot")["status"] == {"S": "free"}
    assert item(table, "b1") is None


def test_the_second_of_two_holds_of_one_slot_is_refused(table) -> None:  # type: ignore[no-untyped-def]
    table.transact_write_items(TransactItems=hold("free", "b1"))
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=hold("free", "b2"))
    assert item(table, "b2") is None


def test_a_write_that_fails_midway_is_rolled_back(table) -> None:  # type: ignore[no-untyped-def]
    parts = [
        {"Put": {"TableName": "t", "Item": {"k": {"S": "new"}, "status": {"S": "x"}}}},
        # Adding 1 to a string: DynamoDB refuses it as a validation error.
        {
            "Update": {
                "TableName": "t",
                "Key": {"k": {"S": "slot"}},
                "UpdateExpression": "SET #s = #s + :one",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=parts)
    assert item(table, "new") is None
    assert item(table, "slot")["status"] == {"S": "free"}


def test_one_item_twice_in_a_transaction_is_refused(table) -> None:  # type: ignore[no-untyped-def]
    parts = [*hold("free"), {"Delete": {"TableName": "t", "Key": {"k": {"S": "slot"}}}}]
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=parts)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert item(table, "slot")["status"] == {"S": "free"}
