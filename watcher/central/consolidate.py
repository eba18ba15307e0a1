"""The consolidation of a kabupaten (or a province) for one period: every registered office, its
divisions' figures under its own rules (`watcher.central.office_period`), and timeliness counted
against the reports expected.

The reports expected are every registered office times its master data's divisions. An office
that sent nothing (or nothing the centre can read) is listed as *tidak mengirim* and never
counted on time; a division without an approval in force is *belum disetujui*; an approval whose
readings have not reached the centre yet is shown as such, not as figures of zero.

Which period: `index` is the period of the offices' SOP (3 = Triwulan III under SOP 010). It
means the same for every office only when all their SOPs share a period kind, so a region whose
offices mix kinds is refused with a message naming them; a region where no office sent its SOP
yet is read as quarterly (SOP 010's kind).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from watcher.central.cascade import CascadeRow, cascade
from watcher.central.centre import Centre
from watcher.central.iku import IkuList
from watcher.central.office_period import (
    OfficePeriod,
    ProfileError,
    Rules,
    office_period,
    office_rules,
)
from watcher.central.records import Chain, OfficeRecord, Region, read_region
from watcher.errors import KinerjaError
from watcher.masterdata.capaian import mean_capaian
from watcher.masterdata.model import Division
from watcher.reports.context import LATE_STATES, PeriodReport
from watcher.reports.figures import Line
from watcher.sop.period import Period, PeriodKind

log = logging.getLogger(__name__)
ZONE = ZoneInfo("Asia/Makassar")  # the centre's own times (an office's are in its own zone)


class ConsolidationError(KinerjaError):
    """The consolidation cannot be built as asked (period, period kinds, no office readable)."""

    exit_code = 1


class Timeliness(StrEnum):
    """Where one expected report stands; the values are what the report prints."""

    ON_TIME = "tepat waktu"
    LATE = "terlambat"
    PENDING = "disetujui, angka belum diterima pusat"
    NOT_APPROVED = "belum disetujui"
    MISSING = "tidak mengirim"


@dataclass(frozen=True)
class Expected:
    """One expected report: a division of an office (division "" for an office that sent
    nothing, whose divisions the centre does not know)."""

    code: str
    name: str
    state: Timeliness
    note: str = ""  # late steps, returns, reopened, the approval's time


@dataclass(frozen=True)
class OfficeResult:
    office_id: str
    region_id: str
    name: str
    chain: Chain
    period: OfficePeriod | None  # None: nothing the centre can compute from
    reason: str  # why `period` is None ("" otherwise)
    expected: tuple[Expected, ...]

    @property
    def report(self) -> PeriodReport | None:
        return self.period.report if self.period else None

    @property
    def sent(self) -> bool:
        return self.period is not None

    def count(self, state: Timeliness) -> int:
        return sum(1 for e in self.expected if e.state is state)

    def state_of(self, division: str) -> Timeliness | None:
        return next((e.state for e in self.expected if e.code == division), None)


@dataclass(frozen=True)
class Consolidation:
    region: Region
    year: int
    index: int
    period: Period
    built_at: datetime
    offices: tuple[OfficeResult, ...]
    cascade: tuple[CascadeRow, ...]  # () when no office indicator links to an IKU
    iku_title: str = ""

    @property
    def label(self) -> str:
        return self.period.label(self.index)

    @property
    def title(self) -> str:
        return f"Konsolidasi Laporan Kinerja {self.label} Tahun {self.year}"

    @property
    def file_stem(self) -> str:
        """ "Konsolidasi_7304_TW3_2026"."""
        return f"Konsolidasi_{self.region.region_id}_{self.period.code(self.index)}_{self.year}"

    @property
    def sending(self) -> list[OfficeResult]:
        return [office for office in self.offices if office.sent]

    @property
    def expected(self) -> list[Expected]:
        return [e for office in self.offices for e in office.expected]

    def count(self, state: Timeliness) -> int:
        return sum(office.count(state) for office in self.offices)

    def not_on_time(self) -> list[tuple[OfficeResult, Expected]]:
        """Every expected report not approved on time, offices that sent nothing first."""
        found = [
            (o, e) for o in self.offices for e in o.expected if e.state is not Timeliness.ON_TIME
        ]
        return sorted(found, key=lambda pair: pair[0].sent)

    @property
    def average(self) -> float | None:
        """The mean capaian over every assessed indicator of every office this period."""
        return mean_capaian(
            line.current.capaian
            for office in self.offices
            if office.report is not None
            for line in office.report.figures.lines
        )

    def summary(self) -> str:
        """One line: offices sending and missing, divisions approved."""
        divisions = [e for e in self.expected if e.code]
        approved = sum(1 for e in divisions if e.state in APPROVED)
        missing = len(self.offices) - len(self.sending)
        return (
            f"{len(self.sending)} dari {len(self.offices)} kantor mengirim, {missing} tidak "
            f"mengirim; {approved} dari {len(divisions)} bidang disetujui "
            f"({self.count(Timeliness.ON_TIME)} tepat waktu, {self.count(Timeliness.LATE)} "
            f"terlambat, {self.count(Timeliness.PENDING)} angka belum diterima pusat)."
        )


APPROVED = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.PENDING)


def consolidate(
    centre: Centre,
    region_id: str,
    year: int,
    index: int,
    *,
    now: Callable[[], datetime],
    iku: IkuList | None = None,
) -> Consolidation:
    """Read what this connection may see of the region and consolidate period `index` of
    `year` (see the module doc); ConsolidationError when it cannot be done as asked."""
    region, records = read_region(centre, region_id, year)
    if not records:
        raise ConsolidationError(
            f"Tidak ada kantor terdaftar di wilayah {region_id} ({region.name}) yang dapat "
            "dibaca dengan alamat ini: periksa kode wilayah dan peran yang dipakai."
        )
    rules: dict[str, Rules | ProfileError] = {}
    for record in records:
        try:
            rules[record.office_id] = office_rules(record)
        except ProfileError as exc:
            log.info("kantor %s: %s", record.office_id, exc.message)
            rules[record.office_id] = exc
    period = _shared_period(region, records, rules)
    if index not in period.indices:
        raise ConsolidationError(
            f"Periode {index} tidak ada: SOP kantor-kantor di {region.name} memakai periode "
            f"{period.kind.value} (1-{period.count})."
        )
    offices = tuple(
        _office(record, rules[record.office_id], (year, index), now) for record in records
    )
    links = [
        (o.office_id, o.name, _lines(o.report), o.report.figures.bands)
        for o in offices
        if o.report is not None
    ]
    return Consolidation(
        region,
        year,
        index,
        period,
        now().astimezone(ZONE),
        offices,
        cascade(iku, links),
        iku.title if iku else "",
    )


def _lines(report: PeriodReport) -> list[tuple[Division, Line, bool]]:
    return [
        (block.division, line, block.submission is not None)
        for block in report.figures.blocks
        for line in block.lines
    ]


def _shared_period(
    region: Region, records: list[OfficeRecord], rules: dict[str, Rules | ProfileError]
) -> Period:
    kinds: dict[PeriodKind, list[str]] = {}
    periods: dict[PeriodKind, Period] = {}
    for record in records:
        found = rules[record.office_id]
        if isinstance(found, Rules):
            kinds.setdefault(found.sop.period.kind, []).append(record.office_id)
            periods.setdefault(found.sop.period.kind, found.sop.period)
    if len(kinds) > 1:
        mixed = "; ".join(f"{kind.value}: {', '.join(ids)}" for kind, ids in kinds.items())
        raise ConsolidationError(
            f"Kantor-kantor di {region.name} memakai SOP dengan jenis periode berbeda ({mixed}), "
            "sehingga --periode tidak berarti sama bagi semuanya. Samakan jenis periode SOP "
            "kantor-kantor itu, atau susun laporan tiap kantor di kantornya."
        )
    return next(iter(periods.values()), Period())


def _office(
    record: OfficeRecord,
    rules: Rules | ProfileError,
    when: tuple[int, int],
    now: Callable[[], datetime],
) -> OfficeResult:
    if isinstance(rules, ProfileError):
        reason = "tidak mengirim" if not record.chain.seq else rules.message
        missing = (Expected("", "seluruh bidang", Timeliness.MISSING, reason),)
        return OfficeResult(
            record.office_id, record.region_id, record.name, record.chain, None, reason, missing
        )
    period = office_period(record, rules, when, now)
    return OfficeResult(
        record.office_id, record.region_id, record.name, record.chain, period, "", _expected(period)
    )


def _expected(period: OfficePeriod) -> tuple[Expected, ...]:
    """Each division's report, as the office's own report counts it (approval in force, late
    steps in working time), plus what the centre lacks."""
    report = period.report
    pending = {code for code, i in period.pending if i == report.index}
    zone = report.provenance.built_at.tzinfo
    found = []
    for block in report.figures.blocks:
        code = block.division.code
        progress = report.progress.get(code)
        late = [s for s in progress.steps if s.state in LATE_STATES] if progress else []
        notes = [f"langkah {s.step} terlambat" for s in late]
        if progress and progress.returns:
            notes.append(f"dikembalikan {progress.returns} kali")
        if block.submission is not None:
            at = block.submission.approval.at_utc.astimezone(zone)
            notes.insert(0, f"disetujui {at:%d-%m-%Y %H.%M}")
            state = Timeliness.LATE if late else Timeliness.ON_TIME
        elif code in pending:
            state = Timeliness.PENDING
        else:
            state = Timeliness.NOT_APPROVED
            notes.insert(0, report.not_approved(code))
        found.append(Expected(code, block.division.name, state, "; ".join(notes)))
    return tuple(found)
