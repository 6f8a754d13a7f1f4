"""Least privilege: one declaration per Lambda function of exactly what its handlers use (infrastructure/policies.py
makes the IAM statements from it, the only place a function's role gets a grant; tests/infra/test_least_privilege.py
checks the synthesized template against the same declaration).

Each declaration was read off the code its handlers reach (app.py → chalicelib/…); a change there that needs a
new table, action or secret shows up as AccessDenied in AWS until it is declared here.

Which tables hold personal or health data, and what protects each table (deletion protection, the tables' own KMS
key), with the reason: infrastructure/protection.py (`protections`, also importable from here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infrastructure.protection import Protection, protections  # noqa: F401 - named here, as before

# What every function's role has from Chalice (.chalice/policy-base.json): its own logs.
BASE_ACTIONS = frozenset({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"})

# DynamoDB actions that change items; everything else declared on a table only reads.
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
S3_WRITES = frozenset({"PutObject"})
S3_READS = frozenset({"GetObject"})

# The doctors' signing keys (chalicelib/conclusions/keys.py): made by KMS with these properties, the tag
# doctor_id, and the alias alias/<prefix>-doctor-<id>; signed with (chalicelib/signing/pades.py) RAW messages.
SIGNING_KEY_SPEC, SIGNING_KEY_USAGE, SIGNING_KEY_TAG = "RSA_2048", "SIGN_VERIFY", "doctor_id"
SIGNING_MESSAGE_TYPE = "RAW"

QUEUE_CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")  # Lambda's poller


@dataclass(frozen=True)
class Access:
    """What one function's handlers use.

    tables: PynamoDB model → DynamoDB actions ("GetItem", …; "Query" on the table itself, "Query:<index>" on
      one of its indexes). A transaction's parts are authorized as their own actions (PutItem, UpdateItem, …).
    objects: documents-bucket prefix → S3 actions; the data key's use follows (read → Decrypt, write →
      GenerateDataKey), only through S3.
    parameters: the stage's SSM SecureString parameters it reads, by the secret's name (chalicelib/secrets.py:
      `secret("YOOKASSA_SECRET_KEY")` reads the parameter named by YOOKASSA_SECRET_KEY_PARAMETER).
    secrets: Secrets Manager secrets it reads, by name (granted where the stack makes the secret: site.py).
    failures_to: queues (by name suffix) its failed asynchronous invocations go to; Lambda sends them with the
      function's role (granted where the queue is made: operations.py).
    """

    tables: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    objects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parameters: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    mail: bool = False  # ses:SendRawEmail (chalicelib/mail.py)
    sms: bool = False  # sns:Publish to a phone number (chalicelib/sms/sending.py)
    timer: tuple[str, ...] = ()  # Step Functions actions on the booking timer (chalicelib/timer.py)
    sends_to: tuple[str, ...] = ()  # queues (by name suffix) it sends to
    consumes: tuple[str, ...] = ()  # queues (by name suffix) whose messages it is invoked with
    failures_to: tuple[str, ...] = ()
    turn: bool = False  # Kinesis Video TURN credentials (chalicelib/rooms/turn.py)
    websocket_replies: bool = False  # posts to signaling WebSockets (chalicelib/rooms/signaling.Sender)
    creates_signing_keys: bool = False  # kms:CreateKey & co. for doctors' keys (chalicelib/conclusions/keys.py)
    signs: bool = False  # kms:Sign with a doctor's key (chalicelib/signing/pades.py)
    lists_versions: tuple[str, ...] = ()  # documents-bucket prefixes whose object versions it lists

    def actions(self) -> frozenset[str]:
        """Every IAM action this declaration allows (what the role may hold, and no more)."""
        found = set(BASE_ACTIONS)
        for actions in self.tables.values():
            found |= {"dynamodb:" + a.split(":")[0] for a in actions}
        if self.tables:
            found |= {"kms:Decrypt", "kms:DescribeKey"}
            if any(a in WRITES for actions in self.tables.values() for a in actions):
                found |= {"kms:Encrypt", "kms:GenerateDataKey"}
        for actions in self.objects.values():
            found |= {"s3:" + a for a in actions}
            found |= {"kms:Decrypt"} if S3_READS & set(actions) else set()
            found |= {"kms:GenerateDataKey"} if S3_WRITES & set(actions) else set()
        if self.parameters:
            found |= {"ssm:GetParameter", "kms:Decrypt"}
        if self.secrets:
            found |= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
        if self.mail:
            found.add("ses:SendRawEmail")
        if self.sms:
            found.add("sns:Publish")
        found |= {"states:" + a for a in self.timer}
        if self.sends_to:
            found.add("sqs:SendMessage")
        if self.consumes:
            found |= set(QUEUE_CONSUMER_ACTIONS)
        if self.failures_to:
            found |= {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}  # CDK's grant_send_messages
        if self.turn:
            found |= {"kinesisvideo:GetSignalingChannelEndpoint", "kinesisvideo:GetIceServerConfig"}
        if self.websocket_replies:
            found.add("execute-api:ManageConnections")
        if self.creates_signing_keys:
            found |= {"kms:CreateKey", "kms:TagResource", "kms:CreateAlias", "kms:GetPublicKey"}
        if self.signs:
            found.add("kms:Sign")
        if self.lists_versions:
            found.add("s3:ListBucketVersions")
        return frozenset(found)


def declarations() -> dict[str, Access]:
    """Function (as named in infrastructure/stack.py FUNCTIONS) → what its handlers use."""
    # Here, not at the top: the models read the stage's settings when imported (the stack sets them first).
    from chalicelib.storage.tables import (
        Attachment,
        AuditEntry,
        Booking,
        Conclusion,
        Connection,
        Consent,
        Counter,
        DataExport,
        Doctor,
        DocumentsAddress,
        HoldAllowance,
        InboundMail,
        Login,
        OneTimeToken,
        OutboxMessage,
        Reconciliation,
        RegistrationRequest,
        Room,
        Session,
        Slot,
        Specialty,
        Throttle,
        User,
    )

    # Sending an email (chalicelib/outbox.py send_now / deliver): the message is written, read back, marked.
    outbox = ("PutItem", "GetItem", "UpdateItem")
    # Bringing a doctor's slots in line (chalicelib/scheduling/materialize.py): conditional writes one by one.
    slots = ("Query", "PutItem", "UpdateItem", "DeleteItem")
    return {
        # Chalice serves every REST route from this one function, so it holds what all routes need: the admin's
        # signing-key route (kms:CreateKey, the CA's private key), conclusions (kms:Sign), payments (YooKassa), …
        "ApiHandler": Access(
            tables={
                User: (
                    "GetItem",
                    "PutItem",
                    "UpdateItem",
                    "DescribeTable",
                    "Query:by_surname",
                    "Query:by_phone",
                    "Query:by_card",
                ),  # DescribeTable: the health probe (chalicelib/health.py); Query: the registry's search
                Login: ("GetItem", "PutItem"),
                Session: ("GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "Query:by_user"),
                OneTimeToken: ("GetItem", "PutItem", "UpdateItem", "DeleteItem"),
                Throttle: ("GetItem", "PutItem", "UpdateItem", "DeleteItem"),
                RegistrationRequest: ("GetItem", "PutItem", "UpdateItem", "Query:by_status"),
                Counter: ("UpdateItem",),
                Consent: ("GetItem", "PutItem", "UpdateItem", "Query:by_user"),
                Specialty: ("GetItem", "PutItem", "Query"),
                Doctor: ("GetItem", "PutItem", "UpdateItem", "Query:by_specialty", "Query:listing"),
                Slot: ("BatchGetItem", *slots),
                HoldAllowance: ("PutItem", "UpdateItem", "DeleteItem", "Query"),
                Booking: (
                    "GetItem",
                    "BatchGetItem",
                    "PutItem",
                    "UpdateItem",
                    "Query:by_patient",
                    "Query:by_doctor",
                    "Query:by_money_day",
                ),  # BatchGetItem, by_money_day: the admin's reconciliation with YooKassa
                Room: ("GetItem", "PutItem", "UpdateItem"),
                Connection: ("UpdateItem",),  # the room ended or closed: its connections read it again (signaling)
                OutboxMessage: (*outbox, "Query:pending"),  # Query: the admin's list of failed mail
                Reconciliation: ("PutItem", "Query"),  # the admin's run, the latest runs
                Conclusion: ("GetItem", "PutItem", "UpdateItem"),
                AuditEntry: ("PutItem", "Query"),  # append-only; Query: the admin reads a day
                Attachment: ("GetItem", "PutItem", "UpdateItem", "Query"),
                DocumentsAddress: ("PutItem",),  # made with the payment; read only by the mail intake
                InboundMail: ("Query:by_status",),  # the registry's «Почта»
                # «Мои данные»: the patient's guard and exports (a transaction of two puts; the status; the list)
                DataExport: ("GetItem", "PutItem", "UpdateItem", "Query"),
            },
            objects={
                "uploads/": ("PutObject", "GetObject", "DeleteObject"),  # presigned form, byte check, copy, clean-up
                "attachments/": ("PutObject", "GetObject", "DeleteObject"),  # checked copies, download links
                "conclusions/": ("PutObject", "GetObject"),  # signed PDFs
                "exports/": ("GetObject",),  # the archive's 15-minute download link is signed with this role
            },
            parameters=(
                "YOOKASSA_SHOP_ID",
                "YOOKASSA_SECRET_KEY",
                "CLINIC_CA_KEY_PEM",  # issuing doctors' certificates: this function only
                "CLINIC_CA_CERT_PEM",
            ),
            secrets=("ORIGIN_VERIFY_SECRET",),  # chalicelib/web/addresses.py
            mail=True,
            timer=("StartExecution", "StopExecution"),
            sends_to=("timer-events", "data-exports"),
            turn=True,
            creates_signing_keys=True,
            signs=True,
        ),
        # chalicelib/rooms/signaling.connect: the ticket used once, the connection recorded with the room's list of
        # them (one transaction: UpdateItem on the room, PutItem of the connection); GetItem: why one was refused.
        "WebsocketConnect": Access(
            tables={
                Room: ("GetItem", "UpdateItem"),
                OneTimeToken: ("UpdateItem",),
                Connection: ("PutItem",),
            }
        ),
        # chalicelib/rooms/signaling.message: relays within a room; no keys, no documents, no payments.
        "WebsocketMessage": Access(
            tables={
                # UpdateItem: its peers, relaying; DeleteItem: a connection found gone
                Connection: ("GetItem", "UpdateItem", "DeleteItem"),
                Room: ("GetItem", "UpdateItem"),  # UpdateItem: who joined (attendance)
            },
            websocket_replies=True,
        ),
        # chalicelib/rooms/signaling.disconnect: the connection out of its room's list and its peers' lists.
        "WebsocketDisconnect": Access(
            tables={
                Connection: ("UpdateItem", "DeleteItem"),
                Room: ("UpdateItem",),
            },
            websocket_replies=True,
        ),
        # chalicelib/rooms/events (remind, opened, closed; a doctor's no-show is refunded through YooKassa) and
        # chalicelib/scheduling/rest_of_window (the far part of a schedule change). The reminder's SMS: the patient's
        # consent and number (User), published through SNS.
        "TimerEvents": Access(
            tables={
                User: ("GetItem",),
                Booking: ("GetItem", "UpdateItem"),
                Room: ("GetItem", "UpdateItem"),
                Connection: ("UpdateItem", "DeleteItem"),  # relaying from the opening; DeleteItem: found gone
                OutboxMessage: outbox,
                Doctor: ("GetItem",),
                Slot: slots,
            },
            parameters=("YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"),  # refunds of no-shows
            mail=True,
            consumes=("timer-events",),
            websocket_replies=True,
            sms=True,
        ),
        # chalicelib/documents/inbound: the stored message, the booking's own address, the attachments, an answer.
        # No payments: no YooKassa credentials, no timer, no slots, holds, rooms or sessions; on bookings it
        # reads the booking the address names (or the sender's, for the registry) and counts its attachments.
        "DocumentsByEmail": Access(
            tables={
                InboundMail: ("PutItem", "UpdateItem", "DeleteItem"),  # claim once, the outcome, release on error
                DocumentsAddress: ("GetItem",),
                Booking: ("GetItem", "UpdateItem", "Query:by_patient"),
                Attachment: ("PutItem",),
                Login: ("GetItem",),
                User: ("GetItem",),  # whom to answer
                OutboxMessage: outbox,
            },
            objects={"inbound/": ("GetObject",), "attachments/": ("PutObject", "DeleteObject")},
            mail=True,
            consumes=("inbound-mail",),
        ),
        # chalicelib/doctors.extend_all_schedules.
        "RollSchedules": Access(
            tables={
                Doctor: ("Query:listing",),
                Slot: slots,
            },
            failures_to=("scheduled-failures",),
        ),
        # chalicelib/payments/reconciliation_run.scheduled: YooKassa's lists (its credentials), the bookings whose
        # money moved (by_money_day), those YooKassa's payments name (BatchGetItem), rendered consultations by
        # doctor, the stored result, its email.
        "ReconcilePayments": Access(
            tables={
                Booking: ("BatchGetItem", "Query:by_money_day", "Query:by_doctor"),
                Doctor: ("Query:listing",),
                Reconciliation: ("PutItem",),
                OutboxMessage: outbox,
            },
            parameters=("YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"),
            mail=True,
            failures_to=("scheduled-failures",),
        ),
        # chalicelib/outbox.deliver_due: the conclusion's PDF is attached from S3; the closing 54-FZ receipt's job
        # (chalicelib/payments/receipts.py) reads its booking, asks YooKassa, records the receipt on the booking; the
        # reminder's SMS reads the patient's consent again (User) and publishes through SNS; a moved booking's timer
        # job (chalicelib/timer.py) reads the booking and its room, stops the old execution and starts the new one.
        "DeliverMail": Access(
            tables={
                OutboxMessage: ("Query:pending", "GetItem", "UpdateItem"),
                Booking: ("GetItem", "UpdateItem"),
                User: ("GetItem",),
                Room: ("GetItem",),
            },
            objects={"conclusions/": ("GetObject",)},
            parameters=("YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY"),
            mail=True,
            timer=("StartExecution", "StopExecution"),
            sms=True,
            failures_to=("scheduled-failures",),
        ),
        # chalicelib/retention.py: finds what is past its term (by_status, a day of audit, a patient's bookings; one
        # paged Scan of bookings' starts) and deletes it, conditionally; an audit entry per batch. S3: every
        # version of what it deletes (the bucket is versioned), found by listing versions under the prefix.
        "ApplyRetention": Access(
            tables={
                RegistrationRequest: ("Query:by_status", "DeleteItem"),
                AuditEntry: ("PutItem", "Query", "BatchWriteItem"),  # deletes whole days past the audit's term
                Booking: ("Scan", "Query:by_patient", "GetItem", "DeleteItem"),
                Conclusion: ("GetItem", "DeleteItem"),
                Attachment: ("Query", "DeleteItem"),
                Room: ("GetItem", "DeleteItem"),
                DocumentsAddress: ("GetItem", "DeleteItem"),
                Consent: ("Query:by_user", "DeleteItem"),
            },
            objects={p: ("DeleteObjectVersion",) for p in ("inbound/", "exports/", "attachments/", "conclusions/")},
            lists_versions=("inbound/", "exports/", "attachments/", "conclusions/"),
            failures_to=("scheduled-failures",),
        ),
        # chalicelib/records_export/archive.build: one patient's records, read (never changed), zipped with their
        # documents and conclusions under exports/; the export marked ready and the patient's guard freed.
        "DataExports": Access(
            tables={
                DataExport: ("GetItem", "UpdateItem"),
                User: ("GetItem",),
                Consent: ("Query:by_user",),
                Booking: ("Query:by_patient",),
                Attachment: ("Query",),
                Conclusion: ("GetItem",),
                AuditEntry: ("Query:by_patient",),  # the patient's access log
            },
            objects={"attachments/": ("GetObject",), "conclusions/": ("GetObject",), "exports/": ("PutObject",)},
            consumes=("data-exports",),
        ),
    }
