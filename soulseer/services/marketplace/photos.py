"""Profile photos: checked by their content, never by name or Content-Type; re-encoded and resized.

An upload is accepted when Pillow recognises it as JPEG, PNG or WebP, verifies it and can decode
it (so a script named .jpg, a truncated file or a decompression bomb is refused). The original is
never stored: each size is a fresh WebP encoded from the pixels alone, so EXIF (GPS, camera) and
any other metadata are gone. Sizes are square centre crops.
"""

import io
import secrets
import warnings

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps

from soulseer.errors import DomainError
from soulseer.services.core.storage import storage

MAX_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG", "PNG", "WEBP"}
SIZES = (96, 192, 320, 640)  # cards show 96 (192 on dense screens), the reader page 320 (640)
MAX_PIXELS = 40_000_000  # larger images are refused rather than decoded
CONTENT_TYPE = "image/webp"


class PhotoError(DomainError):
    """A photo that cannot be used: the message goes on the form's photo field."""

    status = 422
    field = "photo"


def read_upload(file_storage):
    """The uploaded bytes, refused above MAX_BYTES without reading much further."""
    data = file_storage.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError("The photo is larger than 5 MB. Choose a smaller one.")
    if not data:
        raise PhotoError("The file is empty. Choose a JPEG, PNG or WebP photo.")
    return data


def open_checked(data):
    """An RGB image decoded from `data`, or PhotoError. Looks only at the content."""
    refused = PhotoError("That file is not a JPEG, PNG or WebP image. Choose a photo.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise refused
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("The photo has too many pixels. Choose one under 40 megapixels.")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except PhotoError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise refused from exc
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in ("LA", "PA") else "RGB")
    return image


def variants(image):
    """{size: webp bytes} for each square size, encoded from pixels only (no metadata)."""
    out = {}
    for size in SIZES:
        square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        square.save(buffer, "WEBP", quality=82, method=4)
        out[size] = buffer.getvalue()
    return out


def key_for(prefix, size):
    return f"{prefix}-{size}.webp"


def store(owner_id, image, folder="readers"):
    """Write every size under a new random prefix; return the prefix (what the profile keeps).
    `folder` names whose picture it is: a reader's photo, a shop product's picture ("shop")."""
    prefix = f"{folder}/{owner_id}/{secrets.token_hex(8)}"
    backend = storage()
    for size, data in variants(image).items():
        backend.put(key_for(prefix, size), data, CONTENT_TYPE)
    return prefix


def remove(prefix):
    if not prefix:
        return
    backend = storage()
    for size in SIZES:
        backend.delete(key_for(prefix, size))


def url(prefix, size):
    return storage().url(key_for(prefix, size)) if prefix else None


# Demo photos -------------------------------------------------------------------------------


def generated_portrait(initial, top, bottom, size=640):
    """A soft diagonal gradient with the initial in the middle (demo data; nothing downloaded)."""
    vertical = Image.linear_gradient("L").resize((size, size))
    gradient = ImageChops.add(vertical.point(lambda v: v // 2), vertical.rotate(90).point(lambda v: v // 2))
    image = Image.composite(Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), gradient)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.18, size * 0.18, size * 0.82, size * 0.82), outline=(255, 255, 255), width=size // 90)
    try:
        font = ImageFont.load_default(size=int(size * 0.38))
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw.text((size / 2, size / 2), initial, fill=(255, 255, 255), font=font, anchor="mm")
    return image
