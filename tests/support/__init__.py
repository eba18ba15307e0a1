"""What the tests build their world from: office builders, stubs and a spreadsheet engine."""
