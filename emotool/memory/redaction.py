"""Masking of contact details and similar identifiers before anything is stored.

Patterns are deliberately conservative about what they call a phone number
(seven or more digits in a phone-like layout) so that dates, times and small
numbers in ordinary speech stay readable.
"""

from __future__ import annotations

import re
from typing import Any

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL_CRED = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
# +44 20 7946 0958, (555) 123-4567, 555-123-4567, 0171 1234567, 06 12 34 56 78
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)?\d?[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?![\w])"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else m.group(0)


_DATE = re.compile(r"\s*(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})\s*")


def _phone(m: re.Match[str]) -> str:
    s = m.group(0)
    if _DATE.fullmatch(s):
        return s
    digits = re.sub(r"\D", "", s)
    if len(digits) < 7 or len(digits) > 15:
        return s
    # a bare run of digits (a year, an amount) is a phone number only if long and written as one
    if re.fullmatch(r"\d+", s.strip()) and len(digits) < 9:
        return s
    return "[PHONE]"


def redact(text: str) -> str:
    """Mask e-mail addresses, phone numbers, card numbers, IBANs, US SSNs, IP
    addresses and credentials in URLs.

    Args:
        text: Any text.

    Returns:
        The text with each match replaced by a tag such as ``[EMAIL]`` or ``[PHONE]``.
    """
    text = _URL_CRED.sub(lambda m: m.group(0).split("://", 1)[0] + "://[CREDENTIALS]@", text)
    text = _EMAIL.sub("[EMAIL]", text)
    text = _IBAN.sub("[IBAN]", text)
    text = _SSN.sub("[ID]", text)
    text = _CARD.sub(_card, text)
    text = _IPV4.sub("[IP]", text)
    return _PHONE.sub(_phone, text)


def redact_value(value: Any) -> Any:
    """Redact every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value
