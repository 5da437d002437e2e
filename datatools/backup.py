"""Backup and restore of the whole portal: every table (as a Django JSON dump, portable across SQLite,
PostgreSQL and SQL Server) and the private files (contracts, uploads) in one .tar.gz with a manifest."""

import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ccportal.rollup import rollups_rebuild

DUMP_NAME = "data.json"
MANIFEST_NAME = "manifest.json"
FILES_PREFIX = "private/"
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


class BackupError(Exception):
    """The archive is not a portal backup or does not match its manifest; one line for the operator."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup_create(*, output):
    """Write a backup archive to ``output``; return its manifest."""
    output = Path(output)
    private_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMP_NAME
        call_command("dumpdata", "--natural-foreign", "--output", str(dump), *[f"--exclude={e}" for e in EXCLUDED], verbosity=0)
        files = sorted(p for p in private_root.rglob("*") if p.is_file()) if private_root.exists() else []
        manifest = {
            "created": timezone.now().isoformat(),
            "data_sha256": _sha256(dump),
            "objects": len(json.loads(dump.read_text())),
            "files": {str(p.relative_to(private_root)): _sha256(p) for p in files},
        }
        with tarfile.open(output, "w:gz") as archive:
            archive.add(dump, arcname=DUMP_NAME)
            for path in files:
                archive.add(path, arcname=FILES_PREFIX + str(path.relative_to(private_root)))
            payload = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return manifest


def backup_restore(*, archive_path):
    """Load a backup into this (migrated, empty) database and put its files back; all or nothing for the data."""
    private_root = Path(settings.MEDIA_ROOT)
    try:
        archive = tarfile.open(archive_path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive_path}: not a readable .tar.gz backup ({exc})") from None
    with archive, tempfile.TemporaryDirectory() as tmp:
        names = archive.getnames()
        if MANIFEST_NAME not in names or DUMP_NAME not in names:
            raise BackupError(f"{archive_path}: not a portal backup (no {MANIFEST_NAME} or {DUMP_NAME})")
        for member in archive.getmembers():
            if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                raise BackupError(f"{archive_path}: refusing unsafe member {member.name!r}")
        archive.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / MANIFEST_NAME).read_text())
        dump = Path(tmp) / DUMP_NAME
        if _sha256(dump) != manifest["data_sha256"]:
            raise BackupError(f"{archive_path}: the data dump does not match its manifest checksum")
        for relative, digest in manifest["files"].items():
            if _sha256(Path(tmp) / (FILES_PREFIX + relative)) != digest:
                raise BackupError(f"{archive_path}: {relative} does not match its manifest checksum")
        with transaction.atomic():
            call_command("loaddata", str(dump), verbosity=0)
            rollups_rebuild()  # loaddata saves raw, past the rollups' signals
        for relative in manifest["files"]:
            target = private_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((Path(tmp) / (FILES_PREFIX + relative)).read_bytes())
    return manifest
