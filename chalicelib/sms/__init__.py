"""SMS reminders through Amazon SNS, for patients who asked for them.

- `numbers`: a Russian mobile number in its usual spellings → E.164 (+79XXXXXXXXX); a landline is refused.
- `consent`: the patient's switch on the personal page (the number, when it was turned on or off).
- `text`: the reminder's words — when, and «Вход: <the cabinet's short link>»; never the room's link, the doctor or
  the specialty — and how many SMS parts a text takes.
- `sending`: the outbox's job `sms_reminder` (written with the reminder's email, in the transaction that marks the
  booking reminded, chalicelib/rooms/events.py), which reads the consent again when it runs and publishes through SNS.

Phone numbers never reach a log line.
"""

from __future__ import annotations

REMINDER_JOB = "sms_reminder"
JOBS = (REMINDER_JOB,)
