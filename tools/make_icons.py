"""Generate the SoulSeer PWA icons and favicon.

Usage (from the repository root):

    python tools/make_icons.py

The artwork is a pink crescent moon with a small gold four-point star on a
near-black background. Everything is drawn at 4x the target size and then
downscaled with LANCZOS resampling for smooth, anti-aliased edges.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

# Brand colours.
BACKGROUND = "#0A0A0F"
MOON_PINK = "#FF69B4"
STAR_GOLD = "#D4AF37"

SUPERSAMPLE = 4

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "soulseer" / "static" / "icons"

# Artwork geometry in "unit" coordinates: the origin is the centre of the
# icon, y points down, and every shape stays inside the unit circle.
MOON_CENTER = (-0.01, 0.05)
MOON_RADIUS = 0.80
# The bite taken out of the moon disc, offset towards the upper right.
BITE_CENTER = (0.27, -0.23)
BITE_RADIUS = 0.70
STAR_CENTER = (0.49, -0.47)
STAR_RADIUS = 0.26  # tip of the long (vertical) arms
STAR_WAIST = 0.26  # inner radius as a fraction of STAR_RADIUS

# (file name, size in px, artwork radius as a fraction of the icon size).
# The maskable icon keeps its artwork inside the central 80% safe zone
# (a circle of radius 0.40), so it uses a smaller artwork radius.
ICONS = [
    ("icon-192.png", 192, 0.42),
    ("icon-512.png", 512, 0.42),
    ("icon-maskable-512.png", 512, 0.37),
    ("apple-touch-icon.png", 180, 0.40),
    ("favicon-32.png", 32, 0.47),
]


class UnitToPixels:
    """Maps unit coordinates to pixel coordinates on a square canvas."""

    def __init__(self, canvas_size: int, artwork_radius: float):
        self.half = canvas_size / 2
        self.scale = artwork_radius * canvas_size

    def __call__(self, point):
        return (self.half + point[0] * self.scale, self.half + point[1] * self.scale)


def circle_box(center, radius, to_px):
    """Bounding box in pixels of a circle given in unit coordinates."""
    x, y = to_px(center)
    r = radius * to_px.scale
    return (x - r, y - r, x + r, y + r)


def star_points(center, radius, waist, to_px):
    """Eight-point polygon for a slender four-point star (a sparkle)."""
    points = []
    for i in range(8):
        angle = math.radians(-90 + i * 45)
        if i % 2 == 0:
            # Long vertical arms, slightly shorter horizontal ones.
            r = radius if i % 4 == 0 else radius * 0.78
        else:
            r = radius * waist
        points.append(to_px((center[0] + r * math.cos(angle), center[1] + r * math.sin(angle))))
    return points


def draw_icon(size: int, artwork_radius: float) -> Image.Image:
    """Render the icon at `size` px; the artwork fits a circle of
    `artwork_radius * size` around the centre."""
    canvas = size * SUPERSAMPLE
    to_px = UnitToPixels(canvas, artwork_radius)

    image = Image.new("RGB", (canvas, canvas), BACKGROUND)

    # Crescent = moon disc minus the offset "bite" disc.
    moon = Image.new("L", (canvas, canvas), 0)
    ImageDraw.Draw(moon).ellipse(circle_box(MOON_CENTER, MOON_RADIUS, to_px), fill=255)
    bite = Image.new("L", (canvas, canvas), 0)
    ImageDraw.Draw(bite).ellipse(circle_box(BITE_CENTER, BITE_RADIUS, to_px), fill=255)
    crescent = ImageChops.subtract(moon, bite)
    image.paste(MOON_PINK, mask=crescent)

    draw = ImageDraw.Draw(image)
    draw.polygon(star_points(STAR_CENTER, STAR_RADIUS, STAR_WAIST, to_px), fill=STAR_GOLD)

    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, size, artwork_radius in ICONS:
        path = OUTPUT_DIR / name
        draw_icon(size, artwork_radius).save(path, optimize=True)
        print(f"wrote {path} ({size}x{size})")


if __name__ == "__main__":
    main()
