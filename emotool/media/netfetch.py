"""Fetching media over http(s) without becoming a server-side request forgery tool.

``fetch_url`` is the only place emotool touches the network for media. It:

* runs only when ``MediaPolicy.allow_urls`` is true and only for ``http``/``https``;
* resolves the host itself and refuses the request *before connecting* if any
  address is loopback, private, link-local (cloud metadata at 169.254.169.254),
  multicast, reserved, unspecified or otherwise not globally routable, for IPv4
  and IPv6 alike (IPv4-mapped, 6to4, Teredo and NAT64 addresses are judged by the
  IPv4 address they carry);
* connects to the very address it checked (the connection is pinned, so a DNS
  answer that changes between check and connect — DNS rebinding — cannot swap
  it), sending the original host name in ``Host`` and, for https, in SNI and the
  certificate check;
* follows redirects itself, re-checking each hop, up to ``max_redirects``;
* enforces ``url_max_bytes`` while streaming (a lying or absent
  ``Content-Length`` does not help) and asks for no content encoding, so no
  decompression bomb;
* enforces ``url_timeout_s`` on name resolution, on connecting and reading, and
  as an overall deadline checked between reads.

Residual risks, documented rather than hidden: a proxy configured in the
environment is *not* used (we connect directly), and a single blocking read
can last up to ``url_timeout_s`` past the deadline, so the worst case is about
twice the timeout.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import IO, TYPE_CHECKING, Any

from emotool.errors import AccessDenied, MediaError, MediaTooLarge

if TYPE_CHECKING:
    from .policy import MediaPolicy

_CHUNK = 64 * 1024
_USER_AGENT = "emotool-media-fetch/1"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why ``ip`` may not be fetched from, or ``None`` if it is a public address.

    Args:
        ip: The resolved address.
        allow_loopback: Accept 127.0.0.0/8 and ::1 (tests only).

    Returns:
        A short reason such as ``"loopback"`` or ``"private"``, or ``None``.
    """
    inner = _embedded_v4(ip)
    if inner is not None:
        reason = address_refusal(inner, allow_loopback=allow_loopback)
        return f"{reason} (embedded in {ip})" if reason else None
    if allow_loopback and any(ip in net for net in _LOOPBACK):
        return None
    for flag in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{flag}"):
            return flag.replace("_", "-")
    if not ip.is_global:
        return "not globally routable"
    return None


def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """getaddrinfo with a deadline (the stdlib call has none)."""
    infos: list[tuple[Any, ...]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            infos.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            errors.append(exc)

    worker = threading.Thread(target=work, name="emotool-resolve", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise MediaError(
            f"resolving {host!r} timed out after {timeout:g} s; check the host name "
            f"or raise MediaPolicy(url_timeout_s=...)"
        )
    if errors:
        raise MediaError(f"cannot resolve host {host!r} ({errors[0]}); check the URL")
    addrs: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        ip = ipaddress.ip_address(text)
        if ip not in addrs:
            addrs.append(ip)
    if not addrs:
        raise MediaError(f"host {host!r} has no address; check the URL")
    return addrs


def check_url(url: str, policy: MediaPolicy) -> tuple[urllib.parse.SplitResult, IPAddress]:
    """Apply the URL policy to ``url`` without sending any traffic.

    Args:
        url: An absolute URL.
        policy: The media policy in force.

    Returns:
        The parsed URL and the checked address to connect to.

    Raises:
        AccessDenied: URLs are disabled, the scheme is not http(s), or the host
            resolves to an address that is not public.
        MediaError: The URL is malformed or the host cannot be resolved.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MediaError(f"malformed URL {redact_url(url)!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise AccessDenied(
            f"only http:// and https:// URLs may be fetched, not {scheme or 'a bare'}:// "
            f"({redact_url(url)!r}); for a local file pass its path instead"
        )
    if not policy.allow_urls:
        raise AccessDenied(
            "fetching URLs is disabled; download the file and pass its path, or enable URLs "
            "with MediaPolicy(allow_urls=True)"
        )
    host = parts.hostname
    if not host:
        raise MediaError(f"URL {redact_url(url)!r} has no host; give an absolute http(s) URL")
    port = port or (443 if scheme == "https" else 80)
    addrs = _resolve(host, port, policy.url_timeout_s)
    for ip in addrs:
        reason = address_refusal(ip, allow_loopback=policy.allow_loopback)
        if reason:
            raise AccessDenied(
                f"refusing to fetch {redact_url(url)!r}: host {host!r} resolves to {ip}, a {reason} "
                "address; only public internet addresses may be fetched (download the file yourself "
                "and pass its path if you trust it)"
            )
    return parts, addrs[0]


def redact_url(url: str) -> str:
    """``url`` without credentials, query string or fragment (safe to show an LLM)."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "<malformed URL>"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    pinned_ip = ""

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    pinned_ip = ""

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        # certificate and host name are checked against the name in the URL, not the IP
        self.sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)


def _pinned(base: type[http.client.HTTPConnection], ip: IPAddress) -> type[http.client.HTTPConnection]:
    return type(base.__name__, (base,), {"pinned_ip": str(ip)})


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, ip: IPAddress) -> None:
        super().__init__()
        self._cls = _pinned(_PinnedHTTPConnection, ip)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._cls, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, ip: IPAddress) -> None:
        super().__init__()
        self._cls = _pinned(_PinnedHTTPSConnection, ip)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._cls, req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None  # surface 3xx as HTTPError; fetch_url re-checks and follows it


