"""One module per report kind, each with ``build(report, scope, cycle, frameworks, cut_off)`` filling the
report's tables; :mod:`temis_plugin.reports.registry` lists them."""
