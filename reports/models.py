"""Report-side tables: daily site generation readings (for generation vs consumption)."""

from django.db import models
from simple_history.models import HistoricalRecords

from customers.models import Site


class SiteGeneration(models.Model):
    """kWh a site's plant generated on one day (Africa/Maseru), imported from the site's generation export."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="generation", db_column="site_code")
    day = models.DateField()
    kwh_generated = models.DecimalField("kWh generated", max_digits=14, decimal_places=3)
    source = models.CharField(max_length=200, blank=True, default="", help_text="File or system the figure came from.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "cc_site_generation"
        ordering = ["site", "-day"]
        verbose_name = "site generation (day)"
        verbose_name_plural = "site generation (days)"
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="cc_site_generation_one_per_day"),
            models.CheckConstraint(condition=models.Q(kwh_generated__gte=0), name="cc_site_generation_not_negative"),
        ]

    def __str__(self):
        return f"{self.site_id} {self.day:%Y-%m-%d}: {self.kwh_generated} kWh"
