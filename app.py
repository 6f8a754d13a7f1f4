"""The Chalice app: a table of contents. Each blueprint lives in `chalicelib.routes`."""

import os

from chalice import Chalice, Cron, Rate
from chalice.app import SQSEvent, WebsocketDisconnectedError, WebsocketEvent

from chalicelib import resources, retention
from chalicelib.config import settings
from chalicelib.doctors import extend_all_schedules
from chalicelib.documents.inbound import receive_notification
from chalicelib.outbox import deliver_due
from chalicelib.payments import reconciliation_run
from chalicelib.records_export import archive
from chalicelib.rooms import events, signaling
from chalicelib.rooms.signaling import Sender
from chalicelib.routes import (
    admin_reconciliation,
    auth,
    bookings,
    conclusions,
    data_export,
    doctors,
    documents,
    legal,
    mailroom,
    payments,
    registry,
    rooms,
    sms,
    system,
    waiting,
)
from chalicelib.scheduling import rest_of_window
from chalicelib.web import middleware

app = Chalice(app_name="telemed")
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.api.binary_types.extend(["application/pdf", "application/octet-stream"])
middleware.install(app)

app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(registry.bp)
app.register_blueprint(legal.bp)
app.register_blueprint(doctors.bp)
app.register_blueprint(bookings.bp)
app.register_blueprint(payments.bp)
app.register_blueprint(rooms.bp)
app.register_blueprint(conclusions.bp)
app.register_blueprint(documents.bp)
app.register_blueprint(mailroom.bp)
app.register_blueprint(admin_reconciliation.bp)
app.register_blueprint(data_export.bp)
app.register_blueprint(waiting.bp)
app.register_blueprint(sms.bp)


def _sender() -> Sender:
    import boto3

    if app.websocket_api.session is None:
        app.websocket_api.session = boto3.session.Session()
    if os.environ.get("WEBSOCKET_API_ID"):
        app.websocket_api.configure_from_api_id(os.environ["WEBSOCKET_API_ID"], os.environ.get("WEBSOCKET_STAGE", "ws"))
    return Sender(app.websocket_api, gone=WebsocketDisconnectedError)


@app.on_ws_connect()
def ws_connect(event: WebsocketEvent) -> object:
    admitted = signaling.connect(event.connection_id, event.to_dict().get("queryStringParameters") or {})
    return None if admitted else {"statusCode": 403}


@app.on_ws_message()
def ws_message(event: WebsocketEvent) -> None:
    signaling.message(_sender(), event.connection_id, event.body)


@app.on_ws_disconnect()
def ws_disconnect(event: WebsocketEvent) -> None:
    signaling.disconnect(_sender(), event.connection_id)


@app.on_sqs_message(queue=resources.timer_queue())
def timer_events(event: SQSEvent) -> None:
    """Reminders, openings and closings reported by the booking timer; the far part of schedule changes."""
    sender = _sender()
    for record in event:
        if rest_of_window.handle(record.body) is None:
            events.handle(record.body, sender)


@app.on_sqs_message(queue=resources.inbound_mail_queue())
def documents_by_email(event: SQSEvent) -> None:
    """SES receiving stored a message for the telemedicine address (S3 → SQS): attach its documents, answer."""
    for record in event:
        receive_notification(record.body)


@app.on_sqs_message(queue=resources.data_export_queue())
def data_exports(event: SQSEvent) -> None:
    """«Мои данные»: build the archive a patient asked for and store it under exports/."""
    for record in event:
        archive.build(record.body)


@app.schedule(Rate(1, unit=Rate.DAYS))
def roll_schedules(event: object) -> int:
    """Keep every doctor's 8-week window of slots full."""
    return extend_all_schedules()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def deliver_mail(event: object) -> int:
    """Send the emails whose first try failed."""
    return deliver_due()


@app.schedule(Cron(0, 3, "*", "*", "?", "*"))
def reconcile_payments(event: object) -> int:
    """Daily at 03:00 UTC: yesterday's (UTC) payments, refunds and closing receipts compared with YooKassa's."""
    return reconciliation_run.scheduled()


@app.schedule(Cron(30, 1, "*", "*", "?", "*"))  # 01:30 UTC: 04:30 in Moscow, the quietest hour
def apply_retention(event: object) -> dict[str, dict[str, int]]:
    """The retention schedule: delete what is past its term (chalicelib/retention.py)."""
    return retention.apply()


if settings().dev_routes:  # only when the local stack says so (LOCAL_STACK=1), never by default
    from chalicelib.routes import dev

    app.register_blueprint(dev.bp)
