"""The centre imports a signed bundle (`watcher.central.bundle`) as it receives a push: the file
is read within its limits and checked whole first, then its events go through `Centre.receive`
in batches and its documents through `push.send_documents`, on behalf of the office, so the
centre's own checks apply unchanged. Nothing is stored from a file that fails a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from watcher.central.bundle import LIMITS, Bundle, BundleError, Limits, MiB, decode
from watcher.central.centre import Centre
from watcher.central.push import BATCH_SIZE, send_documents


def read_bundle_file(path: Path, *, limits: Limits = LIMITS) -> bytes:
    """The file's bytes, never more than the limit."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limits.file_bytes + 1)
    except FileNotFoundError as exc:
        raise BundleError("bundel.baca", "berkas itu tidak ada.") from exc
    except IsADirectoryError as exc:
        raise BundleError("bundel.baca", "itu folder, bukan berkas bundel.") from exc
    except PermissionError as exc:
        raise BundleError("bundel.baca", "tidak ada izin membaca berkas itu.") from exc
    except OSError as exc:
        message = f"berkas itu tidak dapat dibaca: {exc.strerror or exc}."
        raise BundleError("bundel.baca", message) from exc
    if len(data) > limits.file_bytes:
        raise BundleError("bundel.terlalu_besar", f"berkas lebih dari "
                          f"{limits.file_bytes // MiB} MB, batas satu bundel.")  # fmt: skip
    return data


@dataclass(frozen=True)
class ImportResult:
    bundle: Bundle
    stored: int
    duplicates: int
    quarantined: int  # 1 when an event differs from the one the centre holds under its seq
    diverged: int | None  # that event's seq
    high_water: int
    submissions: int
    profile_sent: bool

    def text(self) -> str:
        lines = [
            f"Diimpor: {self.bundle.text()}.",
            f"{self.stored} kejadian baru disimpan, {self.duplicates} sudah ada di pusat, "
            f"{self.quarantined} dikarantina; pusat memegang rantai kantor "
            f"{self.bundle.office_id} sampai #{self.high_water}; {self.submissions} laporan "
            "disetujui baru" + ("; profil kantor diperbarui." if self.profile_sent else "."),
        ]
        if self.diverged is not None:
            lines.append(
                f"PERHATIAN: kejadian #{self.diverged} di bundel berbeda dengan yang sudah "
                "dipegang pusat; kejadian itu dikarantina (kinerja.quarantine), sisa bundel "
                "tidak disimpan. Log kantor ini bukan lanjutan log yang pernah dikirim "
                "(dipulihkan dari cadangan lama?): periksa bersama kantor itu."
            )
        return "\n".join(lines)


def import_bundle(centre: Centre, bundle: Bundle) -> ImportResult:
    """Store a checked bundle as a push would, on behalf of its office."""
    office_id = bundle.office_id
    high_water = centre.high_water(office_id)
    if bundle.first > high_water + 1:  # the centre would refuse the gap; say how to mend it
        raise BundleError("bundel.celah", f"pusat memegang kejadian kantor {office_id} "
                          f"sampai #{high_water}, bundel mulai dari #{bundle.first}: minta "
                          f"kantor membuat bundel dengan --sejak {high_water} (atau tanpa "
                          "--sejak).")  # fmt: skip
    stored = duplicates = 0
    diverged: int | None = None
    for start in range(0, len(bundle.events), BATCH_SIZE):
        batch = bundle.events[start : start + BATCH_SIZE]
        receipt = centre.receive(office_id, batch)
        stored, duplicates = stored + receipt.stored, duplicates + receipt.duplicates
        high_water = receipt.high_water
        if receipt.quarantined:
            diverged = batch[receipt.stored + receipt.duplicates].seq
            break
    profile_sent, submissions = False, 0
    if diverged is None:  # as a push: a log that is not the chain held sends nothing more
        profile_sent, submissions = send_documents(centre, office_id, bundle.documents)
    return ImportResult(bundle, stored, duplicates, int(diverged is not None), diverged,
                        high_water, submissions, profile_sent)  # fmt: skip


def import_file(centre: Centre, path: Path, *, limits: Limits = LIMITS) -> ImportResult:
    """Read, check and import one bundle file; BundleError before anything is stored."""
    try:
        bundle = decode(read_bundle_file(path, limits=limits), centre.public_key, limits=limits)
        return import_bundle(centre, bundle)  # refuses a gap before storing anything
    except BundleError as exc:
        raise BundleError(exc.rule, f"Bundel {path} ditolak: {exc.message} Tidak ada yang "
                          "disimpan.") from exc  # fmt: skip
