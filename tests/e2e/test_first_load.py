"""A first visit on a phone, as the network sees it: every page, stylesheet and script arrives
compressed, and no file is fetched twice (the fonts were: the page preloads them by their
versioned URL). The bytes on the wire are written to test-artifacts/first-load.txt (docs/benchmarks.md)."""

from tests.conftest import ARTIFACTS
from tests.e2e.conftest import online_luna

PAGES = ["/", "/readers", "/readers/luna", "/sign-in"]


def first_load(page, path):
    """(bytes on the wire, [(url, type, content-encoding, bytes)]) for one page loaded cold."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen = {}

    def response(event):
        seen[event["requestId"]] = [
            event["response"]["url"],
            event["type"],
            {k.lower(): v for k, v in event["response"]["headers"].items()}.get("content-encoding", ""),
            0,
        ]

    def finished(event):
        if event["requestId"] in seen:
            seen[event["requestId"]][3] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.loadingFinished", finished)
    page.goto(path, wait_until="networkidle")
    cdp.detach()
    rows = [tuple(row) for row in seen.values() if not row[0].endswith("/events")]
    return sum(row[3] for row in rows), rows


def test_a_first_visit_arrives_compressed_and_fetches_each_file_once(page, make_user):
    online_luna(make_user)
    measured = {path: first_load(page, path) for path in PAGES}
    lines = ["page\tHTML\tCSS+JS\tfonts\tall (bytes on the wire)"]
    for path, (total, rows) in measured.items():
        html = sum(size for _, kind, _, size in rows if kind == "Document")
        code = sum(size for _, kind, _, size in rows if kind in ("Stylesheet", "Script"))
        fonts = sum(size for _, kind, _, size in rows if kind == "Font")
        lines.append(f"{path}\t{html}\t{code}\t{fonts}\t{total}")
    (ARTIFACTS / "first-load.txt").write_text("\n".join(lines) + "\n")
    for path, (_, rows) in measured.items():
        urls = [url for url, *_ in rows]
        assert len(urls) == len(set(urls)), f"{path}: fetched twice: {sorted(u for u in urls if urls.count(u) > 1)}"
        fonts = [url for url in urls if ".woff2" in url]
        assert fonts and all("?v=" in url for url in fonts), fonts
        for url, kind, encoding, _ in rows:
            if kind in ("Document", "Stylesheet", "Script"):
                assert encoding == "br", f"{path}: {url} arrived as {encoding or 'identity'}"
    assert page.watched.problems() == []
