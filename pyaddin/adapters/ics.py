"""备案日程.ics: the deadline events as an iCalendar file (RFC 5545), written with `icalendar`.

Every deadline beian computes is a date, not a time (资质到期, 最晚提交日, 计划上线 …), so each event
is an all-day event: `DTSTART;VALUE=DATE` and `DTEND` the next day (RFC 5545 §3.6.1: for a DATE
start, DTEND is exclusive), which Outlook, 飞书日历 and 钉钉日历 show in the all-day row instead of
as a 09:00 meeting. A display alarm fires at 09:00 设置 日程提醒提前工作日 working days before (its
trigger is relative to the start of the day, so it needs no time zone).

There is no METHOD property: METHOD makes the file an iTIP scheduling message (RFC 5546), and its
PUBLISH method requires an ORGANIZER on every event (§3.2.1), which a deadline list has no one to
name; without METHOD the file is a plain calendar to import or subscribe to (RFC 5545 §3.7.2).
Each event keeps its UID across runs (derived from the filing and the kind of deadline) and carries
a SEQUENCE that grows with every export, so re-importing the file updates events instead of
duplicating them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from ..deadlines.schedule import KINDS
from ..deadlines.schedule import Event as Deadline
from .output_files import atomic_write_bytes

REMIND_AT = time(9, 0)
FILENAME = "备案日程.ics"
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def build(events: list[Deadline], *, now: datetime | None = None, name: str = "备案日程") -> Calendar:
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    sequence = max(0, int((now - _EPOCH).total_seconds() // 60))
    cal = Calendar()
    cal.add("prodid", "-//beian//备案日程//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for e in events:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", now)
        ev.add("sequence", sequence)
        ev.add("summary", e.summary)
        ev.add("description", e.description)
        ev.add("dtstart", e.day)
        ev.add("dtend", e.day + timedelta(days=1))
        ev.add("categories", ["备案", KINDS[e.kind]])
        ev.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.summary)
        alarm.add("trigger", trigger(e.day, e.remind))
        ev.add_component(alarm)
        cal.add_component(ev)
    return cal


def trigger(day: date, remind: date) -> timedelta:
    """The alarm offset from the all-day event's start (midnight of `day`): 09:00 on `remind`, or
    the start of the day itself when the reminder is set to 0 days (never after the start, which
    some clients ignore)."""
    if remind >= day:
        return timedelta(0)
    return datetime.combine(remind, REMIND_AT) - datetime.combine(day, time(0))


def write(events: list[Deadline], out_dir: Path, *, now: datetime | None = None) -> Path:
    return atomic_write_bytes(Path(out_dir) / FILENAME, build(events, now=now).to_ical())


