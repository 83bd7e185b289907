"""newsmon: streaming news monitoring. This package is the command line (``newsmon``) and the
orchestration commands built on the others (``run``, ``bench``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsmon")
except PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
