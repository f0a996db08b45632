"""A digital product's file and a product's picture.

The file is checked by its content, never by its name or the browser's Content-Type: its first
bytes must be one of the types below (the type decides the stored extension and the type sent
with the download), and it must be at most SHOP_MAX_FILE_BYTES (200 MB). It is stored, without
being held in memory, under a private key `products/<id>/<random>/<safe name>`: never public,
reached only through a counted download (downloads.py).

The picture is a photo like a reader's (marketplace/photos.py): checked by content, re-encoded to
WebP from the pixels alone (no EXIF), in square sizes, under `shop/<id>/<random>`.
"""

import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app

from soulseer.services.core.storage import storage
from soulseer.services.marketplace import photos
from soulseer.services.shop.errors import ShopError

HEAD_BYTES = 64


@dataclass(frozen=True)
class FileType:
    label: str  # what buyers read: "PDF"
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", "pdf")
EPUB = FileType("EPUB e-book", "application/epub+zip", "epub")
ZIP = FileType("ZIP archive", "application/zip", "zip")
MP3 = FileType("MP3 audio", "audio/mpeg", "mp3")
M4A = FileType("M4A audio", "audio/mp4", "m4a")
MP4 = FileType("MP4 video", "video/mp4", "mp4")
WAV = FileType("WAV audio", "audio/wav", "wav")
PNG = FileType("PNG image", "image/png", "png")
JPEG = FileType("JPEG image", "image/jpeg", "jpg")
ACCEPTED = "PDF, EPUB, ZIP, MP3, M4A, WAV, MP4, PNG or JPEG"


def sniff(head):
    """The type of a file from its first bytes, or None. Order matters: an EPUB is a ZIP whose
    first entry names its type; an M4A is an MP4 with an audio brand."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04") and head[30:58] == b"mimetypeapplication/epub+zip":
        return EPUB
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head[4:8] == b"ftyp":
        return M4A if head[8:12] in (b"M4A ", b"M4B ") else MP4
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return MP3  # an ID3 tag, or an MPEG audio frame's sync word with layer III
    return None


def max_bytes():
    return current_app.config["SHOP_MAX_FILE_BYTES"]


def _size(stream):
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def safe_name(title, file_type):
    """The name the buyer's file is saved as: the product's title in plain letters, digits and
    hyphens, with the extension its content decided (never a name someone typed)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80].strip("-") or "download"
    return f"{stem}.{file_type.extension}"


@dataclass(frozen=True)
class StoredFile:
    key: str
    name: str
    file_type: FileType
    size: int


def check_file(stream):
    """(type, size) of an uploaded file-like object, or ShopError on `file`. Reads only its head."""
    size = _size(stream)
    if size == 0:
        raise ShopError(f"The file is empty. Choose a {ACCEPTED} file.", field="file")
    if size > max_bytes():
        raise ShopError(f"The file is larger than {max_bytes() // (1024 * 1024)} MB.", field="file")
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    file_type = sniff(head)
    if file_type is None:
        raise ShopError(f"That file's content is not a {ACCEPTED} file.", field="file")
    return file_type, size


def store_file(product, stream):
    """Check and store the product's file under a new private key; returns what the product keeps."""
    file_type, size = check_file(stream)
    name = safe_name(product.title, file_type)
    key = f"products/{product.id}/{secrets.token_hex(12)}/{name.lower()}"
    storage().put_stream(key, stream, file_type.content_type)
    return StoredFile(key, name, file_type, size)


def type_label(content_type):
    """ "PDF" for "application/pdf": what the product page says the buyer gets."""
    for file_type in (PDF, EPUB, ZIP, MP3, M4A, MP4, WAV, PNG, JPEG):
        if file_type.content_type == content_type:
            return file_type.label
    return "File"


def store_picture(product, upload):
    """The product's picture from an upload, re-encoded (photos.PhotoError on `photo` otherwise)."""
    image = photos.open_checked(photos.read_upload(upload))
    return photos.store(product.id, image, folder="shop")


def picture_url(product, size=320):
    return photos.url(product.image_prefix, size)


def remove_picture(prefix):
    photos.remove(prefix)


def remove_file(key):
    if key:
        storage().delete(key)
