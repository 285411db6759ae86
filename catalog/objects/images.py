"""Object images: checked with Pillow, stored under MEDIA_DIR with generated thumbnails.

An upload is trusted for nothing: its name and the browser's content type are ignored; Pillow
must recognise the bytes as one of the accepted formats, the pixel count must be sane before
anything is decoded (decompression bombs), and the whole image must decode.
"""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from catalog.core.errors import ValidationError
from catalog.core.permissions import check
from catalog.objects.models import CatalogueObject, ObjectImage

#: Pillow format -> (file extension, MIME type, extensions an honest file name may have)
FORMATS = {
    "JPEG": ("jpg", "image/jpeg", {"jpg", "jpeg", "jpe", "jfif"}),
    "PNG": ("png", "image/png", {"png"}),
    "TIFF": ("tif", "image/tiff", {"tif", "tiff"}),
    "WEBP": ("webp", "image/webp", {"webp"}),
}
#: generated sizes: name -> longest side in pixels
SIZES = {"thumb": 320, "medium": 1200}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000  # 100 megapixels: large scans, far from a bomb


def media_root(config: Any) -> Path:
    return Path(config["MEDIA_DIR"]) / "objects"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def inspect_image(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Return the decoded image, or raise ValidationError saying plainly what is wrong."""
    if not data:
        raise ValidationError("The file is empty.", field="image")
    if len(data) > max_bytes:
        raise ValidationError(f"The file is {len(data) // (1024 * 1024)} MB; the limit is "
                              f"{max_bytes // (1024 * 1024)} MB.", field="image")
    with warnings.catch_warnings():
        # Pillow warns (then errors) on huge images; we apply our own, lower limit below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ValidationError(f"{filename} claims more pixels than the limit of "
                                  f"{max_pixels // 1_000_000} megapixels.", field="image") from exc
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise ValidationError(
                f"{filename} is not an image Catalog can read. Upload a JPEG, PNG, TIFF or "
                "WebP file.", field="image") from exc
        fmt = image.format or ""
        if fmt not in FORMATS:
            raise ValidationError(f"{filename} is a {fmt or 'unknown'} file; Catalog accepts "
                                  "JPEG, PNG, TIFF and WebP.", field="image")
        ext = _extension(filename)
        if ext and ext not in FORMATS[fmt][2]:
            raise ValidationError(f"{filename} is really a {fmt} file, but its name says "
                                  f".{ext}. Rename it or export it again.", field="image")
        width, height = image.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise ValidationError(f"{filename} claims to be {width} × {height} pixels, more than "
                                  f"the limit of {max_pixels // 1_000_000} megapixels.",
                                  field="image")
        try:
            image.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except Exception as exc:  # Pillow raises many kinds on corrupt data
            raise ValidationError(f"{filename} is damaged or incomplete and cannot be shown.",
                                  field="image") from exc
    return image


def _thumbnail(image: Image.Image, longest: int) -> bytes:
    image = ImageOps.exif_transpose(image) or image
    if image.mode not in ("RGB", "L"):
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        elif image.mode.startswith("I"):
            image = image.point(lambda value: value / 256).convert("L")
        else:
            image = image.convert("RGB")
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def file_path(config: Any, image: ObjectImage, size: str) -> Path:
    root = media_root(config)
    if size == "original":
        return root / image.file_key
    return root / "derived" / f"{image.file_key.rsplit('.', 1)[0]}-{size}.jpg"


def add_image(session: Session, obj: CatalogueObject, *, actor: Any, data: bytes, filename: str,
              config: Any, caption: str | None = None, rights: str | None = None,
              is_primary: bool = False) -> ObjectImage:
    """Check, store and record an image of ``obj``; the first image becomes the primary one."""
    check(actor, "objects.edit")
    filename = Path(filename or "upload").name[:300]
    image = inspect_image(data, filename,
                          max_bytes=config.get("MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
                          max_pixels=config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
    fmt = image.format or ""
    key = f"{secrets.token_hex(16)}.{FORMATS[fmt][0]}"
    record = ObjectImage(object_id=obj.id, file_key=key, original_name=filename, format=fmt,
                         width=image.size[0], height=image.size[1], size_bytes=len(data),
                         caption=(caption or "").strip() or None,
                         rights=(rights or "").strip() or None,
                         uploaded_by_id=getattr(actor, "id", None))
    # Files are written first: if the transaction then fails, an unreferenced file is harmless,
    # whereas a record without its file would be a broken page.
    root = media_root(config)
    (root / "derived").mkdir(parents=True, exist_ok=True)
    (root / key).write_bytes(data)
    for size, longest in SIZES.items():
        file_path(config, record, size).write_bytes(_thumbnail(image, longest))
    has_images = session.scalar(
        sa.select(sa.func.count()).select_from(ObjectImage).where(ObjectImage.object_id == obj.id))
    session.add(record)
    obj.images.append(record)
    if is_primary or not has_images:
        set_primary(session, record, actor=actor)
    session.flush()
    return record


def set_primary(session: Session, image: ObjectImage, *, actor: Any) -> None:
    check(actor, "objects.edit")
    for other in image.object.images:
        if other is not image and other.is_primary:
            other.is_primary = False
    image.is_primary = True
    session.flush()


def update_image(session: Session, image: ObjectImage, *, actor: Any, caption: str | None,
                 rights: str | None) -> None:
    check(actor, "objects.edit")
    image.caption = (caption or "").strip() or None
    image.rights = (rights or "").strip() or None
    session.flush()
