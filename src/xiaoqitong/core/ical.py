"""Writing iCalendar files (RFC 5545) that calendar apps subscribe to or import: one ``VCALENDAR`` of
``VEVENT``s, times in UTC, text escaped and lines folded at 75 octets. Domain-free: apps build the
:class:`CalendarEvent` rows (practice-base bookings, events and their registrations …)."""

import dataclasses
import datetime as dt

from django.utils import timezone


@dataclasses.dataclass
class CalendarEvent:
    """One ``VEVENT``. ``uid`` is unique and stable for the same thing (a calendar app updates the event it
    already has rather than adding another)."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # TENTATIVE, CONFIRMED or CANCELLED


def ics_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def fold(line: str) -> list[str]:
    """RFC 5545 3.1: lines of at most 75 octets, continued with a space; never inside a UTF-8 character."""
    data = line.encode("utf-8")
    out = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = 74  # the leading space counts
    out.append(data.decode("utf-8"))
    return [out[0], *(" " + part for part in out[1:])]


def utc(value: dt.datetime) -> str:
    """A DATE-TIME in UTC (``20260312T010000Z``)."""
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events, *, prodid: str = "-//XiaoQiTong//ZH", tz: str = "Asia/Shanghai") -> str:
    """The iCalendar text of ``events`` (:class:`CalendarEvent`) in a calendar called ``name``, CRLF line
    ends, folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
        f"X-WR-TIMEZONE:{tz}",
    ]
    stamp = utc(timezone.now())
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event.start)}",
            f"DTEND:{utc(event.end)}",
            f"SUMMARY:{ics_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{ics_text(event.location)}")
        lines.append(f"STATUS:{event.status}")
        if event.description:
            lines.append(f"DESCRIPTION:{ics_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in fold(line)) + "\r\n"
