"""manage.py import_generation: CSV and XLSX, idempotent, row errors, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from reports.models import SiteGeneration

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, text, name="gen.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_imports_a_csv_and_records_history(tmp_path):
    path = write_csv(tmp_path, "Site code,Date,kWh\nMAK,2025-10-01,1200.5\nmas,02/10/2025,800\n")
    call_command("import_generation", path)
    rows = {(g.site_id, g.day): g for g in SiteGeneration.objects.all()}
    assert rows[("MAK", date(2025, 10, 1))].kwh_generated == Decimal("1200.500")
    assert rows[("MAS", date(2025, 10, 2))].source == "gen.csv"
    assert rows[("MAK", date(2025, 10, 1))].history.get().history_change_reason == "import_generation gen.csv"


def test_it_is_idempotent_and_updates_changed_days(tmp_path, capsys):
    path = write_csv(tmp_path, "site,date,kwh\nMAK,2025-10-01,10\nMAK,2025-10-02,20\n")
    call_command("import_generation", path)
    call_command("import_generation", path)
    assert SiteGeneration.objects.count() == 2
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    call_command("import_generation", write_csv(tmp_path, "site,date,kwh\nMAK,2025-10-01,11\n"))
    assert SiteGeneration.objects.get(day=date(2025, 10, 1)).kwh_generated == Decimal("11.000")
    assert SiteGeneration.objects.count() == 2


def test_it_reports_row_errors_and_writes_nothing(tmp_path, capsys):
    path = write_csv(
        tmp_path,
        "site,date,kwh\nMAK,2025-10-01,10\nZZZ,2025-10-02,5\nMAK,not a date,-3\nMAK,2025-10-01,12\n",
    )
    with pytest.raises(CommandError, match="3 row error"):
        call_command("import_generation", path)
    err = capsys.readouterr().err
    assert "line 3: site 'ZZZ' is not a known site code" in err
    assert "line 4:" in err and "not a date" in err and "kWh -3" in err
    assert "line 5: MAK 2025-10-01 is also on line 2" in err
    assert SiteGeneration.objects.count() == 0


def test_it_refuses_a_file_without_the_columns(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_generation", write_csv(tmp_path, "name,value\nx,1\n"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_generation", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError):
        call_command("import_generation", write_csv(tmp_path, "garbage", name="gen.pdf"))


def test_it_imports_an_xlsx(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Site", "Day", "kWh generated"])
    sheet.append(["SHG", date(2025, 11, 3), 456.789])
    sheet.append([None, None, None])
    path = tmp_path / "gen.xlsx"
    workbook.save(path)
    call_command("import_generation", str(path), "--source", "SCADA")
    item = SiteGeneration.objects.get()
    assert (item.site_id, item.day, item.kwh_generated, item.source) == ("SHG", date(2025, 11, 3), Decimal("456.789"), "SCADA")
