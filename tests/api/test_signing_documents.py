"""The documents required before booking, signed with one «Подписать»: one POST, one DynamoDB transaction, all of
them or none; a refusal names the document."""

from __future__ import annotations

import pytest

from tests.api.conftest import free_slots
from tests.helpers import Api, make_user

SIGN_ALL = "/legal-documents/signatures"
TITLES = {
    "contract": "Договор на оказание платной медицинской услуги «телемедицина»",
    "consent": "Согласие на обработку персональных данных",
    "informed_consent": (
        "Информированное добровольное согласие на медицинское вмешательство с применением телемедицинских технологий"
    ),
}


@pytest.fixture
def newcomer(client) -> Api:
    make_user("anna@example.org", {"patient"}, full_name="Петрова Анна Викторовна")
    api = Api(client)
    assert api.login("anna@example.org").status_code == 200
    return api


def shown(api: Api) -> list[dict]:
    """What the booking wizard shows: the documents the server says are required and not signed yet."""
    return [d for d in api.get("/legal-documents").json if d["required_before_booking"] and not d["signed"]]


def as_signed(doc: dict, **change: str) -> dict:
    return {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"], **change}


def assert_nothing_signed(api: Api) -> None:
    assert all(not d["signed"] for d in api.get("/legal-documents").json)
    assert api.get("/consents").json == []


def test_one_post_signs_every_required_document(newcomer: Api, doctor: dict) -> None:
    docs = shown(newcomer)
    assert {d["kind"] for d in docs} == {"contract", "consent", "informed_consent"}
    slot = free_slots(newcomer, doctor["id"])[0]
    assert newcomer.post("/bookings", {"slot_id": slot["id"]}).json["error"]["code"] == "consent_required"

    signed = newcomer.post(SIGN_ALL, {"documents": [as_signed(d) for d in docs]}, headers={"User-Agent": "Test/1"})
    assert signed.status_code == 201, signed.json
    assert [s["kind"] for s in signed.json] == [d["kind"] for d in docs]
    for signature, doc in zip(signed.json, docs, strict=True):
        assert signature["version"] == doc["version"] and signature["sha256"] == doc["sha256"]
        assert signature["user_agent"] == "Test/1" and signature["ip"] and signature["signed_at"]
        assert newcomer.get(f"/consents/{signature['id']}").json["html"] == doc["html"]
    assert shown(newcomer) == []
    assert len(newcomer.get("/consents").json) == 3
    # The session knows at once: the slot can be held.
    assert newcomer.post("/bookings", {"slot_id": slot["id"]}).status_code == 201


@pytest.mark.parametrize(
    "change, code, message",
    [
        ({"version": "0"}, "document_outdated", "Действует новая редакция документа «{title}»"),
        ({"sha256": "0" * 64}, "document_changed", "Текст документа «{title}» изменился"),
    ],
)
def test_a_stale_document_refuses_them_all_and_is_named(newcomer: Api, change: dict, code: str, message: str) -> None:
    docs = shown(newcomer)
    stale = docs[-1]
    body = {"documents": [as_signed(d) for d in docs[:-1]] + [as_signed(stale, **change)]}
    refused = newcomer.post(SIGN_ALL, body)
    assert refused.status_code == 409, refused.json
    assert refused.json["error"]["code"] == code
    assert message.format(title=TITLES[stale["kind"]]) in refused.json["error"]["message"]
    assert_nothing_signed(newcomer)


def test_a_document_signed_already_refuses_them_all(newcomer: Api) -> None:
    docs = {d["kind"]: d for d in shown(newcomer)}
    contract, consent = docs["contract"], docs["consent"]
    assert newcomer.post("/consents", as_signed(contract)).status_code == 201
    refused = newcomer.post(SIGN_ALL, {"documents": [as_signed(consent), as_signed(contract)]})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert f"Документ «{TITLES['contract']}» уже подписан" in refused.json["error"]["message"]
    assert [d["kind"] for d in shown(newcomer)] == ["consent", "informed_consent"]
    assert len(newcomer.get("/consents").json) == 1


def test_signed_meanwhile_the_transaction_writes_nothing(newcomer: Api) -> None:
    """Two tabs: the person was read before the other tab signed; the transaction's condition refuses it all."""
    from chalicelib.errors import Conflict
    from chalicelib.storage import accounts as account_store
    from chalicelib.storage import legal as store

    contract = next(d for d in shown(newcomer) if d["kind"] == "contract")
    before = account_store.user_by_login("anna@example.org")
    assert newcomer.post("/consents", as_signed(contract)).status_code == 201
    values = {"version": "1", "sha256": "a" * 64, "text": "<p>x</p>", "signed_at": "2026-01-01T00:00:00+00:00"}
    with pytest.raises(Conflict):
        store.record_signatures(before, [("c1", {"kind": "consent", **values}), ("c2", {"kind": "contract", **values})])
    assert store.get_consent("c1") is None and store.get_consent("c2") is None
    assert [d["kind"] for d in shown(newcomer)] == ["consent", "informed_consent"]


@pytest.mark.parametrize("documents", [[], "twice"])
def test_an_empty_list_or_a_document_twice_is_refused(newcomer: Api, documents) -> None:
    docs = shown(newcomer)
    body = {"documents": [as_signed(docs[0]), as_signed(docs[0])] if documents == "twice" else documents}
    refused = newcomer.post(SIGN_ALL, body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"
    assert refused.json["error"]["fields"]["documents"]
    assert_nothing_signed(newcomer)


def test_staff_without_the_patient_role_cannot_sign(client) -> None:
    make_user("registrar@example.org", {"registrar"})
    staff = Api(client)
    staff.login("registrar@example.org")
    docs = staff.get("/legal-documents").json
    refused = staff.post(SIGN_ALL, {"documents": [as_signed(d) for d in docs]})
    assert refused.status_code == 403
