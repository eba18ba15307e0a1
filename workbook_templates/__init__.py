"""Layout definitions of the workbooks kinerja issues (data files, read by `watcher.layout`)."""