def _opener(ip: IPAddress) -> urllib.request.OpenerDirector:
    # build_opener adds defaults (incl. ProxyHandler); build by hand to control every handler.
    opener = urllib.request.OpenerDirector()
    for handler in (
        _PinnedHTTPHandler(ip),
        _PinnedHTTPSHandler(ip),
        _NoRedirect(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_url(url: str, policy: MediaPolicy) -> bytes:
    """Download ``url`` under ``policy`` and return its body.

    Args:
        url: An ``http://`` or ``https://`` URL.
        policy: The media policy; ``allow_urls`` must be true.

    Returns:
        The response body, at most ``policy.url_max_bytes`` long.

    Raises:
        AccessDenied: URLs are disabled, the scheme is not http(s), or the host
            (or a redirect target) is not a public address.
        MediaTooLarge: The body exceeds ``policy.url_max_bytes``.
        MediaError: Network failure, HTTP error status, timeout or too many redirects.
    """
    deadline = time.monotonic() + policy.url_timeout_s
    current = url
    for _hop in range(policy.max_redirects + 1):
        parts, ip = check_url(current, policy)
        req = urllib.request.Request(
            urllib.parse.urlunsplit(parts._replace(fragment="")),
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"},
        )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timeout(url, policy)
        try:
            resp = _opener(ip).open(req, timeout=remaining)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.headers else None
            exc.close()
            if exc.code in (301, 302, 303, 307, 308) and location:
                current = urllib.parse.urljoin(current, location)
                continue
            raise MediaError(
                f"the server answered HTTP {exc.code} for {redact_url(url)!r}; check the URL"
            ) from None
        except TimeoutError:
            raise _timeout(url, policy) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _timeout(url, policy) from None
            raise MediaError(
                f"could not fetch {redact_url(url)!r} ({reason}); check the URL and the network"
            ) from None
        with resp:
            return _read_capped(resp, url, policy, deadline)
    raise MediaError(
        f"too many redirects fetching {redact_url(url)!r} (more than "
        f"{policy.max_redirects}); give the final URL"
    )


def _read_capped(resp: http.client.HTTPResponse, url: str, policy: MediaPolicy, deadline: float) -> bytes:
    cap = policy.url_max_bytes
    too_big = MediaTooLarge(
        f"{redact_url(url)!r} is larger than the URL size cap of {cap:,} bytes; raise "
        "MediaPolicy(url_max_bytes=...) or download it and pass the path"
    )
    length = resp.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > cap:
        raise too_big
    buf = bytearray()
    try:
        while True:
            if time.monotonic() > deadline:
                raise _timeout(url, policy)
            chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
            if not chunk:
                break
            buf += chunk
            if len(buf) > cap:
                raise too_big
    except TimeoutError:
        raise _timeout(url, policy) from None
    except (OSError, http.client.HTTPException) as exc:
        raise MediaError(f"the download of {redact_url(url)!r} broke off ({exc}); try again") from None
    return bytes(buf)


def _timeout(url: str, policy: MediaPolicy) -> MediaError:
    return MediaError(
        f"fetching {redact_url(url)!r} timed out after {policy.url_timeout_s:g} s; "
        "raise MediaPolicy(url_timeout_s=...) or download it and pass the path"
    )
