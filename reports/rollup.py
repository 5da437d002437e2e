"""The report rollup of `tblmeterdata1` (`cc_reading_hour`: readings per meter, site, month and hour), kept equal to
its table by ccportal.rollup (signals connected in `reports.apps`; rebuilt by seed_demo, the ACDB import and
restore). Report selectors sum readings here; customers are counted on customers.rollup."""

from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, TruncMonth

from ccportal.rollup import Rollup, count_one, local_hour, month_start, sum_of

READING_ROLLUP = Rollup(
    name="reading_hour",
    source="customers.MeterReading",
    target="reports.ReadingHour",
    watched=("meterid", "community", "whdatetime", "power_kw"),
    key=lambda row: (row.meterid, row.community or "", month_start(row.whdatetime), local_hour(row.whdatetime)),
    values={"readings": count_one, "kw_sum": sum_of("power_kw")},
    db_group={
        "meter_id": F("meterid"),
        "community": Coalesce("community", Value("")),
        "month": TruncMonth("whdatetime"),
        "hour": ExtractHour("whdatetime"),
    },
    db_values={"readings": Count("pk"), "kw_sum": Sum("power_kw")},
    db_key=lambda values: (values[0], values[1] or "", month_start(values[2]), int(values[3])),
)
