"""The ACDB import's report: every row read accounted for per table (new, updated, unchanged, merged, rejected),
and the first few hundred rejected rows and warnings with their reasons."""

from dataclasses import asdict, dataclass, field

REPORT_TABLES = ("tblcustomer", "tblmeter", "tblaccountnumbers", "tblaccounthistory1", "tblconfig", "tblmeterdata1")
MAX_ERRORS_KEPT = 500


@dataclass
class TableCounts:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0

    def as_dict(self):
        return asdict(self)


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    tables: dict = field(default_factory=lambda: {name: TableCounts() for name in REPORT_TABLES})
    errors: list = field(default_factory=list)
    error_count: int = 0

    def note(self, table, row, reason, level="rejected"):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"table": table, "row": str(row), "reason": str(reason), "level": level})

    def reject(self, table, row, reason):
        self.tables[table].rejected += 1
        self.note(table, row, reason)

    def counts(self):
        return {name: counts.as_dict() for name, counts in self.tables.items()}

    @property
    def changed(self):
        return sum(c.new + c.updated for c in self.tables.values())
