"""How often Chromium never answers a browser context's close (docs/testing.md, "A context that
never closes"). Each round opens a context with two pages, each holding an event stream and a
pagehide beacon, then closes it one way and counts the closes that do not answer within --limit.

    .venv/bin/python -m tests.support.close_race --way navigating --rounds 150

Ways: `idle` (close at once), `navigating` (close while a page follows a meta refresh: Chromium
drops some of these closes), `leave-first` (the same, but every page is sent to about:blank first,
as close_context() does).
"""

import argparse
import asyncio
import time
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from tests.support.chromium import CHROMIUM_ARGS, chromium_path
from tests.support.servers import serve_in_background

PAGE = b"""<!doctype html><html lang="en"><head><title>stream</title></head><body><p id="p">x</p>
<a id="go" href="/refresh">next</a><script>
new EventSource('/events').onmessage = (e) => { document.getElementById('p').textContent = e.data; };
window.addEventListener('pagehide', () => navigator.sendBeacon('/beacon', 'bye'));
</script></body></html>"""
REFRESH = b"""<!doctype html><html lang="en"><head><title>refresh</title>
<meta http-equiv="refresh" content="0; URL='/'"></head><body>back</body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            with suppress(OSError):
                for number in range(600):
                    self.wfile.write(f"data: {number}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(0.05)
            return
        body = REFRESH if self.path == "/refresh" else PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):
            self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(0.5)  # a slow beacon
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # closing pages hang up mid-stream: that is the point


async def run(way, rounds, limit):
    server = Server(("127.0.0.1", 0), Handler)
    serve_in_background(server)
    url = f"http://127.0.0.1:{server.server_port}/"
    never, slowest = 0, 0.0
    async with async_playwright() as playwright:
        launch = {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}
        browser = await playwright.chromium.launch(**launch)
        for number in range(rounds):
            context = await browser.new_context(service_workers="block")
            pages = [await context.new_page() for _ in range(2)]
            for page in pages:
                await page.goto(url)
                await page.wait_for_function("document.getElementById('p').textContent !== 'x'")
            if way != "idle":
                await pages[0].click("#go", no_wait_after=True)
                await asyncio.sleep((number % 10) / 100)  # land at different moments of the navigation
            started = time.monotonic()
            if way == "leave-first":
                for page in context.pages:
                    for _ in range(3):
                        with suppress(PlaywrightError):
                            await page.goto("about:blank", timeout=5_000)
                        if page.url == "about:blank":
                            break
            try:
                await asyncio.wait_for(context.close(), limit)
            except TimeoutError:
                never += 1
                print(f"round {number}: the close did not answer within {limit} s", flush=True)
                await asyncio.wait_for(browser.close(), limit)  # answers at once even then
                browser = await playwright.chromium.launch(**launch)
            slowest = max(slowest, time.monotonic() - started)
        await browser.close()
    server.shutdown()
    print(f"{way}: {rounds} closes, {never} never answered, slowest answer {slowest:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--way", choices=["idle", "navigating", "leave-first"], default="navigating")
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--limit", type=float, default=15.0, help="seconds a close may take")
    options = parser.parse_args()
    asyncio.run(run(options.way, options.rounds, options.limit))


if __name__ == "__main__":
    main()
