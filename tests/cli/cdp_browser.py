"""A real headless Chromium driven over the DevTools protocol through ``--remote-debugging-pipe`` (fd 3: commands
in, fd 4: replies and events out, NUL-terminated JSON), so page tests need no WebDriver or websocket package."""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from typing import Any

import numpy as np
from PIL import Image


def chromium_path() -> str | None:
    """The Chromium binary (Debian's ``chromium``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """One headless Chromium with one page of ``width`` x ``height`` CSS pixels at device scale 1."""

    def __init__(self, width: int = 1200, height: int = 900, timeout: float = 60.0) -> None:
        binary = chromium_path()
        if binary is None:
            raise FileNotFoundError("chromium is not installed")
        self.timeout, self.next_id, self.events, self.buffer = timeout, 0, [], b""
        self.profile = tempfile.TemporaryDirectory(prefix="cdp-profile-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def wire_fds() -> None:  # in the child: the protocol wants the pipes as fds 3 and 4 exactly
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--hide-scrollbars", "--force-device-scale-factor=1",
             "--force-color-profile=srgb", f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=wire_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                          "mobile": False})

    # -- protocol ---------------------------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError(f"chromium exited (code {self.proc.poll()})")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        """Send one command (to the page's session unless ``session`` is False) and return its result."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str) -> dict:
        """The first event ``method`` (already received or still to come)."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    # -- page -------------------------------------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        """Evaluate JavaScript in the page (promises awaited) and return its JSON value; page errors raise."""
        reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page error: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def mouse(self, kind: str, x: float, y: float, buttons: int = 0) -> None:
        """``kind``: mousePressed, mouseMoved or mouseReleased at CSS pixel (x, y); the page sees pointer events."""
        params = {"type": kind, "x": x, "y": y, "buttons": buttons}
        if kind != "mouseMoved":
            params.update(button="left", clickCount=1)
        elif buttons:
            params["button"] = "left"
        self.call("Input.dispatchMouseEvent", params)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
        """Press at ``start``, move to ``end`` in steps, release."""
        self.mouse("mousePressed", *start, buttons=1)
        for i in range(1, steps + 1):
            t = i / steps
            self.mouse("mouseMoved", start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]),
                       buttons=1)
        self.mouse("mouseReleased", *end)

    def key(self, key: str, code: str, key_code: int, shift: bool = False) -> None:
        """Press and release one key (``text`` sent for printable keys)."""
        params = {"key": key, "code": code, "windowsVirtualKeyCode": key_code, "modifiers": 8 if shift else 0}
        text = {"text": key} if len(key) == 1 else {}
        self.call("Input.dispatchKeyEvent", {"type": "keyDown", **params, **text})
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    def screenshot(self) -> np.ndarray:
        """The viewport as an HxWx3 uint8 array."""
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))

    def close(self) -> None:
        """Quit Chromium (the process this object started) and remove its profile."""
        if self.proc.poll() is None:
            try:
                self.call("Browser.close", session=False)
                self.proc.wait(timeout=10)
            except (RuntimeError, TimeoutError, OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        for fd in (self.to_chrome, self.from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self.profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
