"""Images: real files generated with Pillow; bad and hostile files refused with a clear message."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from catalog.core.errors import ValidationError
from catalog.objects.images import inspect_image
from catalog.objects.models import ObjectImage


def picture(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    options = {"compression": "tiff_lzw"} if fmt == "TIFF" else {}
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else 128).save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "a.jpg"), ("PNG", "a.png"),
                                           ("TIFF", "a.tif"), ("WEBP", "a.webp")])
def test_accepted_formats(fmt, name):
    assert inspect_image(picture(fmt), name).format == fmt


def noisy_jpeg() -> bytes:
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (128, 128), os.urandom(128 * 128 * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.jpg", "empty"),
    (b"MZ\x90\x00 this is a windows program", "photo.jpg", "not an image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png",
     "not an image"),
    (picture("GIF"), "anim.gif", "GIF file"),
    (picture("PNG"), "renamed.jpg", "really a PNG"),
    (png_bomb(100_000, 100_000), "bomb.png", "megapixels"),
    (png_bomb(20_000, 20_000), "big.png", "megapixels"),
    (noisy_jpeg()[:3000], "cut.jpg", "damaged"),
], ids=["empty", "program", "svg", "gif", "renamed", "bomb", "big", "truncated"])
def test_bad_files_are_refused(data, name, message):
    with pytest.raises(ValidationError, match=message):
        inspect_image(data, name)


def test_size_limit():
    with pytest.raises(ValidationError, match="limit"):
        inspect_image(picture("PNG"), "a.png", max_bytes=10)


def test_upload_makes_thumbnails_and_primary(client, auth, make_object, db_session, app):
    obj = make_object()
    auth.login("registrar")
    response = client.post(f"/objects/{obj.id}/images", data={
        "image": (io.BytesIO(picture("TIFF", (2000, 1000))), "scan.tiff"),
        "caption": "Front", "rights": "© Museum photo"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    second = client.post(f"/objects/{obj.id}/images", data={
        "image": (io.BytesIO(picture("PNG", (300, 300), "RGBA")), "back.png")},
        content_type="multipart/form-data")
    assert second.status_code == 302
    images = db_session.query(ObjectImage).filter_by(object_id=obj.id).order_by(
        ObjectImage.id).all()
    assert [i.is_primary for i in images] == [True, False]
    assert images[0].format == "TIFF"
    assert images[0].width == 2000
    with client.get(f"/objects/images/{images[0].id}/thumb") as thumb:
        assert thumb.status_code == 200
        assert thumb.mimetype == "image/jpeg"
        assert max(Image.open(io.BytesIO(thumb.data)).size) == 320
    with client.get(f"/objects/images/{images[0].id}/original") as original:
        assert original.mimetype == "image/tiff"
    assert client.post(f"/objects/images/{images[1].id}/primary").status_code == 302
    db_session.expire_all()
    assert db_session.get(ObjectImage, images[1].id).is_primary
    assert not db_session.get(ObjectImage, images[0].id).is_primary
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert f"/objects/images/{images[1].id}/thumb" in page


def test_hostile_upload_is_refused_in_the_form(client, auth, make_object, db_session):
    obj = make_object()
    auth.login("registrar")
    response = client.post(f"/objects/{obj.id}/images", data={
        "image": (io.BytesIO(b"<?php system($_GET['c']); ?>"), "shell.php.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not an image Catalog can read" in response.get_data(as_text=True)
    assert db_session.query(ObjectImage).count() == 0


def test_images_need_sign_in_and_permission(client, auth, make_object, db_session, app):
    obj = make_object()
    auth.login("registrar")
    client.post(f"/objects/{obj.id}/images", data={
        "image": (io.BytesIO(picture("JPEG")), "a.jpg")}, content_type="multipart/form-data")
    image = db_session.query(ObjectImage).one()
    auth.logout()
    anonymous = client.get(f"/objects/images/{image.id}/thumb")
    assert anonymous.status_code in (302, 401)
    auth.login("viewer")
    with client.get(f"/objects/images/{image.id}/thumb") as response:
        assert response.status_code == 200
    assert client.post(f"/objects/{obj.id}/images", data={
        "image": (io.BytesIO(picture("JPEG")), "a.jpg")},
        content_type="multipart/form-data").status_code == 403


def test_object_list_shows_primary_thumbnails_without_n_plus_one(client, auth, make_object,
                                                                 db_session, count_queries):
    first, second = make_object(), make_object()
    auth.login("registrar")
    for obj in (first, second):
        client.post(f"/objects/{obj.id}/images", data={
            "image": (io.BytesIO(picture("JPEG")), "a.jpg")}, content_type="multipart/form-data")
    with count_queries() as statements:
        page = client.get("/objects/").get_data(as_text=True)
    assert page.count('class="list-thumb"') == 2
    assert len(statements) <= 8, "\n".join(statements)
