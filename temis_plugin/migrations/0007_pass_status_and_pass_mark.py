"""Pass status with three values (passed, not passed, unknown) and the course's pass mark."""
import django.core.validators
from django.db import migrations, models


def unknown_where_never_stated(apps, schema_editor):
    # Until now "not passed" was also stored where no source had said so: a grade report's audit or
    # honor learner (and a result whose passing-status event never came). The LMS sends a
    # passing-status event with every grade change, so a result without one was not told: unknown.
    ModuleResult = apps.get_model("temis_plugin", "ModuleResult")
    ModuleResult.objects.filter(passed=False, passing_event_at__isnull=True).update(passed=None)


def not_passed_where_unknown(apps, schema_editor):
    ModuleResult = apps.get_model("temis_plugin", "ModuleResult")
    ModuleResult.objects.filter(passed__isnull=True).update(passed=False)


class Migration(migrations.Migration):

    dependencies = [
        ("temis_plugin", "0006_one_current_cycle_on_every_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="coursemodule",
            name="pass_mark",
            field=models.DecimalField(
                blank=True, decimal_places=4, max_digits=5, null=True,
                validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1)],
                verbose_name="pass mark",
                help_text="The course grade from which a learner passes, from 0 to 1 (such as 0.5), as in the "
                          "course's grading policy. Used for audit and honor learners in a grade report, whose "
                          "pass the report does not state; left empty, their pass status stays unknown."),
        ),
        migrations.AlterField(
            model_name="moduleresult",
            name="passed",
            field=models.BooleanField(default=None, help_text="Empty when the pass status is unknown.", null=True,
                                      verbose_name="passed"),
        ),
        migrations.RunPython(unknown_where_never_stated, not_passed_where_unknown),
    ]
