"""Which characters the tracker cannot keep in text, said once for the forms, the services and the exports.

XML 1.0 (and so Excel, Word and openpyxl) refuses the C0 control characters other than tab, line feed and
carriage return, lone surrogates, and the non-characters U+FFFE and U+FFFF; DEL is refused with them because
it is as invisible and only ever arrives pasted from another program. A form refuses text holding any of them
(nothing is saved, the person is told to retype it); an export removes them from text that came in another way,
such as an imported workbook.
"""

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def has_control_characters(text: str | None) -> bool:
    return bool(CONTROL_CHARACTERS.search(text or ""))


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text


def form_text(text: str | None) -> str:
    """Text as a person typed it in a form, trimmed, with a browser's CR LF line breaks as LF (as imports store
    them), so that saving a form unchanged changes nothing."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def checked_text(value: str | None, field: str, label: str, limit: int, *, required: bool, error: type) -> str:
    """Text typed into a service's form, as it is kept: short text on one line, long text (over 300 characters
    allowed) with its line breaks as LF. Raises `error` (the caller's ServiceError) naming `field` when it is
    missing, too long, or holds characters text cannot hold."""
    value = " ".join((value or "").split()) if limit <= 300 else form_text(value)
    if required and not value:
        raise error(f"Enter the {label}", field)
    if len(value) > limit:
        raise error(f"The {label} must be {limit:,} characters or fewer", field)
    if has_control_characters(value):
        raise error(f"The {label} contains characters that cannot be saved: retype it", field)
    return value
