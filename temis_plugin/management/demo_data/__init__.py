"""The sample data of ``manage.py temis_demo_data``: a fictional province, its people and a school year of their work.

Everything goes through the same doors as real data: the roster importer and the plugin's API. The builders that
draw at random take the command's seeded generator and are called in a fixed order, so every run makes the same data.
"""
