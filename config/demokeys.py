"""The demo's keys, drawn at random on the first start outside production and kept in
VAR_DIR/demo-keys.env (mode 600), so that no key that protects the demo's NIKs is written in
the source. Every process of one VAR_DIR (web, workers, tests, `demo_setup`) reads the same
file; production takes its keys from the environment only (config/settings/keys.py).

A database built under other keys does not match these: `manage.py demo_setup --reset`
builds the demo again under the keys of this file.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterable
from pathlib import Path


def _draw(name: str) -> str:
    if name == "DJANGO_SECRET_KEY":
        return secrets.token_urlsafe(50)
    return base64.b64encode(secrets.token_bytes(32)).decode()  # HMAC and AES-256 keys alike


def _read(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.startswith("#"):
            values[name.strip()] = value.strip()
    return values


def _write(path: Path, values: dict[str, str], *, replace: bool) -> None:
    """Written whole to a new file, then linked in place (or over the old one when a key is
    added): two processes starting at once end up reading the same file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# Demo keys, drawn at random (config/demokeys.py). Never for production.\n")
        fh.writelines(f"{name}={value}\n" for name, value in values.items())
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if another process wrote it first: theirs is read
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def demo_keys(path: Path, names: Iterable[str]) -> dict[str, str]:
    """The demo's value of each named key, drawing those the file lacks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(names)
    for _attempt in range(3):
        values = _read(path) if path.exists() else {}
        missing = [name for name in names if name not in values]
        if not missing:
            return {name: values[name] for name in names}
        _write(path, {**values, **{n: _draw(n) for n in missing}}, replace=bool(values))
    raise RuntimeError(f"{path}: cannot write the demo keys")
