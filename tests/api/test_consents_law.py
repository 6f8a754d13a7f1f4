"""Consents as Russian law shapes them: the contract, the personal-data consent (152-FZ: a document of its own, with
an explicit clause for health data) and the informed voluntary consent (323-FZ art. 20) are signed before booking and
paying; the clinic's news are a consent of their own that never gates; a new version is signed at the next booking;
withdrawing the personal-data consent says first what stops and what is kept, and the registry sees it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import free_slots, sign_documents
from tests.helpers import Api, Clock, make_user, set_own_password

SIGN_ALL = "/legal-documents/signatures"
REQUIRED = ["contract", "consent", "informed_consent"]
TITLES = {
    "contract": "Договор на оказание платной медицинской услуги «телемедицина»",
    "consent": "Согласие на обработку персональных данных",
    "informed_consent": (
        "Информированное добровольное согласие на медицинское вмешательство с применением телемедицинских технологий"
    ),
    "marketing": "Согласие на получение новостей и предложений клиники",
}


def as_signed(doc: dict) -> dict:
    return {"kind": doc["kind"], "version": doc["version"], "sha256": doc["sha256"]}


def documents(api: Api) -> dict[str, dict]:
    return {d["kind"]: d for d in api.get("/legal-documents").json}


def to_sign_before_booking(api: Api) -> list[str]:
    """What the booking wizard shows: required, not signed in the version in force."""
    return [d["kind"] for d in api.get("/legal-documents").json if d["required_before_booking"] and not d["signed"]]


def sign(api: Api, *kinds: str) -> list[dict]:
    docs = documents(api)
    signed = api.post(SIGN_ALL, {"documents": [as_signed(docs[kind]) for kind in kinds]})
    assert signed.status_code == 201, signed.json
    return signed.json


def refused_for(response, *kinds: str) -> None:
    assert response.status_code == 403, response.json
    error = response.json["error"]
    assert error["code"] == "consent_required"
    assert error["details"]["missing"] == list(kinds)
    for kind, title in TITLES.items():
        assert (f"«{title}»" in error["message"]) == (kind in kinds), error["message"]


@pytest.fixture
def newcomer(client) -> Api:
    make_user("anna@example.org", {"patient"}, full_name="Петрова Анна Викторовна")
    api = Api(client)
    assert api.login("anna@example.org").status_code == 200
    return api


@pytest.fixture
def bumped(tmp_path: Path) -> Iterator[Path]:
    """A test-only copy of the documents (manifest and templates), named by configuration: the real ones untouched.
    Tests write a new version into it and bump the manifest."""
    from chalicelib.config import reload_settings
    from chalicelib.config import settings as current

    copy = tmp_path / "legal"
    shutil.copytree(current().legal.documents_dir, copy)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEGAL_DOCUMENTS_DIR", str(copy))
        reload_settings()
        yield copy
    reload_settings()


def bump(directory: Path, kind: str, text: str) -> str:
    manifest = json.loads((directory / "documents.json").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["documents"] if d["kind"] == kind)
    entry["version"] = str(int(entry["version"]) + 1)
    (directory / f"{kind}-{entry['version']}.html").write_text(text, encoding="utf-8")
    (directory / "documents.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return str(entry["version"])


# Texts ------------------------------------------------------------------------------------------


def test_the_texts_say_what_the_law_asks(newcomer: Api) -> None:
    from chalicelib.config import settings

    s = settings()
    docs = documents(newcomer)
    assert list(docs) == [*REQUIRED, "marketing"]
    assert [d["required_before_booking"] for d in docs.values()] == [True, True, True, False]
    for kind, title in TITLES.items():
        assert docs[kind]["title"] == title and not docs[kind]["signed"]

    consent = docs["consent"]["html"]
    # The operator, by name, ИНН, ОГРН and address; the patient by name.
    for fact in (s.clinic_name, f"ИНН {s.legal.operator_inn}", f"ОГРН {s.legal.operator_ogrn}", s.clinic_address):
        assert fact in consent
    assert "Петрова Анна Викторовна" in consent and "152-ФЗ" in consent
    # Purposes, the data, the actions.
    assert "Цели обработки" in consent and "оказание мне медицинских услуг" in consent
    assert "Перечень персональных данных" in consent and "адрес электронной почты" in consent
    assert "Сбор, запись, систематизация" in consent
    # Health data: a clause of its own, explicit (152-FZ art. 10).
    assert "<b>Отдельно и явно даю согласие на обработку сведений о состоянии моего здоровья</b>" in consent
    assert "специальной категории персональных данных (статья 10" in consent
    # Third parties who receive data: the payment provider and the hosting (and mail) provider.
    assert "ООО НКО «ЮМани»" in consent and "Amazon Web Services" in consent
    # The term, how to withdraw and what is kept.
    assert f"в течение {s.legal.consent_term_years} лет" in consent
    assert "Как отозвать согласие" in consent and "«Отозвать согласие»" in consent and s.legal.operator_email in consent
    assert "хранится 25 лет" in consent and "530н" in consent and "5 лет" in consent

    # The contract carries no consent text: it only says the consent is a document of its own.
    contract = docs["contract"]["html"]
    assert "на основании отдельного согласия" in contract
    assert "даю согласие" not in contract and "состоянии моего здоровья" not in contract

    informed = docs["informed_consent"]["html"]
    assert "статьёй 20 Федерального закона" in informed and "323-ФЗ" in informed
    assert "телемедицинских технологий" in informed and "не проводит очный осмотр" in informed
    assert "отказаться от консультации" in informed and "Петрова Анна Викторовна" in informed

    marketing = docs["marketing"]["html"]
    assert "новости и предложения клиники по электронной почте" in marketing and "anna@example.org" in marketing
    assert "необязательно" in marketing


# Gates ------------------------------------------------------------------------------------------


def test_the_three_required_documents_gate_holds_and_payment(client, newcomer: Api, doctor: dict, yookassa) -> None:
    first, second = free_slots(newcomer, doctor["id"])[:2]
    refused_for(newcomer.post("/bookings", {"slot_id": first["id"]}), *REQUIRED)
    sign(newcomer, "contract", "consent")
    refused_for(newcomer.post("/bookings", {"slot_id": first["id"]}), "informed_consent")
    [informed] = sign(newcomer, "informed_consent")
    # Its signed copy as PDF carries the text and the signature's record.
    pdf = client.http.get(f"/consents/{informed['id']}/pdf", headers={"Cookie": newcomer.cookie, "Accept": "*/*"})
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body, capture_output=True, check=True).stdout.decode()
    assert "отказаться от консультации" in " ".join(text.split()) and informed["sha256"] in text.replace("\n", "")
    held = newcomer.post("/bookings", {"slot_id": first["id"]})
    assert held.status_code == 201, held.json

    # Withdrawn after the hold: the payment is refused too, naming the consent; signed again, it goes on.
    consent = next(c for c in newcomer.get("/consents").json if c["kind"] == "consent")
    assert newcomer.post(f"/consents/{consent['id']}/withdraw").status_code == 200
    refused_for(newcomer.post(f"/bookings/{held.json['id']}/payment"), "consent")
    refused_for(newcomer.post("/bookings", {"slot_id": second["id"]}), "consent")
    sign(newcomer, "consent")
    paying = newcomer.post(f"/bookings/{held.json['id']}/payment")
    assert paying.status_code == 200 and paying.json["confirmation_url"], paying.json


def test_the_clinics_news_never_gate_and_are_recorded_like_the_others(client, newcomer: Api, doctor: dict) -> None:
    sign_documents(newcomer)
    assert not documents(newcomer)["marketing"]["signed"]
    slots = free_slots(newcomer, doctor["id"])
    assert newcomer.post("/bookings", {"slot_id": slots[0]["id"]}).status_code == 201

    # The personal page's switch: on signs it, off withdraws it; both recorded.
    [signed] = sign(newcomer, "marketing")
    assert signed["kind"] == "marketing" and signed["withdrawable"] and signed["ip"]
    assert documents(newcomer)["marketing"]["signed"]
    effect = newcomer.get(f"/consents/{signed['id']}/withdrawal").json
    assert effect["stops"] == ["Письма с новостями и предложениями клиники больше не будут приходить."]
    assert effect["also_withdrawn"] == []
    withdrawn = newcomer.post(f"/consents/{signed['id']}/withdraw").json
    assert withdrawn["withdrawn_at"] and not withdrawn["in_force"]
    assert not documents(newcomer)["marketing"]["signed"]
    assert newcomer.post("/bookings", {"slot_id": slots[1]["id"]}).status_code == 201


def test_a_new_version_is_signed_at_the_next_booking_and_past_bookings_stay_open(
    client, patient: Api, doctor: dict, yookassa, bumped: Path
) -> None:
    slots = free_slots(patient, doctor["id"])
    booking = patient.post("/bookings", {"slot_id": slots[0]["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    paid = patient.get(f"/bookings/{booking['id']}").json
    assert paid["status"] == "paid"

    version = bump(bumped, "consent", "<h1>Согласие, редакция новая</h1><p>{{ patient.full_name }}</p>")
    consent = documents(patient)["consent"]
    assert consent["version"] == version and not consent["signed"] and consent["signed_version"] == "2"
    # The wizard shows only what changed.
    assert to_sign_before_booking(patient) == ["consent"]
    refused_for(patient.post("/bookings", {"slot_id": slots[1]["id"]}), "consent")

    # Not locked out of the past: the paid booking opens, its room is entered, its conclusion read.
    assert patient.get(f"/bookings/{booking['id']}").json["status"] == "paid"
    Clock(dt.datetime.fromisoformat(paid["starts_at"]) + dt.timedelta(minutes=1))
    patient.login("anna@example.org")
    assert patient.get(f"/rooms/{paid['room_id']}").status_code == 200
    make_user("admin@example.org", {"admin"})
    admin = Api(client)
    admin.login("admin@example.org")
    assert admin.post(f"/doctors/{doctor['id']}/signing-key").status_code in (200, 201)
    set_own_password("orlova@example.org", "correct horse battery")
    signer = Api(client)
    signer.login("orlova@example.org")
    assert signer.post(f"/bookings/{booking['id']}/conclusion", {"conclusion": "Здоров."}).status_code == 201
    pdf = client.http.get(
        f"/bookings/{booking['id']}/conclusion/pdf", headers={"Cookie": patient.cookie, "Accept": "application/pdf"}
    )
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")

    # Signed again: the next hold goes through; the old signature is kept, replaced.
    sign(patient, "consent")
    assert to_sign_before_booking(patient) == []
    later = [s for s in free_slots(patient, doctor["id"], days=3) if s["starts_at"] > paid["ends_at"]]
    assert patient.post("/bookings", {"slot_id": later[0]["id"]}).status_code == 201
    copies = [c for c in patient.get("/consents").json if c["kind"] == "consent"]
    assert sorted((c["version"], c["in_force"]) for c in copies) == [("2", False), (version, True)]


# Withdrawal ------------------------------------------------------------------------------------


def test_withdrawal_says_first_what_stops_and_what_is_kept(client, patient: Api, doctor: dict, staff: Api) -> None:
    sign(patient, "marketing")
    consents = {c["kind"]: c for c in patient.get("/consents").json}
    # The contract and the informed consent cannot be withdrawn here.
    for kind in ("contract", "informed_consent"):
        refused = patient.get(f"/consents/{consents[kind]['id']}/withdrawal")
        assert refused.status_code == 409 and refused.json["error"]["code"] == "not_withdrawable"

    effect = patient.get(f"/consents/{consents['consent']['id']}/withdrawal")
    assert effect.status_code == 200, effect.json
    said = effect.json
    assert said["title"] == TITLES["consent"]
    assert any("Новая запись на консультацию станет невозможной" in line for line in said["stops"])
    assert any("Оплатить" in line for line in said["stops"])
    assert any("новостями" in line for line in said["stops"])
    assert any("Уже оплаченные консультации состоятся" in line for line in said["continues"])
    assert any("Медицинская документация хранится 25 лет" in line and "530н" in line for line in said["kept"])
    assert any("Сведения об оплате хранятся 5 лет" in line and "54-ФЗ" in line for line in said["kept"])
    assert said["also_withdrawn"] == [TITLES["marketing"]]
    # Asking changes nothing.
    assert documents(patient)["consent"]["signed"]

    past = patient.post("/bookings", {"slot_id": free_slots(patient, doctor["id"])[0]["id"]}).json
    withdrawn = patient.post(f"/consents/{consents['consent']['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn_at"]
    # It stops new bookings and the news (withdrawn with it), and keeps the past.
    refused_for(patient.post("/bookings", {"slot_id": free_slots(patient, doctor["id"])[1]["id"]}), "consent")
    after = {c["id"]: c for c in patient.get("/consents").json}
    assert after[consents["marketing"]["id"]]["withdrawn_at"]
    assert after[consents["contract"]["id"]]["in_force"] and after[consents["informed_consent"]["id"]]["in_force"]
    assert patient.get(f"/bookings/{past['id']}").status_code == 200
    copy = patient.get(f"/consents/{consents['consent']['id']}")
    assert copy.status_code == 200 and "Отдельно и явно" in copy.json["html"]
    # A second withdrawal changes nothing.
    assert patient.post(f"/consents/{consents['consent']['id']}/withdraw").json == withdrawn.json

    # The registry's card says so, with the date.
    card = staff.post("/patients/search", {"email": "anna@example.org"})
    assert card.status_code == 200, card.json
    when = dt.datetime.fromisoformat(card.json["personal_data_withdrawn_at"])
    assert when == dt.datetime.fromisoformat(withdrawn.json["withdrawn_at"])
    # Signed again: the registry no longer shows a withdrawal.
    sign(patient, "consent")
    assert staff.post("/patients/search", {"email": "anna@example.org"}).json["personal_data_withdrawn_at"] is None
