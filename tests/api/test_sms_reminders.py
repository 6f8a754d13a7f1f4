"""SMS reminders: the consent (a Russian mobile number, or a clear 400), the reminder's SMS only with it, exactly once
(a redelivered timer event sends nothing more), retried by the outbox when SNS fails, stopped by the opt-out, and
never a phone number in a log line."""

from __future__ import annotations

import json
import re

from botocore.exceptions import ClientError

from chalicelib.devtools.aws_calls import recording
from tests.api.conftest import free_slots
from tests.api.test_faults import aws_calls_through, failing
from tests.helpers import Api, Clock, make_user, outbox

MOBILE = "+79123456789"


def sent_sms() -> list[dict]:
    from chalicelib.devtools.outbox import sms_messages

    return sms_messages()


def reminders_to(address: str) -> list[dict]:
    return [m for m in outbox() if m["to"] == [address] and m["subject"].startswith("Напоминание")]


def paid(patient: Api, doctor: dict, yookassa, index: int = 1) -> dict:  # type: ignore[no-untyped-def]
    slot = free_slots(patient, doctor["id"])[index]
    booking = patient.post("/bookings", {"slot_id": slot["id"]}).json
    yookassa.decide(patient.post(f"/bookings/{booking['id']}/payment").json["payment_id"], "pay")
    found = patient.get(f"/bookings/{booking['id']}").json
    assert found["status"] == "paid", found
    return found


def remind(client, booking: dict) -> None:  # type: ignore[no-untyped-def]
    """The booking timer's «remind», as its SQS message reaches the timer_events function."""
    body = json.dumps({"event": "remind", "booking_id": booking["id"], "room_id": booking["room_id"]})
    client.lambda_.invoke("timer_events", client.events.generate_sqs_event(message_bodies=[body], queue_name="timer"))


def set_card_phone(email: str, phone: str) -> None:
    from chalicelib.storage import accounts

    user = accounts.user_by_login(email)
    assert user is not None
    user.update(actions=[type(user).phone.set(phone)])


def opt_in(patient: Api, phone: str | None = MOBILE) -> dict:
    answer = patient.call("PUT", "/me/sms-reminders", {"enabled": True, "phone": phone})
    assert answer.status_code == 200, answer.json
    return answer.json


def test_opting_in_needs_a_russian_mobile_number(client, patient: Api) -> None:
    assert patient.get("/me/sms-reminders").json == {
        "enabled": False,
        "phone": None,
        "card_phone": None,
        "changed_at": None,
    }
    refusals = {
        None: "в карте его нет",  # no number given, none on the card
        "+7 495 123-45-67": "городской номер",  # a landline
        "8 800 555-35-35": "городской номер",
        "+1 202 555 0100": "российский мобильный",
        "+8 912 345 67 89": "российский мобильный",
        "9123": "российский мобильный",
        "+7 912 345-67-8": "российский мобильный",
        "+7 912 345 67 89 0": "российский мобильный",
    }
    for phone, words in refusals.items():
        refused = patient.call("PUT", "/me/sms-reminders", {"enabled": True, "phone": phone})
        assert refused.status_code == 400, (phone, refused.json)
        assert words in refused.json["error"]["fields"]["phone"], (phone, refused.json)
    assert patient.get("/me/sms-reminders").json["enabled"] is False  # nothing half-written
    assert patient.call("PUT", "/me/sms-reminders", {"enabled": "yes"}).status_code == 400

    for spelling in ("8 (912) 345-67-89", "+7 (912) 345 67 89", "89123456789", "912 345 67 89"):
        assert opt_in(patient, spelling)["phone"] == MOBILE
    shown = patient.get("/me/sms-reminders").json
    assert shown["enabled"] is True and shown["phone"] == MOBILE and shown["changed_at"]

    stopped = patient.call("PUT", "/me/sms-reminders", {"enabled": False})
    assert stopped.status_code == 200 and stopped.json["enabled"] is False and stopped.json["phone"] is None


