"""An installed wheel (not only a checkout) finds its templates, static files and migrations."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = textwrap.dedent("""
    import catalog
    from pathlib import Path
    assert Path(catalog.__file__).parent.parent == Path({target!r}), catalog.__file__
    from catalog import create_app
    from catalog.core.migrations import upgrade
    app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{db}", "SECRET_KEY": "x",
                      "WTF_CSRF_ENABLED": False}})
    assert app.template_folder.startswith({target!r}), app.template_folder
    with app.app_context():
        upgrade()
    page = app.test_client().get("/login")
    assert page.status_code == 200, page.status_code
    assert b"Sign in" in page.data
    css = app.test_client().get("/static/css/app.css")
    assert css.status_code == 200
    css.close()
    print("wheel ok")
""")


@pytest.mark.slow
def test_wheel_contains_resources_and_works_when_installed(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheels"
    # Without network access hatchling comes from the environment; otherwise pip fetches it.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation,
                    "-w", str(wheel_dir), str(REPO)], check=True, timeout=300)
    (wheel,) = wheel_dir.glob("catalog-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("catalog/templates/base.html", "catalog/static/css/app.css",
                     "catalog/migrations/env.py", "catalog/__init__.py"):
        assert required in names, f"{required} missing from {wheel.name}"
    assert any(n.startswith("catalog/migrations/versions/") for n in names)
    assert not any(n.startswith("tests/") for n in names)

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target),
           "CATALOG_INSTANCE_PATH": str(tmp_path / "instance")}
    script = SCRIPT.format(target=str(target), db=tmp_path / "wheel.db")
    # Run from an empty folder so that the checkout cannot be imported by accident.
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wheel ok" in result.stdout
