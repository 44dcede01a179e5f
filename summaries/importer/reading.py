"""Reading an export file: UTF-8 text only, refused with a clear message otherwise."""

from pathlib import Path

from django.conf import settings

from .result import ImportFailed

CONTROL_BYTES = bytes(sorted(set(range(32)) - {9, 10, 12, 13}))
MAX_CONTROL_RATIO = 0.05


def read_export(path) -> str:
    """Return the text of the export at ``path`` with LF line ends.

    Only UTF-8 is accepted (a BOM is fine): guessing Latin-1 would silently turn a
    wrongly saved file into mojibake that an editor might publish. A file larger than
    ``settings.IMPORT_MAX_BYTES`` is refused having read no more than that.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file.")
    limit = settings.IMPORT_MAX_BYTES
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ImportFailed(f"{path.name} cannot be read ({exc.strerror or exc}).") from exc
    if len(data) > limit:
        raise ImportFailed(too_large(path.name, limit))
    _refuse_non_text(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            f"{path.name} is not valid UTF-8 (byte 0x{data[exc.start]:02X} on line {line}); "
            "it may be Latin-1 or Windows-1252: save it as UTF-8 and try again."
        ) from exc
    if not text.strip():
        raise ImportFailed(f"{path.name} is empty.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def too_large(name: str, limit: int) -> str:
    return (
        f"{name} is too large: exports of up to {limit:,} bytes are read "
        "(setting IMPORT_MAX_BYTES); is it really one summary's text export?"
    )


def _refuse_non_text(path: Path, data: bytes) -> None:
    if not data.strip():
        raise ImportFailed(f"{path.name} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(data):
        raise ImportFailed(
            f"{path.name} is UTF-16 encoded, not UTF-8: save it as UTF-8 and try again."
        )
    controls = len(data) - len(data.translate(None, CONTROL_BYTES))
    if b"\x00" in data or controls > MAX_CONTROL_RATIO * len(data):
        raise ImportFailed(f"{path.name} is not a text file (it holds binary data).")


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, and only there."""
    sample = data[:4000]
    ratios = sorted(half.count(0) / max(len(half), 1) for half in (sample[0::2], sample[1::2]))
    return ratios[0] < 0.05 and ratios[1] > 0.4
