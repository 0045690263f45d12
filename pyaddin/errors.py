"""Exceptions for the few situations where a run cannot go on at all.

Everything else (a bad cell, a bad rule) is a finding, not an exception. Each message is
Chinese first, then English, because the CLI prints it as its one-line reason on stderr.
"""


class BeianError(Exception):
    """Base class: `str(exc)` is the one-line reason shown to the user."""

    exit_code = 2


class UnreadableWorkbook(BeianError):
    """The file cannot be opened as a workbook (missing, wrong type, encrypted, corrupt)."""


class UnreadableSheet(BeianError):
    """One sheet cannot be read safely (raised and caught inside the file reader: its Chinese reason
    is kept on the Book as `Book.unreadable`, and named if that sheet is the tracker)."""


class TrackerNotFound(BeianError):
    """No sheet looks like a filing tracker."""


class OutputLocked(BeianError):
    """An output file is open in Excel (a ~$ lock file sits beside it)."""


class OutputFailed(BeianError):
    """The operating system refused to write an output (read-only folder, disk full, file-size
    limit, a path through a file, a name too long): the message names the path and the reason."""

    def __init__(self, message: str, *, path=None, os_error: OSError | None = None, held_open: bool = False):
        super().__init__(message)
        self.path = path
        self.os_error = os_error
        self.held_open = held_open
        """True when replacing an existing file was refused (Windows: the file is open elsewhere)."""


class TemplateProblem(BeianError):
    """A Word template cannot be rendered (undefined placeholder, unsafe expression, bad file)."""


class ValueNotPrintable(TemplateProblem):
    """A template's filter refused one row's value (an amount too large for 大写, a date that is not
    one): that row is reported and the batch goes on. `reason` is the filter's own words."""

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class TemplateTooCostly(TemplateProblem):
    """A template asked for more than a letter can need (a string or list too long, a width too
    wide, too many loop steps, too deep a recursion, too long a render): refused, never an
    exhausted machine."""


class NotOpenInExcel(BeianError):
    """A workbook named in 设置 (台账文件) must be open in Excel for a button to read it."""


class ArchiveRootMissing(BeianError):
    """No archive root configured, or it is not a folder."""


class OutsideRoot(BeianError):
    """A write whose destination resolves (through a symlink) outside its root; nothing was written.
    `reuse --copy` turns it into an `archive-outside-root` finding and goes on with the other files."""

    def __init__(self, path, target):
        super().__init__(f"目标“{path}”经符号链接指向根目录之外的“{target}”，未写入。 / Refused to write outside the root.")
        self.path = path
        self.target = target


class ManifestMissing(BeianError):
    """`archive --verify` needs the manifest of an earlier `archive` run."""


class OutputInsideArchive(BeianError):
    """The archive is evidence: beian never writes inside it."""


class BadWeek(BeianError, ValueError):
    """A --week value that names no ISO week."""


class BadOption(BeianError):
    """An option value the user can correct (an unknown document kind, a bad row range …)."""


class SeveralTrackers(BeianError):
    """设置 台账文件 names a folder or several files: the run is over several trackers
    (`actions.many`), not one Context."""

    def __init__(self, paths: list, book=None):
        self.paths = list(paths)
        self.book = book
        """The naming workbook as already read: whoever runs the trackers uses it, not a second read."""
        names = "、".join(str(p) for p in self.paths)
        super().__init__(f"“台账文件”指定了多个台账（{names}），请用多台账方式运行（如 beian check 工作簿）。 "
                         f"/ 台账文件 names several trackers.")


class Unreadable(BeianError, ValueError):
    """A cell value that cannot be read as the type its column needs (always caught: it becomes a finding)."""


class OvbaError(BeianError, ValueError):
    """The VBA project is damaged or not in the expected format."""


class SetupRefused(BeianError):
    """setup will not write: the target exists, is open, or the tracker is not a workbook."""


class PdfUnavailable(BeianError):
    """No PDF converter (LibreOffice or Word) on this computer."""


class PdfFailed(BeianError):
    """The converter ran but did not produce every PDF."""


class FilingNotFound(BeianError):
    """--id names no filing in the tracker."""


class CannotNotify(BeianError):
    """notify cannot send anything: no 通知 sheet, no usable robot, a bad --what, or an unreadable state file."""


class DeliveryRetry(BeianError):
    """A group robot said “try again” (HTTP 429/5xx, a network error, a vendor “too frequent” code);
    raised and caught inside `adapters.robots.Sender`, never shown with a URL or secret."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class DeliveryFailed(BeianError):
    """A group robot refused a message (a vendor error code, HTTP 4xx, an unreadable answer);
    raised and caught inside `adapters.robots.Sender`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SnapshotNotFound(BeianError):
    """`--since` names no stored snapshot."""


class MaterialUnreadable(BeianError):
    """材料预检: one archive file cannot be read; caught per file and reported as material-unreadable."""


class OcrUnavailable(BeianError):
    """材料预检: the OCR model files are missing from the installed rapidocr."""
