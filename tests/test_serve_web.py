"""The web chat page in headless Chromium (Debian's browser, driven by Playwright): a message with a
photo and a voice file, the reply streamed in, the reading shown as chips, a screenshot kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from serve_helpers import free_port, media, service, uvicorn_thread

from emotool.serve.http import build_app
from emotool.serve.service import EmotoolService

__all__ = ["media", "service"]  # fixtures from serve_helpers

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# counts how often the reply bubble's text changed while it was streaming
COUNT_UPDATES = """
window.__updates = 0;
new MutationObserver((ms) => {
  for (const m of ms) {
    const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    if (el && el.closest && el.closest('.bot[data-state="streaming"]')) window.__updates++;
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def chromium() -> str | None:
    for p in ("/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if p and Path(p).exists():
            return p
    return None


@pytest.mark.real
@pytest.mark.slow
def test_web_chat_with_photo_and_voice(service: EmotoolService, media: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = chromium()
    if exe is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    from speech_helpers import espeak

    voice = espeak("I feel a bit tired today.", media / "voice.wav")
    if voice is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")

    with (
        uvicorn_thread(build_app(service, rate_limit=0), free_port()) as url,
        sync_api.sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.add_init_script(COUNT_UPDATES)
            page.goto(url)
            page.fill("#user", "ana")
            page.fill("#text", "Long day at work.")
            page.set_input_files("#image", str(media / "face.png"))
            page.set_input_files("#audio", str(voice))
            assert "photo face.png" in page.inner_text("#pending")
            with page.expect_response(lambda r: r.url.endswith("/v1/chat")) as resp:
                page.click("#send")
            assert resp.value.headers["content-type"].startswith("text/event-stream")
            bot = page.locator('.bot[data-state="done"]')
            bot.wait_for(timeout=60_000)
            assert bot.inner_text().startswith("That sounds like a lot to carry.")
            assert page.evaluate("window.__updates") >= 2  # the reply came in pieces
            face = bot.locator('.chip[data-kind="face"]').inner_text()
            assert face.startswith("face: ") and "%" in face
            assert bot.locator('.chip[data-kind="voice"]').count() == 1
            assert page.locator(".me .chip").count() == 2  # both attachments shown on the message
            assert page.locator(".error").count() == 0
            shot = tmp_path / "web-chat.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5000
        finally:
            browser.close()
