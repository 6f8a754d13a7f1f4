"""An ended session is refused at once (issue #14: sessions are read with consistent reads).

DynamoDB's default read is eventually consistent: for a moment after a delete it may still return the
item. moto is always consistent, so the tests put a lagging replica in front of the sessions table:
a read that does not ask for consistency gets the session as it was before it ended, as DynamoDB may
answer in the second after a logout.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

from tests.helpers import Api, make_user

PASSWORD = "correct horse battery"


@contextlib.contextmanager
def lagging_sessions_replica() -> Iterator[list[dict[str, Any]]]:
    """Eventually consistent reads of the sessions table answer from a copy taken now; consistent reads
    (GetItem, BatchGetItem) see the table. Yields the reads that were served stale."""
    from chalicelib import aws
    from chalicelib.storage.tables import Session

    table = Session.Meta.table_name
    low = aws.dynamodb()
    snapshot = {item["token_hash"]["S"]: item for item in low.scan(TableName=table, ConsistentRead=True)["Items"]}
    stale_reads: list[dict[str, Any]] = []

    def get_item(params: dict[str, Any], **_: Any) -> Any:
        request = json.loads(params["body"] or b"{}")
        if request.get("TableName") != table or request.get("ConsistentRead"):
            return None
        stale_reads.append(request)
        item = snapshot.get(request["Key"]["token_hash"]["S"])
        return AWSResponse("https://dynamodb", 200, {}, None), ({"Item": item} if item else {})

    def batch_get_item(params: dict[str, Any], **_: Any) -> Any:
        request = json.loads(params["body"] or b"{}")
        wanted = request.get("RequestItems", {}).get(table)
        if wanted is None or wanted.get("ConsistentRead"):
            return None
        raise AssertionError("an eventually consistent BatchGetItem of sessions")

    clients = [Session._get_connection().connection.client, low]
    for client in clients:
        client.meta.events.register_first("before-call.dynamodb.GetItem", get_item)
        client.meta.events.register_first("before-call.dynamodb.BatchGetItem", batch_get_item)
    try:
        yield stale_reads
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb.GetItem", get_item)
            client.meta.events.unregister("before-call.dynamodb.BatchGetItem", batch_get_item)


def test_a_logged_out_session_is_refused_at_once(client) -> None:
    make_user("anna@example.org", {"patient"})
    api = Api(client)
    assert api.login("anna@example.org").status_code == 200
    stolen = api.cookie
    with lagging_sessions_replica():
        assert api.post("/auth/logout").status_code == 204
        api.cookie = stolen
        again = api.get("/me")
    assert again.status_code == 401, again.json
    assert again.json["error"]["code"] == "not_signed_in"


def test_sessions_ended_by_a_password_change_are_refused_at_once(client) -> None:
    make_user("anna@example.org", {"patient"})
    thief, owner = Api(client), Api(client)
    assert thief.login("anna@example.org").status_code == 200
    assert owner.login("anna@example.org").status_code == 200
    with lagging_sessions_replica():
        changed = owner.post("/me/password", {"current_password": PASSWORD, "new_password": "a brand new secret"})
        assert changed.status_code == 204
        refused = thief.get("/me")
        kept = owner.get("/me")
    assert refused.status_code == 401, refused.json
    assert kept.status_code == 200


def test_sessions_ended_by_reissued_credentials_are_refused_at_once(client) -> None:
    patient = make_user("anna@example.org", {"patient"})
    make_user("registrar@example.org", {"registrar"})
    thief, registrar = Api(client), Api(client)
    assert thief.login("anna@example.org").status_code == 200
    assert registrar.login("registrar@example.org").status_code == 200
    with lagging_sessions_replica():
        assert registrar.post(f"/patients/{patient.user_id}/credentials").status_code == 200
        refused = thief.get("/me")
    assert refused.status_code == 401, refused.json
