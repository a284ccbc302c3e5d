"""Matching students and positions (issue 4).

``engine`` is pure numpy/scipy (its public names are in ``engine.__all__``); ``arrays`` turns records into
its input arrays, ``services`` builds, saves and queries the index.
"""
