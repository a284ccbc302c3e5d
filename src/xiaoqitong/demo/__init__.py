"""Deterministic generator of a whole city's demo data (``xiaoqitong demo_data``).

- ``context.py``: scales, the ``Context`` handed from step to step, ``Step``, ``DemoError``.
- ``steps/``: the steps in order (``steps.STEPS``); ``steps/orgs.py`` makes departments, schools,
  enrolment, research institutions, enterprises and the demo accounts.
- ``names.py``: the real schools, word lists and weight tables that make the data read real.
- ``generator.py``: ``generate()``, ``delete_generated()``, ``digest()``, ``check_reference()``.
- ``accounts.py``: ``ensure_demo_accounts()`` (one account per role, password ``settings.DEMO_PASSWORD``).
- ``models.py``: ``DemoRun``, which records what a run created so ``--reset`` deletes exactly that.
"""