def test_the_cards_mobile_number_is_offered_and_used_a_landline_is_not(client, patient: Api) -> None:
    set_card_phone("anna@example.org", "+74951234567")
    assert patient.get("/me/sms-reminders").json["card_phone"] is None
    refused = patient.call("PUT", "/me/sms-reminders", {"enabled": True})
    assert refused.status_code == 400 and "мобильный" in refused.json["error"]["fields"]["phone"]

    set_card_phone("anna@example.org", "+79001234567")
    assert patient.get("/me/sms-reminders").json["card_phone"] == "+79001234567"
    assert opt_in(patient, None)["phone"] == "+79001234567"


def test_only_a_patient_has_sms_reminders(client, staff: Api) -> None:
    assert Api(client).get("/me/sms-reminders").status_code == 401
    assert Api(client).call("PUT", "/me/sms-reminders", {"enabled": True, "phone": MOBILE}).status_code == 401
    assert staff.get("/me/sms-reminders").status_code == 403
    assert staff.call("PUT", "/me/sms-reminders", {"enabled": True, "phone": MOBILE}).status_code == 403


def test_without_consent_the_reminder_is_an_email_only(client, doctor: dict, patient: Api, yookassa) -> None:
    booking = paid(patient, doctor, yookassa)
    remind(client, booking)
    assert len(reminders_to("anna@example.org")) == 1
    assert sent_sms() == []


def test_the_reminder_goes_by_sms_once_even_when_the_timer_event_comes_again(
    client, doctor: dict, patient: Api, yookassa
) -> None:
    opt_in(patient)
    booking = paid(patient, doctor, yookassa)
    with recording() as calls:
        remind(client, booking)
    # Booking, room, consent; the transaction (mark + email + job); SES and its mark; the job reads the booking and the
    # consent again, then SNS and its mark.
    assert calls == [
        *("GetItem", "GetItem", "GetItem", "TransactWriteItems", "SendRawEmail", "UpdateItem"),
        *("GetItem", "GetItem", "Publish", "UpdateItem"),
    ], calls
    with recording() as again:
        remind(client, booking)  # SQS delivers at least once
    assert again == ["GetItem", "GetItem"], again  # the booking (reminded already) and its room: nothing written
    [sms] = sent_sms()
    assert sms["to"] == MOBILE
    assert len(reminders_to("anna@example.org")) == 1

    text = sms["text"]
    assert len(text) <= 70 and sms["parts"] == 1, text
    assert text.endswith("Вход: http://127.0.0.1:8000/c"), text
    assert "МСК" in text and re.search(r"\d\d\.\d\d в \d\d:\d\d", text), text
    for secret in ("Кардиология", "Кардиолог", "Орлова", "/room/", "token", booking["room_id"], booking["id"]):
        assert secret not in text, (secret, text)


def test_opting_out_stops_the_next_reminder(client, doctor: dict, patient: Api, yookassa) -> None:
    opt_in(patient)
    first, second = paid(patient, doctor, yookassa, 1), paid(patient, doctor, yookassa, 2)
    remind(client, first)
    assert len(sent_sms()) == 1
    assert patient.call("PUT", "/me/sms-reminders", {"enabled": False}).json["enabled"] is False
    remind(client, second)
    assert len(sent_sms()) == 1  # no second SMS
    assert len(reminders_to("anna@example.org")) == 2  # the email still comes


def test_an_sms_waiting_for_a_retry_is_dropped_after_the_opt_out(client, doctor: dict, patient: Api, yookassa) -> None:
    from chalicelib.outbox import deliver_due

    clock = Clock()
    opt_in(patient)
    booking = paid(patient, doctor, yookassa)
    with failing("Publish", "Throttling"):
        remind(client, booking)
    assert sent_sms() == [] and len(reminders_to("anna@example.org")) == 1
    patient.call("PUT", "/me/sms-reminders", {"enabled": False})
    clock.advance(seconds=31)
    assert deliver_due() == 0
    assert sent_sms() == []
    clock.advance(hours=1)
    assert deliver_due() == 0  # dropped for good, not due again


