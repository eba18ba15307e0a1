"""kinerja: SOP 010 "Pengumpulan Data Kinerja" carried out through Excel workbooks."""

try:  # written by setuptools-scm at every build and editable install, from git
    from watcher._version import version as __version__
except ImportError:  # a source tree used without installing it (PYTHONPATH): no build wrote it
    __version__ = "0.0.0+unknown"
