"""An .ics invitation (RFC 5545) for a consultation."""

from __future__ import annotations

import datetime as dt


def invitation(
    uid: str,
    starts_at: str,
    ends_at: str,
    summary: str,
    description: str,
    url: str,
    organizer: str,
    sequence: int = 0,
) -> bytes:
    """The consultation as a calendar event. `sequence`: the booking's moves — a moved consultation is the same
    event (same UID) with a higher SEQUENCE sent as a REQUEST, so calendars move it instead of adding another."""
    from icalendar import Alarm, Calendar, Event  # heavy: only a booking's email attaches an invitation

    calendar = Calendar()
    calendar.add("prodid", "-//Telemedicine//Consultations//RU")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST" if sequence else "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@telemedicine")
    event.add("sequence", sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", dt.datetime.fromisoformat(starts_at).astimezone(dt.UTC))
    event.add("dtend", dt.datetime.fromisoformat(ends_at).astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", url)
    event.add("url", url)
    event.add("organizer", f"mailto:{organizer}")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(minutes=-15))
    event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())  # icalendar leaves to_ical() unannotated; it returns the calendar's bytes
