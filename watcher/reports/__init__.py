"""Step 6 of the SOP: the quarterly report and the annual LKjIP from approved workbooks.

Data flows one way: the event log names the latest approved version of each division's workbook
(`gather`), whose archived bytes are read; pure calculations turn them into figures
(`figures`); the figures are rendered as a workbook (`xlsx`) and as HTML printed to PDF (`pdf`)
by `quarterly` and `annual`; `publish` writes the files and logs them; `auto` is the service
listener and `commands` the CLI's entry points.
"""