def test_an_sms_waiting_for_a_retry_is_dropped_when_the_booking_moves(
    client, doctor: dict, patient: Api, staff: Api, yookassa
) -> None:
    from chalicelib.outbox import deliver_due

    clock = Clock()
    opt_in(patient)
    booking = paid(patient, doctor, yookassa, 1)
    with failing("Publish", "Throttling"):
        remind(client, booking)
    moved = staff.post(  # by the registry: less than 24 h ahead
        f"/bookings/{booking['id']}/reschedule", {"slot_id": free_slots(patient, doctor["id"])[3]["id"]}
    )
    assert moved.status_code == 200, moved.json
    clock.advance(seconds=31)
    assert deliver_due() == 0
    assert sent_sms() == []  # the old time's SMS is not sent; the new time gets its own reminder


def test_sns_failing_is_retried_by_the_outbox_then_sent_once(
    client, doctor: dict, patient: Api, yookassa, capsys
) -> None:
    from chalicelib.outbox import deliver_due, failed

    clock = Clock()
    opt_in(patient, "8 (912) 345-67-89")
    booking = paid(patient, doctor, yookassa)

    def refused_with_the_number(client, name, params, original, count):  # type: ignore[no-untyped-def]
        count[0] += 1  # SNS's own message names the number: it must not reach a log line or the mailroom
        message = f"Invalid parameter: PhoneNumber Reason: {params['PhoneNumber']} throttled"
        raise ClientError({"Error": {"Code": "Throttling", "Message": message}}, name)

    with aws_calls_through("Publish", refused_with_the_number) as calls:
        remind(client, booking)
        clock.advance(seconds=31)
        assert deliver_due() == 0  # still failing: waits longer
    assert calls[0] == 2
    assert sent_sms() == [] and len(reminders_to("anna@example.org")) == 1
    assert deliver_due() == 0  # not due yet: the second pause is 60 s
    clock.advance(seconds=61)
    assert deliver_due() == 1
    assert len(sent_sms()) == 1
    clock.advance(hours=2)
    remind(client, booking)  # the timer's event again, after all that
    assert deliver_due() == 0
    assert len(sent_sms()) == 1 and len(reminders_to("anna@example.org")) == 1
    assert failed() == []

    logged = capsys.readouterr()
    for digits in ("9123456789", "912 345", "345-67-89"):
        assert digits not in logged.out and digits not in logged.err


def test_sns_refusing_the_number_for_good_fails_the_job_without_the_number(
    client, doctor: dict, patient: Api, yookassa, capsys
) -> None:
    from chalicelib.outbox import failed

    opt_in(patient)
    booking = paid(patient, doctor, yookassa)

    def refused(client, name, params, original, count):  # type: ignore[no-untyped-def]
        raise ClientError({"Error": {"Code": "InvalidParameter", "Message": f"bad {params['PhoneNumber']}"}}, name)

    with aws_calls_through("Publish", refused):
        remind(client, booking)
    [job] = failed()
    assert job["template"] == "sms_reminder" and "InvalidParameter" in job["last_error"]
    assert "9123456789" not in json.dumps(job)
    assert len(reminders_to("anna@example.org")) == 1  # the email went all the same
    assert "9123456789" not in capsys.readouterr().out


def test_another_patients_consent_is_not_mine(client, doctor: dict, patient: Api, yookassa) -> None:
    make_user("boris@example.org", {"patient"}, full_name="Борисов Борис")
    boris = Api(client)
    boris.login("boris@example.org")
    assert opt_in(boris)["enabled"] is True
    assert patient.get("/me/sms-reminders").json["enabled"] is False
    remind(client, paid(patient, doctor, yookassa))
    assert sent_sms() == []
