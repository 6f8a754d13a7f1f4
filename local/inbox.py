"""Documents by email, locally: drop an .eml file into .local/inbox/ and it is handled as in AWS —
stored in the bucket under inbound/, and the bucket's notification handed to the app's SQS handler."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any


def s3_event(bucket: str, key: str, size: int, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:local"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "documents-by-email",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "local"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {"key": key, "size": size, "eTag": "", "sequencer": "0"},
                },
            }
        ]
    }


class InboxWatcher:
    def __init__(self, folder: Path, handler: Any) -> None:
        self.folder = folder
        self.handler = handler
        self._stop = threading.Event()

    def start(self) -> None:
        (self.folder / "processed").mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self._run, name="inbox", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from chalicelib import aws, resources

        while not self._stop.wait(1.0):
            for path in sorted(self.folder.glob("*.eml")):
                try:
                    data = path.read_bytes()
                    key = f"inbound/{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{path.name}"
                    bucket = resources.documents_bucket()
                    aws.s3().put_object(Bucket=bucket, Key=key, Body=data)
                    notification = json.dumps(s3_event(bucket, key, len(data), aws.s3().meta.region_name))
                    from local.timer_events import sqs_event

                    self.handler(
                        sqs_event(
                            [{"MessageId": key, "ReceiptHandle": key, "Body": notification}],
                            "arn:aws:sqs:local:000000000000:inbound-mail",
                            aws.s3().meta.region_name,
                        ),
                        None,
                    )
                    path.rename(self.folder / "processed" / path.name)
                except Exception as exc:
                    print(json.dumps({"event": "inbox_failed", "file": path.name, "error": repr(exc)}), flush=True)
                    path.rename(path.with_suffix(".failed"))
