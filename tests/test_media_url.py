"""emotool.media URLs: off by default, refused before any traffic to non-public addresses,
and, against a real HTTP server on 127.0.0.1, size caps, timeouts and redirects.

Every test here runs under a guard that fails on any connection to an address other
than 127.0.0.1 and on any name lookup that would leave the machine.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image

from emotool.errors import AccessDenied, MediaError, MediaTooLarge
from emotool.media import MediaPolicy, fetch_url, load_image, media_kind, open_video, write_video
from emotool.media.netfetch import address_refusal, redact_url

LOCAL_NAMES = {"localhost"}
FAKE_DNS: dict[str, list[str]] = {}


@pytest.fixture(autouse=True)
def no_traffic_but_loopback(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Fail on connections to anything but 127.0.0.1, and on real DNS lookups."""
    connects: list[tuple[str, int]] = []
    real_connect, real_gai = socket.create_connection, socket.getaddrinfo

    def guarded_connect(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        connects.append((address[0], address[1]))
        assert address[0] == "127.0.0.1", f"test tried to connect to {address}"
        return real_connect(address, *args, **kwargs)

    def guarded_gai(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in FAKE_DNS:
            return [
                (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in FAKE_DNS[name]
            ]
        try:
            ipaddress.ip_address(name)
        except ValueError:
            is_literal = False
        else:
            is_literal = True
        legacy_v4 = all(part.isalnum() for part in name.split(".")) and name[:1].isdigit()  # 127.1, 0x7f.1
        assert is_literal or legacy_v4 or name in LOCAL_NAMES, f"test tried to resolve {name!r}"
        return real_gai(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_gai)
    return connects


@pytest.fixture(scope="module")
def payloads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    data = pytest.importorskip("skimage.data", reason="scikit-image (emotool[samples]) ships the photo")
    photo = data.astronaut()
    jpg = io.BytesIO()
    Image.fromarray(photo).save(jpg, "JPEG", quality=90)
    small = Image.fromarray(photo[::4, ::4])
    gif = io.BytesIO()
    small.save(gif, "GIF", save_all=True, append_images=[small.rotate(15), small.rotate(30)], duration=100)
    clip = write_video(
        tmp_path_factory.mktemp("v") / "clip.mp4", [np.roll(photo[:120, :160], i, 1) for i in range(10)], 10
    )
    return {"jpg": jpg.getvalue(), "gif": gif.getvalue(), "mp4": clip.read_bytes()}


class Server:
    def __init__(self, payloads: dict[str, bytes]) -> None:
        self.payloads = payloads
        self.hosts: list[str] = []
        self.paths: list[str] = []
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:
                pass

            def _send(
                self, body: bytes, ctype: str = "application/octet-stream", length: bool = True
            ) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                server.hosts.append(self.headers.get("Host", ""))
                server.paths.append(self.path)
                path = self.path.split("?", 1)[0]
                p = server.payloads
                try:
                    if path == "/face.jpg":
                        self._send(p["jpg"], "image/jpeg")
                    elif path == "/anim.gif":
                        self._send(p["gif"], "image/gif")
                    elif path == "/clip.mp4":
                        self._send(p["mp4"], "video/mp4")
                    elif path == "/big":
                        self._send(b"\xff" * 200_000)
                    elif path == "/big-nolength":
                        self._send(b"\xff" * 200_000, length=False)
                    elif path == "/lying-length":
                        self.send_response(200)
                        self.send_header("Content-Length", "10")
                        self.end_headers()
                        self.wfile.write(b"\xff" * 200_000)
                    elif path == "/slow":  # a trickle: one byte every 0.2 s
                        self.send_response(200)
                        self.end_headers()
                        for _ in range(100):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.2)
                    elif path == "/stall":  # headers, then nothing
                        self.send_response(200)
                        self.end_headers()
                        self.wfile.flush()
                        time.sleep(5)
                    elif path == "/silent":  # not even headers
                        time.sleep(5)
                    elif path == "/redirect":
                        self._redirect("/face.jpg")
                    elif path == "/redirect-private":
                        self._redirect("http://10.0.0.1/face.jpg")
                    elif path == "/redirect-metadata":
                        self._redirect("http://169.254.169.254/latest/meta-data/")
                    elif path == "/redirect-file":
                        self._redirect("file:///etc/passwd")
                    elif path == "/loop":
                        self._redirect("/loop")
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server(payloads: dict[str, bytes]) -> Iterator[Server]:
    srv = Server(payloads)
    yield srv
    srv.close()


LOCAL = MediaPolicy(allow_urls=True, allow_loopback=True, url_timeout_s=5)


# ----------------------------------------------------------------------------- refused, no traffic


def test_urls_are_off_by_default(no_traffic_but_loopback: list[tuple[str, int]]) -> None:
    for call in (load_image, open_video, fetch_url):
        with pytest.raises(AccessDenied, match=r"MediaPolicy\(allow_urls=True\)"):
            call("https://example.com/face.jpg", MediaPolicy())  # type: ignore[operator]
    with pytest.raises(AccessDenied):
        load_image("https://example.com/face.jpg")  # default policy
    assert no_traffic_but_loopback == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/face.jpg",
        "http://127.1/face.jpg",
        "http://2130706433/face.jpg",
        "http://0x7f.1/face.jpg",
        "http://localhost/face.jpg",
        "http://10.0.0.1/face.jpg",
        "http://172.16.0.1/face.jpg",
        "http://172.31.255.255/face.jpg",
        "http://192.168.1.1/face.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/face.jpg",
        "http://0.0.0.0/face.jpg",
        "http://224.0.0.1/face.jpg",
        "http://240.0.0.1/face.jpg",
        "http://255.255.255.255/face.jpg",
        "http://[::1]/face.jpg",
        "http://[::]/face.jpg",
        "http://[::ffff:127.0.0.1]/face.jpg",
        "http://[::ffff:169.254.169.254]/face.jpg",
        "http://[::ffff:10.0.0.1]:8080/face.jpg",
        "http://[fe80::1]/face.jpg",
        "http://[fc00::1]/face.jpg",
        "http://[ff02::1]/face.jpg",
        "http://[2002:7f00:1::]/face.jpg",  # 6to4 wrapping 127.0.0.1
        "http://[64:ff9b::a00:1]/face.jpg",  # NAT64 wrapping 10.0.0.1
        "https://user:pw@127.0.0.1:8443/face.jpg",
    ],
)
def test_non_public_addresses_refused_before_connecting(
    url: str, no_traffic_but_loopback: list[tuple[str, int]]
) -> None:
    policy = MediaPolicy(allow_urls=True)
    with pytest.raises(AccessDenied, match="only public internet addresses") as info:
        fetch_url(url, policy)
    assert "pw" not in str(info.value)  # credentials never echoed
    with pytest.raises(AccessDenied):
        load_image(url, policy)
    assert no_traffic_but_loopback == []


