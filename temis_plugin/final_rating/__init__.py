"""The final-rating pages of a head of school (or of the superior, for principals): the list of the
unit's evaluations with bulk actions (:mod:`.listing_views`), and one evaluation with the head's form
and its evidence files (:mod:`.evaluation_views`).

The pages are thin: every read and write goes through :mod:`temis_plugin.api`, which checks who may
do what, the workflow state and the version each change started from.
"""
