"""Reading an export file: UTF-8 text only, refused with a clear message otherwise."""

from pathlib import Path

from .result import ImportFailed

CONTROL_BYTES = set(range(32)) - {9, 10, 12, 13}
MAX_CONTROL_RATIO = 0.05


def read_export(path) -> str:
    """Return the text of the export at ``path`` with LF line ends.

    Only UTF-8 is accepted (a BOM is fine): guessing Latin-1 would silently turn a
    wrongly saved file into mojibake that an editor might publish.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file.")
    data = path.read_bytes()
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


def _refuse_non_text(path: Path, data: bytes) -> None:
    if not data.strip():
        raise ImportFailed(f"{path.name} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(data):
        raise ImportFailed(
            f"{path.name} is UTF-16 encoded, not UTF-8: save it as UTF-8 and try again."
        )
    controls = sum(byte in CONTROL_BYTES for byte in data)
    if b"\x00" in data or controls > MAX_CONTROL_RATIO * len(data):
        raise ImportFailed(f"{path.name} is not a text file (it holds binary data).")


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, and only there."""
    sample = data[:4000]
    ratios = sorted(half.count(0) / max(len(half), 1) for half in (sample[0::2], sample[1::2]))
    return ratios[0] < 0.05 and ratios[1] > 0.4
