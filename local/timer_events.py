"""Locally, what Lambda's SQS trigger does: poll a queue (the timer's, the data exports') and hand batches to the
app's handler."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from typing import Any


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class TimerEventPoller:
    def __init__(self, handler: Any, queue_url: str, name: str = "timer-events") -> None:
        self.handler = handler
        self.queue_url = queue_url
        self.name = name
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, name=self.name, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from chalicelib import aws

        sqs = aws.client("sqs")
        arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        region = sqs.meta.region_name
        while not self._stop.is_set():
            try:
                found = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1)
            except Exception:
                self._stop.wait(1)
                continue
            for message in found.get("Messages", []):
                try:
                    self.handler(sqs_event([message], arn, region), {"aws_request_id": str(uuid.uuid4())})
                except Exception as exc:  # left in the queue: SQS hands it out again, as in AWS
                    print(
                        json.dumps({"event": "queue_event_failed", "queue": self.name, "error": repr(exc)}), flush=True
                    )
                    continue
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
