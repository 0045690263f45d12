"""备案日程.ics: the deadline events as an iCalendar file (RFC 5545), written with `icalendar`.

Times are 09:00–09:30 Asia/Shanghai with the zone's VTIMEZONE included, so Outlook, 飞书日历 and
钉钉日历 show them at nine in the morning, China time, wherever the computer is. Each event keeps
its UID across runs (derived from the filing and the kind of deadline) and carries a SEQUENCE that
grows with every export, so re-importing the file updates events instead of duplicating them. A
display alarm fires 设置 提醒提前工作日 working days before the deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from ..deadlines.schedule import KINDS
from ..deadlines.schedule import Event as Deadline
from .output_files import atomic_write_bytes

TZ = ZoneInfo("Asia/Shanghai")
START = time(9, 0)
DURATION = timedelta(minutes=30)
FILENAME = "备案日程.ics"
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def build(events: list[Deadline], *, now: datetime | None = None, name: str = "备案日程") -> Calendar:
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    sequence = max(0, int((now - _EPOCH).total_seconds() // 60))
    cal = Calendar()
    cal.add("prodid", "-//beian//备案日程//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for e in events:
        start = datetime.combine(e.day, START, tzinfo=TZ)
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", now)
        ev.add("sequence", sequence)
        ev.add("summary", e.summary)
        ev.add("description", e.description)
        ev.add("dtstart", start)
        ev.add("dtend", start + DURATION)
        ev.add("categories", ["备案", KINDS[e.kind]])
        ev.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.summary)
        alarm.add("trigger", datetime.combine(e.remind, START, tzinfo=TZ) - start if e.remind < e.day
                  else timedelta(minutes=-30))
        ev.add_component(alarm)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def write(events: list[Deadline], out_dir: Path, *, now: datetime | None = None) -> Path:
    return atomic_write_bytes(Path(out_dir) / FILENAME, build(events, now=now).to_ical())