def test_loopback_knob_allows_loopback_only(no_traffic_but_loopback: list[tuple[str, int]]) -> None:
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://192.168.0.1/", "http://[fc00::1]/"):
        with pytest.raises(AccessDenied):
            fetch_url(url, LOCAL)
    assert no_traffic_but_loopback == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/face.jpg",
        "gopher://example.com/",
        "data:image/png;base64,AAAA",
        "jar:http://example.com/x!/y",
        "//example.com/face.jpg",
    ],
)
def test_non_http_schemes_refused(url: str, no_traffic_but_loopback: list[tuple[str, int]]) -> None:
    with pytest.raises(AccessDenied, match="only http:// and https://"):
        fetch_url(url, MediaPolicy(allow_urls=True))
    assert no_traffic_but_loopback == []


def test_file_url_refused_even_with_urls_off() -> None:
    with pytest.raises(AccessDenied, match="pass its path"):
        load_image("file:///etc/passwd")


def test_every_resolved_address_must_be_public(no_traffic_but_loopback: list[tuple[str, int]]) -> None:
    FAKE_DNS["mixed.test"] = ["93.184.216.34", "10.0.0.1"]
    FAKE_DNS["inside.test"] = ["192.168.0.10"]
    try:
        with pytest.raises(AccessDenied, match=r"10\.0\.0\.1"):
            fetch_url("http://mixed.test/face.jpg", MediaPolicy(allow_urls=True))
        with pytest.raises(AccessDenied, match="private"):
            fetch_url("https://inside.test/face.jpg", MediaPolicy(allow_urls=True))
    finally:
        FAKE_DNS.clear()
    assert no_traffic_but_loopback == []


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2001:4860::8888"]
)
def test_public_addresses_pass_the_check(ip: str) -> None:
    assert address_refusal(ipaddress.ip_address(ip)) is None
    assert address_refusal(ipaddress.ip_address("::ffff:8.8.8.8")) is None


def test_redact_url() -> None:
    assert redact_url("https://u:p@host.example/a/b.jpg?token=s3cret#x") == "https://host.example/a/b.jpg"


# ----------------------------------------------------------------------------- a real local server


def test_fetch_and_load_from_local_server(server: Server, payloads: dict[str, bytes]) -> None:
    assert fetch_url(server.url("/face.jpg"), LOCAL) == payloads["jpg"]
    img = load_image(server.url("/face.jpg?sig=secret"), LOCAL)
    assert img.rgb.shape == (512, 512, 3)
    assert img.source == server.url("/face.jpg")  # no query string in what the LLM sees


def test_media_kind_and_video_over_url(server: Server) -> None:
    assert media_kind(server.url("/face.jpg"), LOCAL) == "image"  # by extension, no fetch
    assert media_kind(server.url("/anim.gif"), LOCAL) == "video"  # fetched and looked at
    with open_video(server.url("/clip.mp4"), LOCAL) as video:
        assert video.source == server.url("/clip.mp4")
        assert len(list(video.frames())) == 10


