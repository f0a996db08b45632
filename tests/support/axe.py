"""axe-core in a Playwright page (vendored from npm: tests/support/vendor/VENDOR.md), and our own
tap-target check (44 px, stricter than WCAG 2.2's 24 px: PRODUCT.md's phones-first rule)."""

import hashlib
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe-core" / "axe.min.js"
# What WCAG 2.2 AA asks, plus axe's best practices (landmarks, headings, one <main>).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# Every impact blocks: Lighthouse's accessibility score counts any violation, and the tour found
# only moderate ones once the serious and critical were fixed (the dev banner outside landmarks,
# a page without h1, a heading level skipped).
BLOCKING = ("minor", "moderate", "serious", "critical")
TAP_PX = 44


def axe_source():
    """axe.min.js, after checking it is the file VENDOR.md names (checksums.sha256)."""
    expected = {
        name: digest
        for digest, name in (line.split() for line in (VENDOR / "checksums.sha256").read_text().splitlines())
    }
    text = AXE.read_bytes()
    assert hashlib.sha256(text).hexdigest() == expected["axe-core/axe.min.js"], "axe.min.js is not the vendored file"
    return text.decode()


# Injected through the DevTools protocol (page.evaluate), which the page's CSP does not apply to, so
# the pages are checked with their real policy.
_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(
      (n) => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 3).join(' ')),
  }));
}"""


def violations(page, source):
    """axe's violations on the page as it is now, as readable lines."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    found = page.evaluate(_RUN, TAGS)
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {'; '.join(v['targets'])}" for v in found if v["impact"] in BLOCKING
    ]


# Targets a finger taps: controls, and links that stand alone (a link inside a sentence is exempt,
# as in WCAG 2.5.8). A checkbox or radio counts by its label, which is what the finger hits. Elements
# that are hidden, or visually hidden until focused (the skip link), are not counted.
_SMALL_TARGETS = """(px) => {
  const seen = new Set();
  const small = [];
  const alone = (a) => {
    const block = a.parentElement;
    return block && block.textContent.trim() === a.textContent.trim();
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary, [role="button"]')) {
    if (el.type === 'hidden') continue;
    if (el.tagName === 'A' && !alone(el) && !el.classList.contains('button')) continue;
    let target = el;
    if (el.type === 'checkbox' || el.type === 'radio') target = el.closest('label') || el;
    // A "stretched" link whose ::after covers its card: the card is what the finger taps.
    const after = getComputedStyle(el, '::after');
    if (after.content !== 'none' && after.position === 'absolute' && el.offsetParent) target = el.offsetParent;
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (box.width <= 2 || box.height <= 2 || style.visibility === 'hidden') continue;
    if (target.closest('[hidden], [aria-hidden="true"]')) continue;
    if (Math.round(box.height) < px || Math.round(box.width) < px) {
      const said = target.getAttribute('aria-label') || target.textContent || target.name || target.id || '';
      const name = said.trim().slice(0, 40);
      small.push(`${target.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def small_targets(page):
    """Tap targets under 44 × 44 px on the page as it is now."""
    return page.evaluate(_SMALL_TARGETS, TAP_PX)


def duplicate_ids(page):
    """Ids used more than once on the page (a label or aria-describedby would point at the first)."""
    return page.evaluate(
        """() => {
          const counts = {};
          for (const el of document.querySelectorAll('[id]')) counts[el.id] = (counts[el.id] || 0) + 1;
          return Object.entries(counts).filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
        }"""
    )
