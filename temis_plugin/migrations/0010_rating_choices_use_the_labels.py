"""The overall ratings' choices say what every screen says ("Good", from temis_plugin.labels, translated
when shown) instead of "Good (Tốt)". Choices live in Python only: the tables do not change."""
import temis_plugin.standards.levels
from django.db import migrations, models

RATING = temis_plugin.standards.levels.OverallRating
RATING_CHOICES = [(RATING["TOT"], "Good"), (RATING["KHA"], "Fair"), (RATING["DAT"], "Meets"),
                  (RATING["CHUA_DAT"], "Not met")]


class Migration(migrations.Migration):

    dependencies = [
        ("temis_plugin", "0009_roster_imports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="colleagueopinion",
                name="rating",
                field=models.CharField(choices=RATING_CHOICES, max_length=16, verbose_name="rating"),
            ),
            migrations.AlterField(
                model_name="evaluation",
                name="final_rating",
                field=models.CharField(blank=True, choices=RATING_CHOICES, db_index=True, max_length=16,
                                       verbose_name="final rating"),
            ),
            migrations.AlterField(
                model_name="evaluation",
                name="self_rating",
                field=models.CharField(blank=True, choices=RATING_CHOICES, max_length=16, verbose_name="self rating"),
            ),
        ]),
    ]
