"""Deterministic generator of a whole city's demo data (``xiaoqitong demo_data``).

- ``context.py``: scales, the ``Context`` handed from step to step (with the run's reference date
  ``as_of`` and the school years that follow from it: ``school_year()``), ``Step``, ``DemoError``.
- ``steps/``: the steps in order (``steps.STEPS``); ``steps/orgs.py`` makes departments, schools,
  enrolment, research institutions, enterprises and the demo accounts; ``steps/supply_demand.py`` the
  majors schools run over the years, teachers, students, postings, graduate outcomes and applications;
  ``cooperation``, ``quality``, ``events`` and ``certification`` the records of their apps (each module's
  docstring says what waits for which demo account).
- ``names.py``: the real schools, word lists and weight tables that make the data read real (people's
  names, outcome shares); ``majors.py``: which majors schools run;
  ``postings.py``: job posting templates per chain; ``people.py``: names and phone numbers.
- ``indexing.py``: ``search_text`` computed in bulk with the apps' registered search builders.
- ``generator.py``: ``generate()``, ``delete_generated()``, ``digest()``, ``check_reference()``.
- ``accounts.py``: ``ensure_demo_accounts()`` (one account per role, password ``settings.DEMO_PASSWORD``).
- ``models.py``: ``DemoRun``, which records what a run created so ``--reset`` deletes exactly that.
"""
