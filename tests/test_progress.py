"""Progress on long work: a bar on a terminal (never in pipes or --json), "n / N" in Excel's status
bar at most once a second."""

from __future__ import annotations

import io

from pyaddin.adapters.excel import status_progress
from pyaddin.cli.commands.progress import terminal_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_reaches_the_total():
    stream = Terminal()
    with terminal_progress("计算哈希", stream=stream) as progress:
        assert progress is not None
        for done in range(0, 4):
            progress(done, 3)
    text = stream.getvalue()
    assert "计算哈希" in text and "3/3" in text


def test_a_pipe_gets_no_bar():
    stream = io.StringIO()
    with terminal_progress("计算哈希", stream=stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""


def test_json_output_gets_no_bar_even_on_a_terminal():
    stream = Terminal()
    with terminal_progress("生成文书", stream=stream, as_json=True) as progress:
        assert progress is None
    assert stream.getvalue() == ""


def test_a_total_that_grows_is_followed():
    stream = Terminal()
    with terminal_progress("生成文书", stream=stream) as progress:
        progress(1, 2)
        progress(4, 4)
    assert "4/4" in stream.getvalue()


class App:
    def __init__(self):
        self.writes: list[object] = []

    @property
    def status_bar(self):
        return self.writes[-1] if self.writes else None

    @status_bar.setter
    def status_bar(self, value):
        self.writes.append(value)


class FakeBook:
    def __init__(self):
        self.app = App()


def test_status_bar_shows_n_of_total_at_most_once_a_second_and_always_the_end():
    book = FakeBook()
    now = [0.0]
    progress = status_progress(book, "生成文书", clock=lambda: now[0])
    for step, t in enumerate([0.0, 0.2, 0.5, 0.99, 1.0, 1.4, 2.5, 2.6]):
        now[0] = t
        progress(step, 10)
    now[0] = 2.7
    progress(10, 10)
    assert book.app.writes == ["生成文书 0 / 10", "生成文书 4 / 10", "生成文书 6 / 10", "生成文书 10 / 10"]


def test_status_bar_progress_survives_an_engine_without_a_status_bar():
    class NoStatusBar:
        @property
        def app(self):
            raise AttributeError("remote engine")

    progress = status_progress(NoStatusBar(), "计算哈希", clock=lambda: 0.0)
    progress(1, 2)  # no exception: the work goes on without progress
