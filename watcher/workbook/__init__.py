"""How the rencana aksi workbook is laid out, written and read."""
