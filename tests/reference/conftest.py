from .fixtures import reference_data  # noqa: F401