def test_connection_pinned_to_the_checked_address(
    server: Server, no_traffic_but_loopback: list[tuple[str, int]]
) -> None:
    """The name is resolved once, checked, and that very address is dialled (no DNS rebinding);
    the request still names the host, as virtual hosting and TLS need."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    real_gai = socket.getaddrinfo

    def rebinding_dns(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "media.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in next(answers)]
        return real_gai(host, port, *args, **kwargs)

    socket.getaddrinfo = rebinding_dns  # type: ignore[assignment]
    try:
        data = fetch_url(f"http://media.test:{server.port}/face.jpg", LOCAL)
    finally:
        socket.getaddrinfo = real_gai  # type: ignore[assignment]
    assert data[:3] == b"\xff\xd8\xff"
    assert server.hosts[-1] == f"media.test:{server.port}"
    assert no_traffic_but_loopback[-1] == ("127.0.0.1", server.port)


def test_redirects_are_followed_and_rechecked(
    server: Server, no_traffic_but_loopback: list[tuple[str, int]]
) -> None:
    assert load_image(server.url("/redirect"), LOCAL).rgb.shape == (512, 512, 3)
    with pytest.raises(AccessDenied, match=r"10\.0\.0\.1"):
        fetch_url(server.url("/redirect-private"), LOCAL)
    with pytest.raises(AccessDenied, match=r"169\.254\.169\.254"):
        fetch_url(server.url("/redirect-metadata"), LOCAL)
    with pytest.raises(AccessDenied, match="only http"):
        fetch_url(server.url("/redirect-file"), LOCAL)
    with pytest.raises(MediaError, match="too many redirects"):
        fetch_url(server.url("/loop"), LOCAL)
    assert all(host == "127.0.0.1" for host, _ in no_traffic_but_loopback)
    no_redirects = MediaPolicy(allow_urls=True, allow_loopback=True, max_redirects=0)
    with pytest.raises(MediaError, match="too many redirects"):
        fetch_url(server.url("/redirect"), no_redirects)


@pytest.mark.parametrize("path", ["/big", "/big-nolength", "/lying-length"])
def test_size_cap(server: Server, path: str) -> None:
    capped = MediaPolicy(allow_urls=True, allow_loopback=True, url_max_bytes=100_000)
    t0 = time.perf_counter()
    if path == "/lying-length":
        # Content-Length says 10: http.client stops there, so we never read past the cap either
        assert len(fetch_url(server.url(path), capped)) == 10
    else:
        with pytest.raises(MediaTooLarge, match=r"url_max_bytes"):
            fetch_url(server.url(path), capped)
    assert time.perf_counter() - t0 < 2
    assert len(fetch_url(server.url("/big"), LOCAL)) == 200_000  # under the default cap


@pytest.mark.parametrize("path", ["/slow", "/stall", "/silent"])
def test_timeout(server: Server, path: str) -> None:
    quick = MediaPolicy(allow_urls=True, allow_loopback=True, url_timeout_s=0.5)
    t0 = time.perf_counter()
    with pytest.raises(MediaError, match=r"timed out after 0.5 s; raise MediaPolicy\(url_timeout_s"):
        fetch_url(server.url(path), quick)
    assert time.perf_counter() - t0 < 1.5  # an overall deadline, not per read
    assert fetch_url(server.url("/face.jpg"), quick)[:3] == b"\xff\xd8\xff"  # the next call works


def test_http_errors(server: Server) -> None:
    with pytest.raises(MediaError, match="HTTP 404"):
        fetch_url(server.url("/missing.jpg"), LOCAL)
    with pytest.raises(MediaError, match="could not fetch"):
        fetch_url("http://127.0.0.1:1/face.jpg", LOCAL)  # nothing listens on port 1
    assert load_image(server.url("/face.jpg"), LOCAL).rgb.shape == (512, 512, 3)


def test_https_is_verified(server: Server, no_traffic_but_loopback: list[tuple[str, int]]) -> None:
    """https goes through the same pinned connection, then TLS: a plain-HTTP server fails the handshake."""
    with pytest.raises(MediaError, match="could not fetch"):
        fetch_url(f"https://127.0.0.1:{server.port}/face.jpg", LOCAL)
    assert no_traffic_but_loopback[-1] == ("127.0.0.1", server.port)


def test_fetched_bytes_still_go_through_the_image_checks(server: Server) -> None:
    with pytest.raises(MediaError):
        load_image(server.url("/big"), LOCAL)  # 0xff bytes are no image


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        MediaPolicy(url_timeout_s=0)
    with pytest.raises(ValueError):
        MediaPolicy(allow_private_hosts=True)  # type: ignore[call-arg]
