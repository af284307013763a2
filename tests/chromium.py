"""Headless Chromium for the browser tests (the report and `shenbao serve`), driven over
the DevTools protocol on a pipe: no driver, no client library, no network."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                                  "(apt-get install -y chromium)")

# The source elements lit up in a filing view, and whether each is scrolled into its pane.
HIGHLIGHTED = """(() => { const lit = [...document.querySelectorAll('.source-pane .hl')];
  const pane = document.querySelector('.source-pane').getBoundingClientRect();
  return lit.map(el => { const r = el.getBoundingClientRect();
    return {tag: el.tagName, cls: el.className, text: el.textContent,
            visible: r.bottom > pane.top && r.top < pane.bottom && r.height > 0}; }); })()"""


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4,
    NUL-separated JSON), so no driver or client library is needed."""

    def __init__(self, profile: Path):
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]

        def wire():  # in the child: the browser reads commands on fd 3 and answers on fd 4
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)
            for fd in high:
                os.close(fd)

        self.proc = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=wire, close_fds=False)
        for fd in (to_browser, from_browser, *high):
            os.close(fd)
        self._next, self._buffer, self.events = 0, b"", []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session=True)
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=900, deviceScaleFactor=1,
                  mobile=False)

    def send(self, method: str, session: bool = False, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]
            self.events.append(reply)

    def _read(self, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(self._from_browser, 1 << 20) if ready else b""
            assert chunk, "Chromium did not answer"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", session=True, url=url)
        self._wait_for_load()

    def follow(self, selector: str) -> None:
        """Click a link and wait until the page it leads to has loaded."""
        self.events.clear()
        self.click(selector)
        self._wait_for_load()

    def _wait_for_load(self) -> None:
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._read())

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (scrolled into view first); of
        its first line when it wraps, since the middle of a wrapped link may be off it."""
        box = self.eval(f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
                        "el.scrollIntoView({block: 'center'}); const r = el.getClientRects()[0]; "
                        "return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", session=True, type=kind, x=box["x"], y=box["y"], button="left",
                      clickCount=1)

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", session=True, format="png")["data"]))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def browser_session(tmp_path_factory):
    """The body of a module's browser fixture: one Chromium for the module's tests, closed
    after them; the tests are skipped when Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    chromium = Chromium(tmp_path_factory.mktemp("profile"))
    yield chromium
    chromium.close()
