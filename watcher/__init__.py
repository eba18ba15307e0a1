"""kinerja: SOP 010 "Pengumpulan Data Kinerja" carried out through Excel workbooks."""

__version__ = "0.1.0"
