"""The SOP's compile step (SOP 010: step 6): each period's report (a quarter's, a month's, ...)
and the annual LKjIP from approved workbooks.

Data flows one way: the event log names the latest approved version of each division's workbook
(`gather`), whose archived bytes are read; pure calculations turn them into figures
(`figures`); the figures are rendered as a workbook (`xlsx`) and as HTML printed to PDF (`pdf`)
by `period` and `annual`, in the SOP's own words (`words`); `publish` writes the files and logs
them; `auto` is the service listener and `commands` the CLI's entry points.
"""
